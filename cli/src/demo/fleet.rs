//! One warehouse, one stock: after the shift every handheld pulls the site's stock; handheld-08
//! puts towels away, handheld-09 picks them after a sync, and every handheld's view ends equal to
//! the hub's stock.

use std::sync::Arc;

use dockhand_core::picking;
use dockhand_core::putaway;
use dockhand_core::receiving::{self, OpenBlindReceipt};
use dockhand_core::sync::protocol::StockLine;
use dockhand_core::sync::stock_lines;
use dockhand_core::{Error, Store, credentials, sample};
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

/// handheld-08 receives `quantity` towels on a blind receipt and puts them away to P-01-01.
fn put_away(store: &Store, tag: &str, quantity: i64) -> Result<(), Error> {
    let who = operator(store)?;
    let receipt = format!("SHARED{tag}");
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
    let cmd = sample::put_away_from_dock(&who, sample::TOWELS_EA, quantity, "P-01-01", "71");
    putaway::confirm_putaway(store, &cmd)?;
    Ok(())
}

/// handheld-09 picks `quantity` towels for an order; returns where it picked them.
fn pick(store: &Store, tag: &str, quantity: i64) -> Result<Vec<(String, i64)>, Error> {
    let who = operator(store)?;
    let task_id = format!("SO-SHARED{tag}");
    picking::create_pick_task(
        store,
        &sample::pick_task(&who, &task_id, sample::TOWELS, quantity),
    )?;
    let mut picked = Vec::new();
    while let Some(next) = store.read(|c| picking::next_pick(c, &task_id))? {
        let check = store
            .read(|c| dockhand_core::catalog::location_by_code(c, &next.location))?
            .location
            .check_string;
        let tote = Some("TOTE-17");
        let cmd = sample::confirm_in_full(&who, &task_id, &next, &check, sample::TOWELS_EA, tote);
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
    println!("\n17. One warehouse, one stock");
    for d in devices {
        sync(hub, d).await?;
    }
    let (id08, id09) = (h08.0.device_id(), h09.0.device_id());
    let seen_before = towels_at(&h09.0, "P-01-01")?;
    put_away(&h08.0, tag, 24)?;
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
    let picked = pick(&h09.0, tag, 6)?;
    let places: Vec<String> = picked.iter().map(|(l, q)| format!("{q} at {l}")).collect();
    println!(
        "  {id09} picks 6 of them for order SO-SHARED{tag}: {}",
        places.join(", ")
    );
    for d in [h09, h08, shift] {
        sync(hub, d).await?;
    }
    let hub_stock: Vec<StockLine> = hub.stock().await?;
    println!(
        "  after everyone syncs, the hub's stock: {} buckets, {} units",
        hub_stock.len(),
        units(&hub_stock)
    );
    let mut all_equal = true;
    for (store, _) in devices {
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
