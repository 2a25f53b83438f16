//! `dockhand salvage DB --out FILE`: the unsent events of a damaged device database, as batches
//! the hub's `POST /v1/events` takes with the device's token.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use dockhand_core::Error;
use dockhand_core::salvage::{Salvaged, salvage};
use dockhand_core::sync::protocol::EventBatch;

use crate::key::KeyArgs;

/// Events per line of the output: one request each, far below the hub's body cap.
const EVENTS_PER_BATCH: usize = 100;

/// `dockhand salvage`'s arguments.
#[derive(clap::Args)]
pub struct Args {
    /// The damaged device database (read only; nothing is written beside it).
    db: PathBuf,
    #[command(flatten)]
    key: KeyArgs,
    /// Where to write the events: one JSON batch per line (must not exist yet).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

/// Exit 0 when every unsent event was recovered, 1 when some could not be, 2 when none could.
pub fn run(args: &Args) -> Result<ExitCode, Error> {
    let key = args.key.key()?;
    let salvaged = salvage(&args.db, key.as_deref())?;
    let device_id = salvaged
        .device_id
        .clone()
        .unwrap_or_else(|| "(unknown device)".into());
    write_batches(args, &device_id, &salvaged)?;
    let (first, last) = (
        salvaged.events.first().map(|e| e.seq),
        salvaged.events.last().map(|e| e.seq),
    );
    println!(
        "device {device_id}: {} unsent events recovered{} (pending from seq {}); {} already \
         answered by the hub",
        salvaged.events.len(),
        match (first, last) {
            (Some(f), Some(l)) => format!(", seq {f}–{l}, each hash verified"),
            _ => String::new(),
        },
        salvaged.first_pending,
        salvaged.already_answered
    );
    for (from, to) in &salvaged.lost {
        if from == to {
            println!("lost: seq {from} (unreadable or damaged)");
        } else {
            println!("lost: seq {from}–{to} (unreadable or damaged)");
        }
    }
    if let Some(from) = salvaged.unreadable_from {
        println!("lost: anything from seq {from} on (the end of the outbox cannot be read)");
    }
    println!(
        "written to {}: send each line with the device's token, e.g.\n  while read -r batch; do \
         curl -fsS -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' \
         --data \"$batch\" https://HUB/v1/events; done < {}",
        args.out.display(),
        args.out.display()
    );
    let complete = salvaged.lost.is_empty() && salvaged.unreadable_from.is_none();
    Ok(if complete {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn write_batches(args: &Args, device_id: &str, salvaged: &Salvaged) -> Result<(), Error> {
    let failed = |e: std::io::Error| {
        Error::invalid(
            "--out",
            format!("could not write {}: {e}", args.out.display()),
        )
    };
    // The events are the device's work in clear text: readable by their owner only.
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut out = options.open(&args.out).map_err(failed)?;
    for events in salvaged.events.chunks(EVENTS_PER_BATCH) {
        let batch = EventBatch {
            device_id: device_id.to_string(),
            events: events.to_vec(),
        };
        serde_json::to_writer(&mut out, &batch)?;
        out.write_all(b"\n").map_err(failed)?;
    }
    out.sync_all().map_err(failed)
}
