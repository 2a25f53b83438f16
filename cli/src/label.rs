//! `dockhand label`: ZPL for a Zebra printer. `sscc SPEC.json` writes the GS1 logistic label of a
//! carton or pallet; `location CODE...` writes location labels from a device database (or, without
//! `--db`, from the sample warehouse the demo uses). ZPL goes to stdout or `--out`, ready for
//! `nc printer 9100`; `--json` prints each label with the barcodes a scanner must read from it;
//! `--png DIR` draws each label as a PNG preview.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args as ClapArgs, Subcommand};
use dockhand_core::labels::{self, Label, SsccLabel};
use dockhand_core::protocol::master::Location;
use dockhand_core::{Error, Store, SystemClock, catalog, sample};

use crate::key::KeyArgs;

/// `dockhand label`.
#[derive(ClapArgs)]
pub struct Args {
    #[command(subcommand)]
    what: What,
    /// Write here instead of stdout.
    #[arg(long, global = true, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Print JSON (one array of labels: zpl, barcodes, width, height) instead of bare ZPL.
    #[arg(long, global = true)]
    json: bool,
    /// Also draw each label into this folder as a PNG preview (label-1.png, label-2.png, … in
    /// the order printed).
    #[arg(long, global = true, value_name = "DIR")]
    png: Option<PathBuf>,
}

#[derive(Subcommand)]
enum What {
    /// The GS1 logistic label of a carton or pallet, from a JSON file (sscc, company_prefix_length,
    /// ship_from, ship_to, order_ref, contents: [{gtin, description, quantity, lot,
    /// best_before}], cartons); `-` reads stdin.
    Sscc {
        /// The label's JSON.
        spec: PathBuf,
    },
    /// Location labels: the code and its barcode, the check string and its barcode.
    Location {
        /// Location codes (none: every location).
        codes: Vec<String>,
        /// The device database to take them from (default: the sample warehouse).
        #[arg(long)]
        db: Option<PathBuf>,
        #[command(flatten)]
        key: KeyArgs,
    },
}

/// Runs `dockhand label`.
pub fn run(args: &Args) -> Result<ExitCode, Error> {
    let made = match &args.what {
        What::Sscc { spec } => vec![labels::sscc_label(&read_spec(spec)?)?],
        What::Location { codes, db, key } => locations(codes, db.as_deref(), key)?
            .iter()
            .map(labels::location_label)
            .collect::<Result<Vec<_>, _>>()?,
    };
    if let Some(dir) = &args.png {
        for (i, label) in made.iter().enumerate() {
            write_picture(&dir.join(format!("label-{}.png", i + 1)), label)?;
        }
    }
    let text = if args.json {
        serde_json::to_string_pretty(&made)? + "\n"
    } else {
        made.iter().map(|l: &Label| l.zpl.as_str()).collect()
    };
    match &args.out {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| Error::invalid("out", format!("cannot write {}: {e}", path.display())))?,
        // Written, not printed: a closed pipe (`| head`) is an error to report, not a panic.
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| Error::invalid("out", format!("cannot write to stdout: {e}")))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Draws `label` into a PNG at `path`, making its folder.
pub fn write_picture(path: &Path, label: &Label) -> Result<(), Error> {
    let png = labels::png(label)?;
    path.parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(path, png))
        .map_err(|e| Error::invalid("png", format!("cannot write {}: {e}", path.display())))
}

fn read_spec(path: &Path) -> Result<SsccLabel, Error> {
    let text = if path == Path::new("-") {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(path)
    }
    .map_err(|e| Error::invalid("spec", format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| {
        Error::invalid(
            "spec",
            format!("{} is not a label's JSON: {e}", path.display()),
        )
    })
}

fn locations(codes: &[String], db: Option<&Path>, key: &KeyArgs) -> Result<Vec<Location>, Error> {
    let Some(db) = db else {
        let all = sample::warehouse().locations;
        if codes.is_empty() {
            return Ok(all);
        }
        return codes
            .iter()
            .map(|code| {
                all.iter()
                    .find(|l| l.code == code.trim())
                    .cloned()
                    .ok_or_else(|| Error::UnknownLocation { code: code.clone() })
            })
            .collect();
    };
    let store = Store::open_read_only(db, key.key()?.as_deref(), Arc::new(SystemClock))?;
    store.read(|conn| {
        if codes.is_empty() {
            let mut all: Vec<Location> = Vec::new();
            loop {
                let after = all.last().map(|l| l.code.clone()).unwrap_or_default();
                let page = catalog::locations_page(conn, &after, 500)?;
                if page.is_empty() {
                    return Ok(all);
                }
                all.extend(page);
            }
        }
        codes
            .iter()
            .map(|code| catalog::location_by_code(conn, code.trim()).map(|r| r.location))
            .collect()
    })
}
