//! The floor: a second milk lot, three orders picked by FEFO (one short), and cycle counts with a
//! variance, a recount by another operator and a supervisor's approval.

use chrono::Duration;
use dockhand_core::counting::{
    self, ApproveCount, CountTaskRequest, CountedLine, CreateCountTask, StartCount, SubmitCount,
};
use dockhand_core::picking::{self, ConfirmPick, CreatePickTask, PickLineRequest, PickTaskRequest};
use dockhand_core::receiving::{self, OpenBlindReceipt};
use dockhand_core::{Clock, Error, ScannedGoods, catalog, sample};
use uuid::Uuid;

use super::{Shift, date, words};

fn line(line_no: i64, sku: &str, quantity: i64, unit: Option<&str>) -> PickLineRequest {
    PickLineRequest {
        line_no,
        sku: sku.into(),
        quantity,
        unit: unit.map(str::to_string),
        lot: None,
    }
}

/// The scan an operator makes of the goods of a pick.
fn goods_for(sku: &str, lot: &str, serial: Option<&str>) -> ScannedGoods {
    let code = match sku {
        sample::MILK => sample::MILK_EA,
        sample::COFFEE => sample::COFFEE_EA,
        sample::TOWELS => sample::TOWELS_EA,
        sample::DRILL => sample::DRILL_EA,
        _ => sample::VITAMINS_EA,
    };
    let scan = ScannedGoods::barcode(code);
    let scan = if lot.is_empty() {
        scan
    } else {
        scan.with_lot(lot)
    };
    match serial {
        Some(serial) => scan.with_serial(serial),
        None => scan,
    }
}

/// Creates a task and works its pick list; `found` caps what is really on the shelf for one pick.
fn pick_order(
    s: &Shift,
    who: &str,
    (task_id, order, ship_by): (&str, &str, Option<&str>),
    lines: Vec<PickLineRequest>,
    found: Option<(&str, i64)>,
    serial: Option<&str>,
) -> Result<Option<String>, Error> {
    let task = picking::create_pick_task(
        &s.store,
        &CreatePickTask {
            op_id: Uuid::now_v7(),
            operator: who.into(),
            task: PickTaskRequest {
                task_id: task_id.into(),
                order_ref: order.into(),
                staging: "STAGE-01".into(),
                ship_by: ship_by.map(Into::into),
                lines,
            },
        },
    )?;
    let list: Vec<String> = task
        .allocations
        .iter()
        .map(|a| {
            let lot = if a.lot.is_empty() {
                String::new()
            } else {
                format!(" lot {}", a.lot)
            };
            let expiry = a.expiry.map(|e| format!(" (exp {e})")).unwrap_or_default();
            format!("{} x {}{lot}{expiry} at {}", a.quantity, a.sku, a.location)
        })
        .collect();
    // The deadline as the floor reads it: "ship by 10:00".
    let by = ship_by
        .and_then(|t| t.get(11..16))
        .map(|hm| format!(" (ship by {hm})"))
        .unwrap_or_default();
    println!(
        "  {} {who:<5} starts {task_id} for {order}{by}: {}",
        s.at(),
        list.join("; ")
    );
    let mut count_task = None;
    while let Some(next) = s.store.read(|c| picking::next_pick(c, task_id))? {
        s.minutes(2);
        let check = s
            .store
            .read(|c| catalog::location_by_code(c, &next.location))?
            .location
            .check_string;
        let (quantity, short) = match found {
            Some((location, on_shelf)) if location == next.location => {
                (on_shelf.min(next.quantity), on_shelf < next.quantity)
            }
            _ => (next.quantity, false),
        };
        let done = picking::confirm_pick(
            &s.store,
            &ConfirmPick {
                op_id: Uuid::now_v7(),
                operator: who.into(),
                task_id: task_id.into(),
                allocation_id: next.allocation_id,
                location_scan: check,
                scan: goods_for(&next.sku, &next.lot, serial),
                quantity,
                tote: Some(format!("TOTE-{}", &task_id[2..])),
                short,
            },
        )?;
        let mut shortage = if done.short > 0 {
            format!(
                " — SHORT {} (count task {} raised)",
                done.short,
                done.count_task_id.clone().unwrap_or_default()
            )
        } else {
            String::new()
        };
        if let Some(task) = &done.replenishment_task_id {
            let raised = s
                .store
                .read(|c| dockhand_core::replenishment::replenishment_task(c, task))?;
            shortage.push_str(&format!(
                "; below its minimum: replenishment of {} raised",
                raised.quantity
            ));
        }
        println!(
            "  {} {who:<5} picked {:>3} x {:<10} at {:<8} -> {} {}{shortage}",
            s.at(),
            done.picked,
            done.sku,
            done.location,
            done.staging,
            done.tote
        );
        count_task = count_task.or(done.count_task_id);
    }
    Ok(count_task)
}

fn counted(location: &str, scan: ScannedGoods, quantity: i64) -> CountedLine {
    CountedLine {
        location: Some(location.into()),
        scan,
        quantity,
        counted_at: None,
    }
}

fn submit(s: &Shift, who: &str, task_id: &str, lines: Vec<CountedLine>) -> Result<(), Error> {
    s.minutes(5);
    let done = counting::submit_count(
        &s.store,
        &SubmitCount {
            op_id: Uuid::now_v7(),
            operator: who.into(),
            task_id: task_id.into(),
            lines,
        },
    )?;
    let variances: Vec<String> = done
        .lines
        .iter()
        .filter_map(|l| {
            l.variance
                .filter(|v| *v != 0)
                .map(|v| format!("{} {v:+}", l.sku))
        })
        .collect();
    println!(
        "  {} {who:<5} counted {task_id} (round {}): {}{}",
        s.at(),
        done.round,
        words::count_outcome(done.outcome),
        if variances.is_empty() {
            String::new()
        } else {
            format!(": {}", variances.join(", "))
        }
    );
    Ok(())
}

pub(super) fn run(s: &Shift) -> Result<(), Error> {
    println!("\n6. A second milk lot, shorter dated, arrives and is put away");
    receiving::open_blind_receipt(
        &s.store,
        &OpenBlindReceipt {
            op_id: Uuid::now_v7(),
            operator: "alice".into(),
            receipt_id: "DN-5530".into(),
            reference: "late delivery".into(),
            supplier: "Nordic Foods".into(),
        },
    )?;
    let older = ScannedGoods::barcode(sample::MILK_CS)
        .with_lot("L2610Z")
        .with_expiry(date(2027, 1, 20));
    s.receive_on("DN-5530", "alice", "DOCK-01", older.clone(), 2, None, None)?;
    s.put_away("alice", "DOCK-01", older, 2, None, None, None)?;

    println!("\n7. Picking three orders (FEFO: the January lot goes first)");
    pick_order(
        s,
        "alice",
        ("T-5001", "ORD-5001", Some("2026-11-27T10:00:00+01:00")),
        vec![
            line(1, sample::MILK, 30, None),
            line(2, sample::COFFEE, 1, Some("CS")),
        ],
        None,
        None,
    )?;
    s.refused(
        "alice creates ORD-5009 for 500 milk",
        picking::create_pick_task(
            &s.store,
            &CreatePickTask {
                op_id: Uuid::now_v7(),
                operator: "alice".into(),
                task: PickTaskRequest {
                    task_id: "T-5009".into(),
                    order_ref: "ORD-5009".into(),
                    staging: "STAGE-01".into(),
                    ship_by: None,
                    lines: vec![line(1, sample::MILK, 500, None)],
                },
            },
        ),
    )?;
    let towels_count = pick_order(
        s,
        "bob",
        ("T-5002", "ORD-5002", Some("2026-11-27T08:30:00+01:00")),
        vec![line(1, sample::TOWELS, 2, Some("CS"))],
        Some(("P-01-01", 40)),
        None,
    )?;
    pick_order(
        s,
        "bob",
        ("T-5003", "ORD-5003", None),
        vec![line(1, sample::DRILL, 1, None)],
        None,
        Some("SN-0001"),
    )?;

    println!("\n8. Cycle counts (blind: the scanner never shows what the system expects)");
    if let Some(task_id) = towels_count {
        counting::start_count(
            &s.store,
            &StartCount {
                op_id: Uuid::now_v7(),
                operator: "alice".into(),
                task_id: task_id.clone(),
            },
        )?;
        let towels = ScannedGoods::barcode(sample::TOWELS_EA);
        submit(
            s,
            "alice",
            &task_id,
            vec![counted("P-01-01", towels.clone(), 24)],
        )?;
        s.refused(
            "alice recounts her own count",
            counting::submit_count(
                &s.store,
                &SubmitCount {
                    op_id: Uuid::now_v7(),
                    operator: "alice".into(),
                    task_id: task_id.clone(),
                    lines: vec![counted("P-01-01", towels.clone(), 24)],
                },
            ),
        )?;
        submit(s, "bob", &task_id, vec![counted("P-01-01", towels, 24)])?;
    }
    let drills = counting::create_count_task(
        &s.store,
        &CreateCountTask {
            op_id: Uuid::now_v7(),
            operator: "sam".into(),
            task: CountTaskRequest {
                task_id: "CC-DRILLS".into(),
                location: Some("A-01-02".into()),
                sku: None,
                reason: "high-value items, weekly".into(),
            },
        },
    )?;
    counting::start_count(
        &s.store,
        &StartCount {
            op_id: Uuid::now_v7(),
            operator: "alice".into(),
            task_id: drills.id.clone(),
        },
    )?;
    submit(s, "alice", &drills.id, vec![])?;
    submit(s, "bob", &drills.id, vec![])?;
    s.minutes(10);
    let approve = |badge_of: &str| ApproveCount {
        op_id: Uuid::now_v7(),
        operator: "bob".into(),
        task_id: drills.id.clone(),
        approval: sample::badge_of(badge_of),
    };
    s.refused(
        "bob approves the variance with his own badge",
        counting::approve_count(&s.store, &approve("bob")),
    )?;
    let approved = counting::approve_count(&s.store, &approve("sam"))?;
    let what: Vec<String> = approved
        .lines
        .iter()
        .filter_map(|l| {
            l.variance
                .filter(|v| *v != 0)
                .map(|v| format!("{} {v:+}", l.sku))
        })
        .collect();
    println!(
        "  {} sam   approved {} with his badge and PIN on bob's handheld: adjusted {}",
        s.at(),
        drills.id,
        what.join(", ")
    );
    let ranking = s.store.read(|c| counting::risk_ranking(c, s.clock.now()))?;
    println!("  where to count next, most at risk first:");
    println!("    {}", words::risk_scale());
    for r in ranking.locations.iter().take(3) {
        println!("    {}", words::risk(r));
    }
    s.clock.advance(Duration::minutes(5));
    Ok(())
}
