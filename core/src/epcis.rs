//! EPCIS 2.0 export of the device's outbox: [`dockhand_protocol::epcis`] maps the events, this
//! module reads them and the items' GTINs from the device's database.

use rusqlite::{Connection, OptionalExtension};
use serde_json::Value;

use crate::error::Result;
use crate::outbox;
use dockhand_protocol::envelope::Envelope;
use dockhand_protocol::epcis::{self, EpcisSource};

pub use dockhand_protocol::epcis::{Mapping, mapping};

/// The device's database as the export's source.
struct Device<'c>(&'c Connection);

impl EpcisSource for Device<'_> {
    type Error = crate::Error;

    /// The GTIN-14 of the item's base-unit barcode, when it has a numeric GS1 one.
    fn gtin(&mut self, sku: &str) -> Result<Option<String>> {
        crate::catalog::base_gtin(self.0, sku)
    }

    fn event(&mut self, event_id: uuid::Uuid) -> Result<Option<Envelope>> {
        match outbox::event_by_id(self.0, event_id) {
            Ok(found) => Ok(Some(found.envelope)),
            Err(crate::Error::UnknownEvent { .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }
}

/// The EPCIS 2.0 document of outbox events `from_seq..=to_seq`.
pub fn export(conn: &Connection, from_seq: i64, to_seq: i64, created: &str) -> Result<Value> {
    let count = usize::try_from((to_seq - from_seq + 1).max(0)).unwrap_or(0);
    let events: Vec<Envelope> = outbox::events(conn, from_seq, count)?
        .into_iter()
        .map(|e| e.envelope)
        .collect();
    let device: Option<String> = conn
        .query_row("SELECT device_id FROM device", [], |r| r.get(0))
        .optional()?;
    epcis::document(
        &mut Device(conn),
        &events,
        &device.unwrap_or_default(),
        created,
    )
}
