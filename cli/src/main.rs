//! `dockhand`: run a simulated shift, inspect a device database, measure the write path.

mod bench;
mod demo;
mod export;
mod gs1;
mod inspect;
mod report;
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
    /// Print balances, outbox counts and the integrity check of a device database.
    /// Exits 1 when integrity fails, 2 when the database cannot be opened.
    Inspect {
        /// The device database file.
        db: PathBuf,
    },
    /// Write a device's events as an EPCIS 2.0 JSON-LD document to stdout.
    ExportEpcis {
        /// The device database file (opened read-only).
        db: PathBuf,
        /// First outbox seq (default: 1).
        #[arg(long)]
        from: Option<i64>,
        /// Last outbox seq (default: the last event).
        #[arg(long)]
        to: Option<i64>,
    },
    /// Print what GS1 barcode data means, as JSON (exit 1 when any argument does not parse).
    /// Type `\x1d` for the GS separator and `^` for FNC1.
    Gs1 {
        /// Scanned data: element strings, bracketed "(01)…(17)…", or Digital Link URIs.
        #[arg(required = true)]
        raw: Vec<String>,
    },
    /// Measure the write path against a bare SQLite commit with the same PRAGMAs.
    Bench(bench::Args),
    /// Run receive / putaway / close commands in a loop, printing each committed operation id
    /// (the crash test kills it at random moments).
    #[command(hide = true)]
    Soak(soak::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Demo(args) => demo::run(args),
        Command::Inspect { db } => inspect::run(&db),
        Command::Gs1 { raw } => Ok(gs1::run(&raw)),
        Command::ExportEpcis { db, from, to } => export::run(&db, from, to),
        Command::Bench(args) => bench::run(&args),
        Command::Soak(args) => soak::run(&args),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("dockhand: {e}");
            ExitCode::from(2)
        }
    }
}
