//! One pick confirm, statement by statement: what the in-memory figure is made of. Each pick's
//! task is created outside the profile, so only the confirmations' statements are counted.

use std::time::Duration;

use dockhand_core::Error;
use dockhand_core::profile::{Profile, StatementCost};

use super::{Device, micros, summary};

/// Longest SQL prefix printed for a statement.
const SHOWN: usize = 78;

/// Profiles `picks` pick confirms on `device` (in memory), prints each statement's share and adds
/// the statements' total to `summary`, beside `untimed`: the median pick confirm of the same
/// device without the profile.
pub(super) fn pick(
    device: &Device,
    picks: usize,
    untimed: Duration,
    summary: &mut summary::Summary,
) -> Result<(), Error> {
    // Task by task, as the timed picks ran: tasks created ahead would leave every pick's
    // reservation check walking all their reservations.
    let mut took = Vec::with_capacity(picks);
    let mut profile = Profile::default();
    for _ in 0..picks {
        let cmd = device.pick_task()?;
        took.push(profile.run(&device.store, || device.confirm(&cmd))?);
    }
    let costs = profile.costs();
    // Means, as the statements' figures are: their sum over the picks, per pick.
    let traced = micros(took.iter().sum::<Duration>()) / picks.max(1) as f64;
    let per_pick = |d: Duration| micros(d) / picks.max(1) as f64;
    let in_statements: f64 = costs.iter().map(|c| per_pick(c.elapsed)).sum();
    let runs: u64 = costs.iter().map(|c| c.runs).sum();
    println!(
        "\none pick confirm, statement by statement (in memory, {picks} picks; each statement timed from its first step to its reset):"
    );
    println!(
        "  {:>8} {:>5} {:>9}  statement",
        "µs/pick", "runs", "steps/run"
    );
    for cost in &costs {
        println!(
            "  {:>8.2} {:>5.2} {:>9}  {}",
            per_pick(cost.elapsed),
            cost.runs as f64 / picks.max(1) as f64,
            cost.vm_steps / cost.runs.max(1),
            shown(cost)
        );
    }
    println!(
        "  {:.1} statements, {in_statements:.1} µs of a {traced:.1} µs pick (means, the timing's cost included; median {:.1} µs without it); the rest is Rust: the event's signature, JSON, hashes",
        runs as f64 / picks.max(1) as f64,
        micros(untimed)
    );
    summary.add(
        "pick confirm, in memory: its SQL statements (profiled, timing included)",
        format!("{in_statements:.1} µs"),
        format!("the profiled pick {traced:.1} µs (means)"),
        Some(in_statements / traced.max(1e-9)),
        "",
        None,
    );
    open_at_the_face(device, picks, (traced, free_check(&costs)), summary)
}

/// The same picks with every task created first, as a wave released at once leaves them: the
/// face then has every later task's reservation open (`picks` at the first pick, one at the
/// last). `task_by_task` is the profile above: its mean pick and its check of what is free.
fn open_at_the_face(
    device: &Device,
    picks: usize,
    task_by_task: (f64, Option<u64>),
    summary: &mut summary::Summary,
) -> Result<(), Error> {
    device.stock_face(picks as i64)?;
    let tasks: Vec<_> = (0..picks)
        .map(|_| device.pick_task())
        .collect::<Result<_, _>>()?;
    let mut profile = Profile::default();
    let mut took = Duration::ZERO;
    for cmd in &tasks {
        took += profile.run(&device.store, || device.confirm(cmd))?;
    }
    let mean = micros(took) / picks.max(1) as f64;
    let steps = |s: Option<u64>| s.map_or_else(|| "?".into(), |s| s.to_string());
    let (alone, alone_steps) = task_by_task;
    let open_steps = free_check(&profile.costs());
    println!(
        "  with the {picks} tasks created first ({picks} reservations open at the face at the first pick, 1 at the last): {mean:.1} µs a pick (means, profiled); the check of what is free at the face: {} steps a run (task by task: {} steps)",
        steps(open_steps),
        steps(alone_steps)
    );
    summary.add(
        format!("pick confirm, in memory, {picks} tasks open at the face (profiled, means)"),
        format!("{mean:.1} µs, free-stock check {} steps", steps(open_steps)),
        format!("task by task {alone:.1} µs, {} steps", steps(alone_steps)),
        Some(mean / alone.max(1e-9)),
        "",
        None,
    );
    Ok(())
}

/// Virtual-machine steps a run of the check of what is free at a pick face (available minus the
/// bucket's reserved total, `stock::unreserved`), if the picks ran it.
fn free_check(costs: &[StatementCost]) -> Option<u64> {
    costs
        .iter()
        .find(|c| {
            c.sql.contains("reserved_totals WHERE item_id = ?1")
                && c.sql.contains("location_id = ?2")
        })
        .map(|c| c.vm_steps / c.runs.max(1))
}

/// A statement's SQL on one line, cut at [`SHOWN`] characters.
fn shown(cost: &StatementCost) -> String {
    let line = cost.sql.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(SHOWN) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line,
    }
}
