//! dockhand-core: the offline-first warehouse-execution core for handheld scanners.
//!
//! A [`Store`] is one device's SQLite database. Every workflow command (receive a line, confirm a
//! putaway…) runs on the one write path of [`Store::command`]: validate, write the ledger and
//! balances ([`stock`]), update the workflow's records, append events to the [`outbox`], remember
//! the client operation id, commit — all in one transaction, or nothing.

pub use dockhand_protocol as protocol;

pub mod catalog;
pub mod claims;
pub mod clock;
pub mod corrections;
pub mod credentials;
pub mod db;
pub mod epcis;
pub mod error;
pub mod gs1;
pub mod identity;
pub mod integrity;
pub mod keys;
pub mod kpis;
pub mod labels;
pub mod ops;
pub mod outbox;
pub mod profile;
pub mod salvage;
#[cfg(feature = "sample")]
pub mod sample;
pub mod scan;
pub mod schema;
mod snapshot;
pub mod sscc;
pub mod stock;
pub mod sync;
mod text_enum;
mod typed_text;
pub mod workflows;
#[cfg(feature = "sample")]
pub mod workload;

pub use clock::{Clock, ManualClock, SystemClock};
pub use db::{Policy, Store, StoreOptions, WriteTx};
pub use error::{Error, ErrorKind, Result};
pub use integrity::{IntegrityReport, storage_check, verify_integrity};
pub use scan::ScannedGoods;
pub use scan::resolve::{self, ResolvedScan, resolve_scan};
pub use stock::StockStatus;
// The workflows live in `workflows/`; their modules are also at the crate root so the paths apps
// and tests use stay short (`dockhand_core::receiving`).
pub use workflows::{
    counting, moves, packing, picking, putaway, quality, receiving, replenishment, returns,
    shipping,
};
