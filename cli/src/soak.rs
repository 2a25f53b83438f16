//! `dockhand soak`: an endless mix of receive, putaway and close commands on one device database,
//! printing `committed <kind> <op_id>` after each commit. The crash test kills it with SIGKILL at
//! random moments and then checks that every reported command survived with its events.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use dockhand_core::workload::Workload;
use dockhand_core::{Error, Store, StoreOptions};
use uuid::Uuid;

/// The device id every soak database uses.
pub const DEVICE: &str = "soak-device";

#[derive(clap::Args)]
pub struct Args {
    /// Device database (created and seeded when new).
    #[arg(long)]
    db: PathBuf,
    /// Stop after this many commands (default: run until killed).
    #[arg(long)]
    ops: Option<u64>,
    /// Seed of the command mix.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[command(flatten)]
    key: crate::key::KeyArgs,
}

fn report(kind: &str, op_id: Uuid) {
    let mut out = std::io::stdout().lock();
    // If the parent is gone there is nobody to tell; keep going until killed.
    let _ = writeln!(out, "committed {kind} {op_id}");
    let _ = out.flush();
}

pub fn run(args: &Args) -> Result<ExitCode, Error> {
    let mut options = StoreOptions::new(DEVICE);
    options.encryption_key = args.key.key()?;
    let store = Store::open_with(&args.db, options)?;
    Workload::seed_store(&store)?;
    let mut mix = Workload::new(args.seed);
    let mut done = 0;
    while args.ops.is_none_or(|ops| done < ops) {
        for (kind, op_id) in mix.step(&store)? {
            report(kind, op_id);
        }
        done += 1;
    }
    Ok(ExitCode::SUCCESS)
}
