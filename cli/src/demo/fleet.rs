//! One warehouse, one stock: after the shift every handheld pulls the site's stock; handheld-08
//! puts towels away, handheld-09 claims the hub's order for them (handheld-08 is told who holds
//! it) and picks them after a sync; handheld-08 then fills a shelf offline
//! and the shift's handheld counts it, and the hub reconciles the count so that no adjustment
//! stands once both have synced; every handheld's view ends equal to the hub's stock.

use std::sync::Arc;

use dockhand_core::claims::{self, TaskKind};
use dockhand_core::counting::{self, CountedLine, CreateCountTask, StartCount, SubmitCount};
use dockhand_core::picking;
use dockhand_core::protocol::events::CountOutcome;
use dockhand_core::protocol::master::CountTaskRequest;
use dockhand_core::putaway;
use dockhand_core::receiving::{self, OpenBlindReceipt};
use dockhand_core::sync::engine::SyncError;
use dockhand_core::sync::protocol::StockLine;
use dockhand_core::sync::stock_lines;
use dockhand_core::{Error, Store, StoreOptions, credentials, sample};
use uuid::Uuid;

use super::sync::{DemoHub, engine, failed, units};

/// A handheld of the demo and its token.
pub(crate) type Handheld = (Arc<Store>, String);

async fn sync(hub: &DemoHub, (store, token): &Handheld) -> Result<usize, Error> {
    let report = engine(store, hub, token.clone())?
        .sync_now()
        .await
        .map_err(|e| failed(store.device_id(), e))?;
    Ok(report.stock_pulled)
}

fn towels_at(store: &Store, location: &str) -> Result<i64, Error> {
    Ok(stock_lines(store)?
        .iter()
        .filter(|l| l.location == location && l.sku == sample::TOWELS && l.status == "available")
        .map(|l| l.quantity)
        .sum())
}

fn operator(store: &Store) -> Result<String, Error> {
    Ok(credentials::signed_in(store)?
        .map(|o| o.id)
        .unwrap_or_else(|| "alice".into()))
}

/// handheld-08 receives `quantity` towels on blind receipt `receipt` and puts them away to
/// `to` (whose check string is `check`).
fn put_away(
    store: &Store,
    receipt: &str,
    quantity: i64,
    (to, check): (&str, &str),
) -> Result<(), Error> {
    let who = operator(store)?;
    let receipt = receipt.to_string();
    receiving::open_blind_receipt(
        store,
        &OpenBlindReceipt {
            op_id: Uuid::now_v7(),
            operator: who.clone(),
            receipt_id: receipt.clone(),
            reference: "late truck".into(),
            supplier: "Nordic Paper".into(),
        },
    )?;
    receiving::receive_line(
        store,
        &sample::receive_at_dock(&who, &receipt, sample::TOWELS_EA, quantity),
    )?;
    let cmd = sample::put_away_from_dock(&who, sample::TOWELS_EA, quantity, to, check);
    putaway::confirm_putaway(store, &cmd)?;
    Ok(())
}

/// bob counts `location` on the shift's handheld and finds `found` towels; a difference is
/// counted again by alice, as the count policy asks. Returns the outcome that stands and who
/// counted.
fn count(
    store: &Store,
    task_id: &str,
    location: &str,
    found: i64,
) -> Result<(CountOutcome, Vec<&'static str>), Error> {
    let sign_in = |who: &str| {
        let badge = sample::badge_of(who);
        credentials::sign_in(store, &badge.badge, &badge.pin)
    };
    sign_in("bob")?;
    counting::create_count_task(
        store,
        &CreateCountTask {
            op_id: Uuid::now_v7(),
            operator: "bob".into(),
            task: CountTaskRequest {
                task_id: task_id.into(),
                location: Some(location.into()),
                sku: None,
                reason: "towels seen where the system has none".into(),
            },
        },
    )?;
    counting::start_count(
        store,
        &StartCount {
            op_id: Uuid::now_v7(),
            operator: "bob".into(),
            task_id: task_id.into(),
        },
    )?;
    let mut outcome = CountOutcome::RecountRequired;
    let mut counters = Vec::new();
    for counter in ["bob", "alice"] {
        if outcome != CountOutcome::RecountRequired {
            break;
        }
        counters.push(counter);
        sign_in(counter)?;
        let round = SubmitCount {
            op_id: Uuid::now_v7(),
            operator: counter.into(),
            task_id: task_id.into(),
            lines: vec![CountedLine {
                location: None,
                scan: dockhand_core::ScannedGoods::barcode(sample::TOWELS_EA),
                quantity: found,
                counted_at: None,
            }],
        };
        outcome = counting::submit_count(store, &round)?.outcome;
    }
    Ok((outcome, counters))
}

/// The towels a count adjusted at the shift's handheld, by its task.
fn adjusted(store: &Store, task_id: &str) -> Result<i64, Error> {
    store.read(|c| {
        c.query_row(
            "SELECT COALESCE(SUM(counted - expected), 0) FROM count_results
             WHERE task_id = ?1 AND adjusted = 1",
            [task_id],
            |r| r.get::<_, i64>(0),
        )
        .map_err(Error::from)
    })
}

/// The hub publishes an order for `quantity` towels; handheld-09 claims it, and handheld-08,
/// asking for it too, is told who holds it. Returns the task's id.
async fn claim_order(
    hub: &DemoHub,
    (h08, h09): (&Handheld, &Handheld),
    tag: &str,
    quantity: i64,
) -> Result<String, Error> {
    let task_id = format!("SHARED{tag}");
    let who = operator(&h09.0)?;
    let order = sample::pick_task(&who, &task_id, sample::TOWELS, quantity).task;
    let order_ref = order.order_ref.clone();
    hub.publish_order(order).await?;
    sync(hub, h08).await?;
    sync(hub, h09).await?;
    let (id08, id09) = (h08.0.device_id(), h09.0.device_id());
    let claim = engine(&h09.0, hub, h09.1.clone())?
        .claim_task(TaskKind::Pick, &task_id, Some(who))
        .await
        .map_err(|e| failed(id09, e))?;
    println!(
        "  the hub publishes order {order_ref} for {quantity} x {}; {id09} claims it for {}",
        sample::TOWELS,
        claim.holder().unwrap_or_default()
    );
    let refused = match engine(&h08.0, hub, h08.1.clone())?
        .claim_task(TaskKind::Pick, &task_id, None)
        .await
    {
        Err(SyncError::Hub { message, .. }) => message,
        Err(e) => return Err(failed(id08, e)),
        Ok(_) => return Err(failed(id08, "claimed an order another handheld holds")),
    };
    sync(hub, h08).await?;
    let listed = h08
        .0
        .read(|c| claims::task_board(c, id08))?
        .into_iter()
        .find(|e| e.task_id == task_id)
        .and_then(|e| e.holder)
        .map_or("nobody".into(), |holder| format!("claimed by {holder}"));
    println!("  {id08} asks for it too and is told: {refused}; its task list shows it {listed}");
    Ok(task_id)
}

/// handheld-09 picks the order it claimed; returns where it picked.
fn pick(store: &Store, task_id: &str) -> Result<Vec<(String, i64)>, Error> {
    let who = operator(store)?;
    picking::start_pick_task(
        store,
        &picking::StartPickTask {
            op_id: Uuid::now_v7(),
            operator: who.clone(),
            task_id: task_id.into(),
        },
    )?;
    let mut picked = Vec::new();
    while let Some(next) = store.read(|c| picking::next_pick(c, task_id))? {
        let check = store
            .read(|c| dockhand_core::catalog::location_by_code(c, &next.location))?
            .location
            .check_string;
        let tote = format!("TOTE-{task_id}");
        let cmd =
            sample::confirm_in_full(&who, task_id, &next, &check, sample::TOWELS_EA, Some(&tote));
        picking::confirm_pick(store, &cmd)?;
        picked.push((next.location, next.quantity));
    }
    Ok(picked)
}

/// Step 17; `devices` are the shift's handheld, handheld-08 and handheld-09. Returns whether
/// every view ended equal to the hub's stock.
pub(crate) async fn run(hub: &DemoHub, devices: &[Handheld], tag: &str) -> Result<bool, Error> {
    let [shift, h08, h09] = devices else {
        return Err(failed("shared stock", "three handhelds expected"));
    };
    println!("\n19. One warehouse, one stock");
    for d in devices {
        sync(hub, d).await?;
    }
    let (id08, id09) = (h08.0.device_id(), h09.0.device_id());
    let seen_before = towels_at(&h09.0, "P-01-01")?;
    put_away(&h08.0, &format!("SHARED{tag}"), 24, ("P-01-01", "71"))?;
    println!(
        "  {id08} receives 24 x {} from a late truck and puts them away to P-01-01; {id09} still sees {seen_before} there",
        sample::TOWELS
    );
    sync(hub, h08).await?;
    let pulled = sync(hub, h09).await?;
    println!(
        "  after {id08}'s sync, {id09} syncs: {pulled} buckets changed, and it sees {} x {} at P-01-01",
        towels_at(&h09.0, "P-01-01")?,
        sample::TOWELS
    );
    let task_id = claim_order(hub, (h08, h09), tag, 6).await?;
    let picked = pick(&h09.0, &task_id)?;
    let places: Vec<String> = picked.iter().map(|(l, q)| format!("{q} at {l}")).collect();
    println!(
        "  {id09} picks 6 of them for order SO-{task_id}: {}",
        places.join(", ")
    );
    for d in [h09, h08, shift] {
        sync(hub, d).await?;
    }
    let h10 = offline_count(hub, devices, tag).await?;
    let devices: Vec<Handheld> = devices.iter().cloned().chain([h10]).collect();
    for _ in 0..2 {
        for d in &devices {
            sync(hub, d).await?;
        }
    }
    let hub_stock: Vec<StockLine> = hub.stock().await?;
    let held = hub.held_counts().await?.len();
    println!(
        "  after everyone syncs, the hub's stock: {} buckets, {} units; {}",
        hub_stock.len(),
        units(&hub_stock),
        if held == 0 {
            "no count line held back from the ERP (the count of A-01-04 netted to 0: the ERP gets no adjustment)".to_string()
        } else {
            format!(
                "{} still held back from the ERP",
                super::words::many(held as i64, "count line")
            )
        }
    );
    let mut all_equal = true;
    for (store, _) in &devices {
        let view = stock_lines(store)?;
        let equal = view == hub_stock;
        all_equal &= equal;
        println!(
            "    {} sees {} buckets, {} units: {}",
            store.device_id(),
            view.len(),
            units(&view),
            if equal {
                "the hub's stock"
            } else {
                "DIFFERENT from the hub's stock"
            }
        );
    }
    Ok(all_equal)
}

/// handheld-08 fills A-01-04 and stays offline; a third handheld, handheld-10, counts the shelf
/// it sees empty and adjusts; once 08 syncs, the hub takes that adjustment back, and the ERP gets
/// nothing. Returns handheld-10.
async fn offline_count(hub: &DemoHub, devices: &[Handheld], tag: &str) -> Result<Handheld, Error> {
    let [_, h08, _] = devices else {
        return Err(failed("shared stock", "three handhelds expected"));
    };
    let store = Arc::new(Store::open_in_memory(StoreOptions::new(format!(
        "handheld-10{tag}"
    )))?);
    let token = hub.register(&store).await?;
    let shift: Handheld = (store, token);
    sync(hub, &shift).await?;
    let (id08, id07) = (h08.0.device_id(), shift.0.device_id());
    put_away(&h08.0, &format!("AISLE40{tag}"), 12, ("A-01-04", "44"))?;
    println!(
        "  {id08} receives 12 more x {} and puts them away to A-01-04, in aisle 40 without Wi-Fi: it stays offline",
        sample::TOWELS
    );
    // The count comes after the putaway, on every clock.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let task = format!("CC-AISLE40{tag}");
    // What is on the shelf: what the hub had there before (a running hub may have some from an
    // earlier run) and 08's 12.
    let seen = towels_at(&shift.0, "A-01-04")?;
    let found = seen + 12;
    let (outcome, counters) = count(&shift.0, &task, "A-01-04", found)?;
    println!(
        "  {id07} joins the shift, pulls the site's stock and counts A-01-04, where its view has {seen}: {} find {found}; {} ({:+} towels on the handheld)",
        counters.join(" and then "),
        super::words::count_outcome(outcome),
        adjusted(&shift.0, &task)?
    );
    sync(hub, &shift).await?;
    let held = hub.held_counts().await?;
    println!(
        "  {id07} syncs: the hub has not seen 08's towels either and keeps the count's adjustment, but holds the count back from the ERP until every handheld has synced past it ({} held)",
        super::words::many(held.len() as i64, "count line")
    );
    sync(hub, h08).await?;
    let booked: Vec<String> = hub
        .reconciled()
        .await?
        .into_iter()
        .filter(|c| c.movement.location == "A-01-04")
        .map(|c| format!("{:+}", c.movement.delta))
        .collect();
    println!(
        "  {id08} comes back and syncs its putaway, made before the count: the count had seen those 12, so the hub books {} against it, and the count nets to 0",
        booked.join(" and "),
    );
    Ok(shift)
}
