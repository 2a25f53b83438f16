//! `dockhand fuzz`: millions of malformed inputs against what a scanner, an app and the network
//! feed dockhand — the GS1 parser, scan resolution, every workflow command's input, and every
//! endpoint of the hub's HTTP router (in process, with and without valid tokens). The inputs are
//! valid seeds bent by random mutations (`mutate.rs`; seeded and repeatable, not coverage-guided:
//! cargo-fuzz needs nightly Rust). A finding is a panic, a 500 from the hub, an internal or
//! SQLite error where a person's error belongs, or a refused command that changed the database.
//! Prints executions per target and every finding with a prefix of its input; exit 1 on any.

mod commands;
mod mutate;
mod router;
mod scans;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::ExitCode;
use std::time::Instant;

use dockhand_core::Error;

/// `dockhand fuzz`'s arguments.
#[derive(clap::Args)]
pub struct Args {
    /// Executions in total, shared among the targets (GS1 80%, scans 12%, commands 5%, hub 3%).
    #[arg(long, default_value_t = 10_000_000)]
    execs: u64,
    /// Seed of the mutations (the same seed replays the same inputs).
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// One thing fuzzed: runs one input and says what was wrong with the outcome, if anything.
pub(crate) trait Target {
    fn name(&self) -> &'static str;
    /// Per mille of the executions.
    fn share(&self) -> u64;
    fn once(&mut self) -> Result<(), String>;
    /// The input of the last execution (for a finding).
    fn last_input(&self) -> &str;
    /// How the executions went, beyond findings (what share reached the deeper paths).
    fn detail(&self) -> String {
        String::new()
    }
}

/// The first characters of an input, escaped, for a finding.
pub(crate) fn prefix(input: &str) -> String {
    let short: String = input.chars().take(120).collect();
    format!(
        "{short:?}{}",
        if input.chars().count() > 120 {
            "…"
        } else {
            ""
        }
    )
}

pub fn run(args: &Args) -> Result<ExitCode, Error> {
    let mut targets: Vec<Box<dyn Target>> = vec![
        Box::new(scans::Gs1::new(args.seed)),
        Box::new(scans::Resolve::new(args.seed)?),
        Box::new(commands::Commands::new(args.seed)?),
        Box::new(router::Router::new(args.seed)?),
    ];
    // Panics are findings, reported below with their input: keep the default hook quiet.
    std::panic::set_hook(Box::new(|_| {}));
    let started = Instant::now();
    let mut total = 0;
    let mut findings = Vec::new();
    println!(
        "dockhand fuzz — {} executions, seed {}",
        args.execs, args.seed
    );
    for target in &mut targets {
        let execs = args.execs / 1000 * target.share() + args.execs % 1000 * target.share() / 1000;
        let start = Instant::now();
        let mut found = 0;
        for _ in 0..execs {
            let outcome = catch_unwind(AssertUnwindSafe(|| target.once()));
            let finding = match outcome {
                Ok(Ok(())) => continue,
                Ok(Err(what)) => what,
                Err(panic) => format!(
                    "panic: {}",
                    panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default()
                ),
            };
            found += 1;
            if found <= 5 {
                findings.push(format!(
                    "{}: {finding}\n    input {}",
                    target.name(),
                    prefix(target.last_input())
                ));
            }
        }
        let secs = start.elapsed().as_secs_f64();
        total += execs;
        println!(
            "  {:<10} {execs:>10} executions in {secs:>6.1} s ({:>9.0}/s), {found} findings{}",
            target.name(),
            execs as f64 / secs.max(1e-9),
            target.detail()
        );
    }
    let _ = std::panic::take_hook();
    println!(
        "total: {total} executions in {:.1} s, {} findings",
        started.elapsed().as_secs_f64(),
        findings.len()
    );
    for f in &findings {
        println!("FINDING {f}");
    }
    Ok(if findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
