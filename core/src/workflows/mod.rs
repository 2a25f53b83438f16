//! The warehouse workflows, one directory each: its commands (what a handheld asks for, validated
//! and run on the one write path of [`crate::Store::command`]), its records (the tables it alone
//! writes) and the typed events it appends (bodies from `dockhand_protocol::events`). A workflow
//! moves stock only through [`crate::stock`], and undoes its own records when a void asks
//! ([`crate::corrections`]). docs/workflows.md lists every place a new workflow touches.

pub mod counting;
pub mod moves;
pub mod packing;
pub mod picking;
pub mod putaway;
pub mod quality;
pub mod receiving;
pub mod replenishment;
pub mod returns;
pub mod shipping;
