//! `dockhand soak`: an endless mix of every command kind on one device database (and, with
//! `--hub`, sync running alongside), printing `committed <kind> <op_id>` after each commit. The crash test kills it with SIGKILL at
//! random moments and then checks that every reported command survived with its events.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use dockhand_core::sync::engine::{StaticToken, SyncConfig, SyncEngine};
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
    /// Sync with the hub at URL in the background while the commands run.
    #[arg(long, value_name = "URL", requires = "token_file")]
    hub: Option<String>,
    /// File holding the device token for --hub.
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
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
    let store = Arc::new(Store::open_with(&args.db, options)?);
    Workload::seed_store(&store)?;
    // Sync runs on its own thread while the commands run, as on a handheld.
    let _sync = match (&args.hub, &args.token_file) {
        (Some(hub), Some(file)) => Some(background_sync(&store, hub, file)?),
        _ => None,
    };
    let mut mix = Workload::new(args.seed).every_kind();
    let mut done = 0;
    while args.ops.is_none_or(|ops| done < ops) {
        for (kind, op_id) in mix.step(&store)? {
            report(kind, op_id);
        }
        done += 1;
    }
    Ok(ExitCode::SUCCESS)
}

fn background_sync(
    store: &Arc<Store>,
    hub: &str,
    token_file: &std::path::Path,
) -> Result<(tokio::runtime::Runtime, SyncEngine), Error> {
    let token = crate::key::read_key_file(token_file, "--token-file")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| Error::invalid("soak", format!("runtime: {e}")))?;
    let config = SyncConfig {
        debounce: Duration::from_millis(2),
        period: Duration::from_millis(50),
        ..SyncConfig::new(hub)
    };
    let engine = SyncEngine::new(store.clone(), config, Arc::new(StaticToken::new(token)))
        .map_err(|e| Error::invalid("soak", format!("sync: {e}")))?;
    engine.start(runtime.handle());
    Ok((runtime, engine))
}
