//! The statement profile `dockhand bench` prints for a pick: what it counts, and that it stops
//! counting when the profiled work ends, whether that work succeeded or failed.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use dockhand_core::profile::{self, StatementCost};
use dockhand_core::{Error, receiving, sample};

fn named<'a>(costs: &'a [StatementCost], prefix: &str) -> &'a StatementCost {
    costs
        .iter()
        .find(|c| c.sql.trim_start().starts_with(prefix))
        .unwrap_or_else(|| panic!("no statement starting {prefix:?} in {costs:#?}"))
}

#[test]
fn a_profiled_command_lists_each_statement_with_its_runs_steps_and_time() {
    let f = seeded();
    let (received, costs) = profile::statements(&f.store, || {
        let a = receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_EA), 2))?;
        let b = receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_EA), 3))?;
        Ok(a.base_quantity + b.base_quantity)
    })
    .unwrap();
    assert_eq!(received, 5);
    // Two receives: each appends one event and commits once.
    let outbox = named(&costs, "INSERT INTO outbox");
    assert_eq!(outbox.runs, 2);
    assert!(outbox.vm_steps > 0, "{outbox:?}");
    assert!(outbox.elapsed > std::time::Duration::ZERO, "{outbox:?}");
    assert_eq!(named(&costs, "COMMIT").runs, 2);
    assert_eq!(named(&costs, "BEGIN IMMEDIATE").runs, 2);
    // One entry per statement text, costliest first.
    let mut texts: Vec<&str> = costs.iter().map(|c| c.sql.as_str()).collect();
    texts.sort();
    texts.dedup();
    assert_eq!(texts.len(), costs.len());
    assert!(costs.windows(2).all(|w| w[0].elapsed >= w[1].elapsed));
    // Triggers' programs are part of the statement that fired them, not statements of their own.
    assert!(costs.iter().all(|c| !c.sql.starts_with("--")), "{costs:#?}");
}

#[test]
fn the_profile_ends_with_the_work_even_when_the_work_fails() {
    let f = seeded();
    let failed = profile::statements(&f.store, || {
        receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_EA), 0))
    });
    assert!(
        matches!(failed, Err(Error::InvalidQuantity { quantity: 0 })),
        "{failed:?}"
    );
    // The store profiles again afterwards, each profile counting only its own work.
    receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_EA), 1)).unwrap();
    let ((), costs) = profile::statements(&f.store, || Ok(())).unwrap();
    assert_eq!(costs, Vec::new());
    // And a receive profiled again counts only its own statements.
    let (_, costs) = profile::statements(&f.store, || {
        receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_EA), 1))
    })
    .unwrap();
    assert_eq!(named(&costs, "INSERT INTO outbox").runs, 1);
}

#[test]
fn work_that_closes_the_store_is_profiled_up_to_the_close() {
    let f = seeded();
    let (received, costs) = profile::statements(&f.store, || {
        let r = receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_EA), 2))?;
        f.store.close()?;
        Ok(r.base_quantity)
    })
    .unwrap();
    assert_eq!(received, 2);
    assert_eq!(named(&costs, "INSERT INTO outbox").runs, 1);
    // The tracer went with the connection; the store stays closed.
    let closed = profile::statements(&f.store, || Ok(()));
    assert!(matches!(closed, Err(Error::Closed)), "{closed:?}");
}
