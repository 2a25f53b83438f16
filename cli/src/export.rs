//! `dockhand export-epcis DB`: the device's events as an EPCIS 2.0 JSON-LD document on stdout.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use dockhand_core::{Clock, Store, SystemClock, epcis, outbox};

pub fn run(
    path: &Path,
    key: Option<&str>,
    from: Option<i64>,
    to: Option<i64>,
) -> Result<ExitCode, dockhand_core::Error> {
    let store = Store::open_read_only(path, key, Arc::new(SystemClock))?;
    let last = store.read(outbox::counts)?.last_seq;
    let created = dockhand_core::db::utc_text(SystemClock.now());
    let document =
        store.read(|c| epcis::export(c, from.unwrap_or(1), to.unwrap_or(last), &created))?;
    println!(
        "{}",
        serde_json::to_string_pretty(&document).unwrap_or_default()
    );
    Ok(ExitCode::SUCCESS)
}
