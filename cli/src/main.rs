//! `dockhand`: run a simulated shift, inspect a device database, measure the write path.

mod bench;
mod demo;
mod export;
mod fuzz;
mod gs1;
mod inspect;
mod key;
mod label;
mod report;
mod salvage;
mod soak;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// dockhand: the offline-first warehouse core for handheld scanners.
#[derive(Parser)]
#[command(name = "dockhand", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a simulated shift on the sample warehouse: receiving, putaway, picking, cycle counts,
    /// return inspection and a void, then balances by status, the outbox, KPIs and an integrity
    /// check; then sync with a hub (started in this process, or --hub URL) alongside two more
    /// devices that pull master data, work offline and reconnect, and compare the hub's stock with
    /// the devices'.
    Demo(demo::Args),
    /// Print balances, outbox counts, dockhand's integrity check and SQLite's check of the file.
    /// Exits 1 when either fails, 2 when the database cannot be opened. Reads only: nothing is
    /// written beside the file (a copy on read-only media opens).
    Inspect {
        /// The device database file.
        db: PathBuf,
        #[command(flatten)]
        key: key::KeyArgs,
    },
    /// Encrypt a plain device database, change its key, or (--decrypt) make it plain. The file is
    /// replaced only once the re-encrypted copy is complete and checked.
    Rekey(key::RekeyArgs),
    /// Recover the unsent events of a damaged device database into FILE, as batches for the hub.
    /// Exits 1 when some could not be read, 2 when none could.
    Salvage(salvage::Args),
    /// Write a device's events as an EPCIS 2.0 JSON-LD document to stdout.
    ExportEpcis {
        /// The device database file (opened read-only).
        db: PathBuf,
        #[command(flatten)]
        key: key::KeyArgs,
        /// First outbox seq (default: 1).
        #[arg(long)]
        from: Option<i64>,
        /// Last outbox seq (default: the last event).
        #[arg(long)]
        to: Option<i64>,
    },
    /// Print what scanned barcode data means: one JSON array, an entry per argument with its
    /// readings (GS1 element strings, Digital Link, GTIN, UPC, SSCC), the most likely first.
    /// Exit 0 when every argument has a reading that works, 1 when any has none, 2 on bad usage.
    /// Type `\x1d` for the GS separator and `^` for FNC1; plain digits are never GS1 data.
    Gs1 {
        /// Scanned data as a scanner sends it ("]d2010…", "^010…", "(01)…(17)…", a Digital Link
        /// URI, a bare EAN/UPC or SSCC).
        #[arg(required = true)]
        raw: Vec<String>,
    },
    /// ZPL labels for a Zebra printer: a carton's or pallet's GS1 logistic label, location labels.
    Label(label::Args),
    /// Measure the write path against a bare SQLite commit with the same PRAGMAs.
    Bench(bench::Args),
    /// Fuzz the GS1 parser, scan resolution, every command's input and the hub's HTTP router
    /// with mutated inputs; exit 1 on any finding (a panic, a 500, an internal error, a refused
    /// command that changed the database).
    Fuzz(fuzz::Args),
    /// Run receive / putaway / close commands in a loop, printing each committed operation id
    /// (the crash test kills it at random moments).
    #[command(hide = true)]
    Soak(soak::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Demo(args) => demo::run(args),
        Command::Inspect { db, key } => key.key().and_then(|k| inspect::run(&db, k.as_deref())),
        Command::Rekey(args) => key::rekey(&args),
        Command::Salvage(args) => salvage::run(&args),
        Command::Gs1 { raw } => Ok(gs1::run(&raw)),
        Command::ExportEpcis { db, key, from, to } => key
            .key()
            .and_then(|k| export::run(&db, k.as_deref(), from, to)),
        Command::Label(args) => label::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Soak(args) => soak::run(&args),
        Command::Fuzz(args) => fuzz::run(&args),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("dockhand: {e}");
            if e.to_string().contains("needs its key") {
                eprintln!(
                    "dockhand: give the key with --key-file FILE or the {} environment variable",
                    key::KEY_ENV
                );
            }
            ExitCode::from(2)
        }
    }
}
