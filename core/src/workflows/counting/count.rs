//! Starting, submitting and approving counts, and the adjustments they make.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::records::{self, CountSheet, CountTask, CountTaskStatus};
use crate::catalog::{self, LocationKind, LocationRecord, LocationStatus};
use crate::credentials::{self, Approval};
use crate::db::{Store, WriteTx, utc_text};
use crate::error::{Error, Result};
use crate::outbox;
use crate::scan::{self, IdentifiedGoods, ScannedGoods};
use crate::stock::{self, Bucket, Movement, StockStatus};
use dockhand_protocol::events as ev;
use dockhand_protocol::events::CountOutcome;

/// Start counting a task: snapshot the system quantities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartCount {
    /// Client operation id.
    pub op_id: Uuid,
    /// Who counts.
    pub operator: String,
    /// The task.
    pub task_id: String,
}

/// One counted line: what the operator found at a location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountedLine {
    /// Location code (the task's location when `None`).
    #[serde(default)]
    pub location: Option<String>,
    /// Scan of the goods (with lot where tracked).
    pub scan: ScannedGoods,
    /// How many of the scanned pack were counted (0: none there).
    pub quantity: i64,
    /// When this line was counted (the submit time when `None`): movements before it are part of
    /// what the system expects, movements after it are not.
    #[serde(default)]
    pub counted_at: Option<DateTime<FixedOffset>>,
}

/// Submit a round of counting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitCount {
    /// Client operation id.
    pub op_id: Uuid,
    /// Who counted.
    pub operator: String,
    /// The task.
    pub task_id: String,
    /// Everything found; a place of the task with nothing counted is counted as empty.
    pub lines: Vec<CountedLine>,
}

/// A supervisor approves a confirmed variance beyond the approval threshold, with their badge and
/// PIN on the handheld of `operator` (who may be the supervisor).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApproveCount {
    /// Client operation id.
    pub op_id: Uuid,
    /// Who holds the handheld.
    pub operator: String,
    /// The task.
    pub task_id: String,
    /// The approving supervisor's badge and PIN (never one who counted the task).
    pub approval: Approval,
}

/// One line of a round's outcome. Variances are shown only once the count is settled, so a
/// recount stays blind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountLineResult {
    /// Location code.
    pub location: String,
    /// Item SKU.
    pub sku: String,
    /// Lot.
    pub lot: String,
    /// Base units counted.
    pub counted: i64,
    /// Counted minus expected, once settled.
    pub variance: Option<i64>,
    /// Found where the system had none of it.
    pub unexpected: bool,
}

/// What a submit (or an approval) did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountSubmitted {
    /// Task id.
    pub task_id: String,
    /// Round just counted.
    pub round: i64,
    /// What happens next.
    pub outcome: CountOutcome,
    /// The lines.
    pub lines: Vec<CountLineResult>,
}

/// Starts a count: snapshots the quantities of its places and remembers the ledger position.
pub fn start_count(store: &Store, cmd: &StartCount) -> Result<CountSheet> {
    store.command("counting.start", cmd.op_id, &cmd.operator, cmd, |tx| {
        let conn = tx.conn();
        catalog::operator(conn, &cmd.operator)?;
        let task = records::count_task(conn, &cmd.task_id)?;
        if task.status != CountTaskStatus::Open {
            return Err(Error::WrongState {
                what: "count task".into(),
                id: task.id,
                state: task.status.to_string(),
                action: "started".into(),
            });
        }
        crate::claims::check_not_held_elsewhere(
            conn,
            tx.device_id(),
            crate::claims::TaskKind::Count,
            &task.id,
        )?;
        if let Some(code) = &task.location {
            let loc = catalog::location_by_code(conn, code)?;
            if loc.location.status == LocationStatus::Blocked {
                return Err(Error::LocationBlocked {
                    code: loc.location.code,
                });
            }
        }
        let mark = stock::ledger_mark(conn)?;
        let (location_id, item_id): (Option<i64>, Option<i64>) = conn
            .prepare_cached("SELECT location_id, item_id FROM count_tasks WHERE id = ?1")?
            .query_row([&task.id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let expected = stock::countable(conn, location_id, item_id)?;
        let mut insert = conn.prepare_cached(
            "INSERT INTO count_snapshots (task_id, item_id, location_id, lot, quantity)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for (item, location, lot, quantity) in &expected {
            insert.execute((&task.id, item, location, lot, quantity))?;
        }
        let snapshot = expected.len();
        conn.prepare_cached(
            "UPDATE count_tasks SET status = 'counting', start_mark = ?2, started_at = ?3 WHERE id = ?1",
        )?
        .execute((&task.id, mark, tx.now_utc_text()))?;
        outbox::append(
            tx,
            ev::CountStarted {
                task_id: task.id.clone(),
                location: task.location.clone(),
                sku: task.sku.clone(),
                snapshot_lines: snapshot as i64,
            },
        )?;
        records::count_sheet(tx.conn(), &task.id)
    })
}

/// One (item, location, lot) of a round.
struct Line {
    item_id: i64,
    location_id: i64,
    lot: String,
    counted: i64,
    /// When the line was counted (`None`: not counted, i.e. found empty at submit time).
    counted_at: Option<String>,
    expected: i64,
    unexpected: bool,
    /// Serial numbers scanned (serial-tracked items).
    serials: Vec<String>,
}

type Key = (i64, i64, String);

/// Submits a round: computes what the system expected at each line's moment, then adjusts,
/// asks for a recount, or waits for a supervisor.
pub fn submit_count(store: &Store, cmd: &SubmitCount) -> Result<CountSubmitted> {
    store.command("counting.submit", cmd.op_id, &cmd.operator, cmd, |tx| {
        submit_in(tx, cmd)
    })
}

fn submit_in(tx: &mut WriteTx<'_>, cmd: &SubmitCount) -> Result<CountSubmitted> {
    let conn = tx.conn();
    catalog::operator(conn, &cmd.operator)?;
    let task = records::count_task(conn, &cmd.task_id)?;
    if !matches!(
        task.status,
        CountTaskStatus::Counting | CountTaskStatus::Recount
    ) {
        return Err(Error::WrongState {
            what: "count task".into(),
            id: task.id,
            state: task.status.to_string(),
            action: "counted".into(),
        });
    }
    if task.status == CountTaskStatus::Recount {
        check_recounter(tx, &task.id, task.first_counter.as_deref(), &cmd.operator)?;
    }
    let now = tx.now_utc_text().to_string();
    let lines = lines_of_round(conn, &task, cmd, &now)?;
    let round = task.round + 1;
    record_round(conn, &task.id, round, &cmd.operator, &lines)?;
    let outcome = outcome_of(conn, tx.policy(), &lines, round)?;
    let status = match outcome {
        CountOutcome::NoVariance | CountOutcome::Adjusted => CountTaskStatus::Done,
        CountOutcome::RecountRequired => CountTaskStatus::Recount,
        CountOutcome::ApprovalRequired => CountTaskStatus::Approval,
    };
    conn.prepare_cached(
        "UPDATE count_tasks SET round = ?2, status = ?3,
             first_counter = COALESCE(first_counter, ?4),
             finished_at = CASE WHEN ?3 = 'done' THEN ?5 ELSE NULL END
         WHERE id = ?1",
    )?
    .execute((&task.id, round, status, &cmd.operator, &now))?;
    let settled = matches!(outcome, CountOutcome::NoVariance | CountOutcome::Adjusted);
    let (event_lines, results) = round_report(conn, &lines, settled)?;
    outbox::append(
        tx,
        ev::Counted {
            task_id: task.id.clone(),
            round,
            counter: cmd.operator.clone(),
            outcome,
            lines: event_lines,
        },
    )?;
    if outcome == CountOutcome::Adjusted {
        adjust(tx, &task.id, round, None)?;
    }
    Ok(CountSubmitted {
        task_id: task.id,
        round,
        outcome,
        lines: results,
    })
}

/// The round's lines: the snapshot, the counted lines added in, and what the system expected when
/// each was counted (the snapshot plus what moved since the count started and before that moment).
fn lines_of_round(
    conn: &rusqlite::Connection,
    task: &CountTask,
    cmd: &SubmitCount,
    now: &str,
) -> Result<BTreeMap<Key, Line>> {
    let (start_mark, task_item, started_at): (i64, Option<i64>, String) = conn
        .prepare_cached("SELECT start_mark, item_id, started_at FROM count_tasks WHERE id = ?1")?
        .query_row([&task.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let now = now.to_string();
    let mut lines: BTreeMap<Key, Line> = BTreeMap::new();
    let snapshot: Vec<(Key, i64)> = conn
        .prepare_cached(
            "SELECT item_id, location_id, lot, quantity FROM count_snapshots WHERE task_id = ?1",
        )?
        .query_map([&task.id], |r| {
            Ok(((r.get(0)?, r.get(1)?, r.get(2)?), r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (key, quantity) in &snapshot {
        lines.insert(
            key.clone(),
            Line {
                item_id: key.0,
                location_id: key.1,
                lot: key.2.clone(),
                counted: 0,
                counted_at: None,
                expected: *quantity,
                unexpected: false,
                serials: Vec::new(),
            },
        );
    }
    for counted in &cmd.lines {
        let (goods, loc, base, at) =
            check_counted_line(conn, task, counted, task_item, &started_at, &now)?;
        let line = lines
            .entry((goods.item.id, loc.id, goods.lot.clone()))
            .or_insert(Line {
                item_id: goods.item.id,
                location_id: loc.id,
                lot: goods.lot.clone(),
                counted: 0,
                counted_at: None,
                expected: 0,
                unexpected: true,
                serials: Vec::new(),
            });
        line.counted += base;
        line.counted_at = Some(line.counted_at.take().map_or(at.clone(), |c| c.max(at)));
        if !goods.serial.is_empty() && base > 0 {
            line.serials.push(goods.serial.clone());
        }
    }
    for line in lines.values_mut() {
        let counted_at = line.counted_at.get_or_insert_with(|| now.clone()).clone();
        let moved = stock::moved_since(
            conn,
            start_mark,
            line.item_id,
            line.location_id,
            &line.lot,
            &counted_at,
        )?;
        line.expected += moved;
        line.unexpected = line.unexpected && line.expected == 0;
    }
    Ok(lines)
}

/// One counted line checked against its task: the goods, the location, base units and when it
/// was counted (between the start of the count and now).
fn check_counted_line(
    conn: &rusqlite::Connection,
    task: &CountTask,
    counted: &CountedLine,
    task_item: Option<i64>,
    started_at: &str,
    now: &str,
) -> Result<(IdentifiedGoods, LocationRecord, i64, String)> {
    let code = counted
        .location
        .as_deref()
        .or(task.location.as_deref())
        .ok_or_else(|| {
            Error::invalid(
                "location",
                format!(
                    "count task {} counts item {} everywhere: each line must name its location",
                    task.id,
                    task.sku.clone().unwrap_or_default()
                ),
            )
        })?;
    let loc = catalog::location_by_code(conn, code)?;
    if matches!(
        loc.location.kind,
        LocationKind::Staging | LocationKind::Shipping
    ) {
        return Err(Error::WrongLocationType {
            code: loc.location.code,
            actual: loc.location.kind.to_string(),
            expected: "a location holding stock at rest".into(),
            action: "counting".into(),
        });
    }
    if task
        .location
        .as_deref()
        .is_some_and(|own| own != loc.location.code)
    {
        return Err(Error::OutsideCount {
            task_id: task.id.clone(),
            scope: format!("location {}", task.location.clone().unwrap_or_default()),
            location: loc.location.code,
        });
    }
    let goods = scan::identify(conn, &counted.scan, false)?;
    if task_item.is_some_and(|item| item != goods.item.id) {
        return Err(Error::WrongItem {
            expected: task.sku.clone().unwrap_or_default(),
            scanned: goods.item.item.sku.clone(),
            location: loc.location.code,
        });
    }
    let base = if counted.quantity == 0 {
        0
    } else {
        goods.base_quantity(counted.quantity)?
    };
    let at = counted
        .counted_at
        .map(utc_text)
        .unwrap_or_else(|| now.to_string());
    // A line is counted between the start of the count and now (both UTC text, comparable).
    if at.as_str() < started_at || at.as_str() > now {
        return Err(Error::invalid(
            "counted at",
            format!(
                "{at} is outside count task {} (started {started_at}, now {now})",
                task.id
            ),
        ));
    }
    Ok((goods, loc, base, at))
}

/// Writes the round's lines as count results.
fn record_round(
    conn: &rusqlite::Connection,
    task_id: &str,
    round: i64,
    counter: &str,
    lines: &BTreeMap<Key, Line>,
) -> Result<()> {
    for line in lines.values() {
        conn.prepare_cached(
            "INSERT INTO count_results (task_id, round, item_id, location_id, lot, expected, counted,
                                        unexpected, counter, counted_at, serials)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?
        .execute((
            task_id,
            round,
            line.item_id,
            line.location_id,
            &line.lot,
            line.expected,
            line.counted,
            line.unexpected,
            counter,
            &line.counted_at,
            serde_json::to_string(&line.serials)?,
        ))?;
    }
    Ok(())
}

/// What a round leads to under the policy: no variance, adjusted (within tolerance, or confirmed
/// by a recount below the approval threshold), a recount, or a supervisor's approval.
fn outcome_of(
    conn: &rusqlite::Connection,
    policy: &crate::Policy,
    lines: &BTreeMap<Key, Line>,
    round: i64,
) -> Result<CountOutcome> {
    let mut within = true;
    let mut total_value = 0i64;
    let mut any_variance = false;
    for line in lines.values() {
        let variance = line.counted - line.expected;
        let value = variance.saturating_abs().saturating_mul(
            catalog::item_by_id(conn, line.item_id)?
                .item
                .unit_value_cents,
        );
        any_variance |= variance != 0;
        within &= variance.abs() <= policy.count_tolerance_units
            && value <= policy.count_tolerance_value_cents;
        total_value = total_value.saturating_add(value);
    }
    Ok(if !any_variance {
        CountOutcome::NoVariance
    } else if within {
        CountOutcome::Adjusted
    } else if round == 1 {
        CountOutcome::RecountRequired
    } else if total_value > policy.count_approval_value_cents {
        CountOutcome::ApprovalRequired
    } else {
        CountOutcome::Adjusted
    })
}

/// The round as its event carries it and as the counter sees it (variances only once settled, so
/// a recount stays blind).
fn round_report(
    conn: &rusqlite::Connection,
    lines: &BTreeMap<Key, Line>,
    settled: bool,
) -> Result<(Vec<ev::CountedLine>, Vec<CountLineResult>)> {
    let mut results = Vec::with_capacity(lines.len());
    let mut event_lines = Vec::with_capacity(lines.len());
    for line in lines.values() {
        let sku = catalog::item_by_id(conn, line.item_id)?.item.sku;
        let location = catalog::location_by_id(conn, line.location_id)?
            .location
            .code;
        event_lines.push(ev::CountedLine {
            location: location.clone(),
            sku: sku.clone(),
            lot: line.lot.clone(),
            counted: line.counted,
            expected: line.expected,
            variance: line.counted - line.expected,
            unexpected: line.unexpected,
            counted_at: line.counted_at.clone(),
        });
        results.push(CountLineResult {
            location,
            sku,
            lot: line.lot.clone(),
            counted: line.counted,
            variance: settled.then_some(line.counted - line.expected),
            unexpected: line.unexpected,
        });
    }
    Ok((event_lines, results))
}

/// A recount is by someone other than the first counter, when another active operator exists.
fn check_recounter(
    tx: &WriteTx<'_>,
    task_id: &str,
    first: Option<&str>,
    operator: &str,
) -> Result<()> {
    if first != Some(operator) {
        return Ok(());
    }
    let others: Vec<String> = tx
        .conn()
        .prepare_cached("SELECT id FROM operators WHERE active = 1 AND id <> ?1 ORDER BY id")?
        .query_map([operator], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if others.is_empty() {
        return Ok(());
    }
    Err(Error::RecountBySameOperator {
        task_id: task_id.into(),
        operator: operator.into(),
        others: others.join(", "),
    })
}

/// The status a count adjustment changes at a location: what is there, else what the location
/// holds by its kind.
fn adjusted_status(
    tx: &WriteTx<'_>,
    item_id: i64,
    location_id: i64,
    lot: &str,
) -> Result<StockStatus> {
    if let Some(status) = stock::main_status(tx.conn(), item_id, location_id, lot)? {
        return Ok(status);
    }
    Ok(
        match catalog::location_by_id(tx.conn(), location_id)?
            .location
            .kind
        {
            LocationKind::Dock => StockStatus::Received,
            LocationKind::Quarantine => StockStatus::Quarantined,
            LocationKind::Damaged => StockStatus::Damaged,
            LocationKind::Returns => StockStatus::ReturnPending,
            LocationKind::Staging | LocationKind::Shipping => StockStatus::InTransit,
            LocationKind::Storage | LocationKind::PickFace => StockStatus::Available,
        },
    )
}

/// Applies every variance of `round` as a ledger movement with reason `count_adjustment`.
fn adjust(tx: &WriteTx<'_>, task_id: &str, round: i64, approved_by: Option<&str>) -> Result<()> {
    let conn = tx.conn();
    let rows: Vec<(i64, i64, String, i64, i64, String)> = conn
        .prepare_cached(
            "SELECT item_id, location_id, lot, expected, counted, serials FROM count_results
             WHERE task_id = ?1 AND round = ?2 AND counted <> expected
             ORDER BY location_id, item_id, lot",
        )?
        .query_map((task_id, round), |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (item_id, location_id, lot, expected, counted, serials) in rows {
        let variance = counted - expected;
        let item = catalog::item_by_id(conn, item_id)?;
        let status = adjusted_status(tx, item_id, location_id, &lot)?;
        let counted_serials: Vec<String> = serde_json::from_str(&serials)?;
        if variance > 0 {
            stock::record_lot(tx, item_id, &item.item.sku, &lot, None)?;
            // Serials found that the system did not have here come in by their numbers.
            let mut found_new = Vec::new();
            for serial in &counted_serials {
                if found_new.len() as i64 == variance {
                    break;
                }
                if stock::serial_location(conn, item_id, serial)?.is_none() {
                    found_new.push(serial.clone());
                }
            }
            let loose = variance - found_new.len() as i64;
            let serial_legs = found_new.into_iter().map(|serial| (serial, 1));
            let loose_leg = (loose > 0).then(|| (String::new(), loose));
            for (serial, quantity) in serial_legs.chain(loose_leg) {
                stock::apply(
                    tx,
                    &Movement {
                        item_id,
                        quantity,
                        from: None,
                        to: Some(Bucket {
                            location_id,
                            lot: lot.clone(),
                            serial,
                            lpn: String::new(),
                            status,
                        }),
                        reason: "count_adjustment".into(),
                    },
                )?;
            }
        } else {
            take_out(
                tx,
                item_id,
                location_id,
                &lot,
                status,
                -variance,
                &counted_serials,
            )?;
        }
        conn.prepare_cached(
            "UPDATE count_results SET adjusted = 1 WHERE task_id = ?1 AND round = ?2
             AND item_id = ?3 AND location_id = ?4 AND lot = ?5",
        )?
        .execute((task_id, round, item_id, location_id, &lot))?;
        outbox::append(
            tx,
            ev::CountAdjusted {
                task_id: task_id.to_string(),
                round,
                location: catalog::location_by_id(conn, location_id)?.location.code,
                sku: item.item.sku.clone(),
                lot: lot.clone(),
                status,
                expected,
                counted,
                variance,
                value_cents: variance.saturating_mul(item.item.unit_value_cents),
                reason_code: "count_adjustment".into(),
                approved_by: approved_by.map(str::to_string),
                movements: Vec::new(),
            },
        )?;
    }
    Ok(())
}

/// Removes `quantity` found missing: serials nobody scanned first, then loose stock; reservations
/// on stock that is not there are released (the picks holding them will come up short and say so).
fn take_out(
    tx: &WriteTx<'_>,
    item_id: i64,
    location_id: i64,
    lot: &str,
    status: StockStatus,
    quantity: i64,
    counted_serials: &[String],
) -> Result<()> {
    let conn = tx.conn();
    if status == StockStatus::Available {
        let free = stock::unreserved(conn, item_id, location_id, lot)?;
        if free < quantity {
            stock::release_at(tx, item_id, location_id, lot, quantity - free.max(0))?;
        }
    }
    let left = stock::take(
        tx,
        item_id,
        location_id,
        lot,
        status,
        quantity,
        stock::Serials::UnlistedFirst(counted_serials),
        None,
        "count_adjustment",
    )?;
    if left > 0 {
        return Err(Error::InsufficientStock {
            sku: catalog::item_by_id(conn, item_id)?.item.sku,
            lot: lot.into(),
            location: catalog::location_by_id(conn, location_id)?.location.code,
            status: status.to_string(),
            on_hand: quantity - left,
            requested: quantity,
        });
    }
    Ok(())
}

/// A supervisor approves the confirmed variance of a task waiting for approval; it is adjusted.
pub fn approve_count(store: &Store, cmd: &ApproveCount) -> Result<CountSubmitted> {
    let approval = Some(&cmd.approval);
    store.approved_command(
        "counting.approve",
        cmd.op_id,
        &cmd.operator,
        cmd,
        approval,
        |tx, verified| approve_in(tx, cmd, verified),
    )
}

fn approve_in(
    tx: &mut WriteTx<'_>,
    cmd: &ApproveCount,
    verified: Option<&credentials::Verified>,
) -> Result<CountSubmitted> {
    let conn = tx.conn();
    catalog::operator(conn, &cmd.operator)?;
    let Some(verified) = verified else {
        return Err(Error::Internal(
            "a count approval without its approver".into(),
        ));
    };
    let task = records::count_task(conn, &cmd.task_id)?;
    if task.status != CountTaskStatus::Approval {
        return Err(Error::WrongState {
            what: "count task".into(),
            id: task.id,
            state: task.status.to_string(),
            action: "approved".into(),
        });
    }
    let approver = catalog::supervisor(conn, verified.operator_id())?;
    // Four eyes: nobody approves a variance they counted (any round).
    let counted_it: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM count_results WHERE task_id = ?1 AND counter = ?2)",
        )?
        .query_row((&task.id, &approver.id), |r| r.get(0))?;
    if counted_it {
        return Err(Error::SelfApproval {
            supervisor: approver.id,
            what: format!("counted count task {}", task.id),
        });
    }
    adjust(tx, &task.id, task.round, Some(&approver.id))?;
    conn.prepare_cached("UPDATE count_tasks SET status = 'done', finished_at = ?2 WHERE id = ?1")?
        .execute((&task.id, tx.now_utc_text()))?;
    let lines = conn
        .prepare_cached(
            "SELECT l.code, i.sku, r.lot, r.counted, r.counted - r.expected, r.unexpected
             FROM count_results r JOIN locations l ON l.id = r.location_id
             JOIN items i ON i.id = r.item_id
             WHERE r.task_id = ?1 AND r.round = ?2 ORDER BY l.code, i.sku, r.lot",
        )?
        .query_map((&task.id, task.round), |r| {
            Ok(CountLineResult {
                location: r.get(0)?,
                sku: r.get(1)?,
                lot: r.get(2)?,
                counted: r.get(3)?,
                variance: Some(r.get(4)?),
                unexpected: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(CountSubmitted {
        task_id: task.id,
        round: task.round,
        outcome: CountOutcome::Adjusted,
        lines,
    })
}

/// A void of a count adjustment: the whole adjusting command is voided, so its lines no longer
/// count as adjusted.
pub(crate) fn undo_adjustment(tx: &WriteTx<'_>, adjusted: &ev::CountAdjusted) -> Result<()> {
    tx.conn()
        .prepare_cached("UPDATE count_results SET adjusted = 0 WHERE task_id = ?1 AND round = ?2")?
        .execute((&adjusted.task_id, adjusted.round))?;
    Ok(())
}
