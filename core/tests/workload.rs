//! The every-kind workload (the load of the kill test and the reliability runs) really runs every
//! command kind, and leaves books that balance.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use dockhand_core::workload::Workload;
use dockhand_core::{Store, StoreOptions};

#[test]
fn the_every_kind_mix_records_each_command_kind_and_the_books_balance() {
    let store = Store::open_in_memory(StoreOptions::new("HH-MIX")).unwrap();
    Workload::seed_store(&store).unwrap();
    // The serials a hub hands out, so the mix packs and ships.
    dockhand_core::sscc::add_block(
        &store,
        &dockhand_core::protocol::sscc::SsccBlock {
            company_prefix: "4012345".into(),
            extension: 3,
            first: 1,
            last: 10_000,
        },
    )
    .unwrap();
    let mut mix = Workload::new(11).every_kind();
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for _ in 0..1_500 {
        for (kind, _) in mix.step(&store).unwrap() {
            *kinds.entry(kind).or_default() += 1;
        }
    }
    for kind in [
        "open",
        "receive",
        "putaway",
        "move",
        "close",
        "pick_task",
        "pick",
        "count_task",
        "count_start",
        "count",
        "return",
        "inspect",
        "release",
        "void",
        "build",
        "pack",
        "load",
        "ship",
    ] {
        assert!(
            kinds.get(kind).copied().unwrap_or(0) > 0,
            "no {kind} in {kinds:?}"
        );
    }
    let report = store.verify_integrity().unwrap();
    assert!(report.is_ok(), "{report:?}");
}
