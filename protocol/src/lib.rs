//! dockhand-protocol: what a device and the hub agree on, and nothing else.
//!
//! - [`envelope`]: the event envelope, its canonical JSON and hash chain, and signatures;
//! - [`events`]: one typed enum of every event a device records, a payload struct per variant;
//! - [`sync`]: the request and answer bodies of docs/sync-api.yaml;
//! - [`master`]: master data and tasks as they travel from the hub to devices;
//! - [`credential`]: badge PIN hashes (made by the hub, checked on devices);
//! - [`tasks`]: who works which pick or count task (claims and assignments);
//! - [`exceptions`]: what the hub raises for a person to settle;
//! - [`measures`]: KPIs and the count risk ranking, computed alike on devices and the hub;
//! - [`epcis`]: the EPCIS 2.0 mapping of events, for a device's export and the hub's;
//! - [`gs1`]: GS1 check digits and GTINs;
//! - [`sscc`]: the blocks of SSCC serial references the hub hands each device.
//!
//! The crate has no storage and no runtime: the device core (SQLite) and the hub (SQLite or
//! PostgreSQL, axum) both build on it, and a change here is a change of the contract.

pub mod credential;
pub mod envelope;
pub mod epcis;
pub mod error;
pub mod events;
pub mod exceptions;
pub mod gs1;
pub mod master;
pub mod measures;
pub mod sscc;
pub mod sync;
pub mod tasks;
#[doc(hidden)]
pub mod text_enum;

pub use envelope::Envelope;
pub use error::ProtocolError;
pub use events::EventMovement;
pub use events::{EventBody, EventKind};
pub use text_enum::TextEnum;
