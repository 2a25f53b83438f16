//! What encryption at rest and signed events cost a pick confirm: the same command on four device
//! databases in one run — plain SQLite or SQLCipher, each with events signed by Ed25519 or by a
//! signer that does no work (what a pick cost before events were signed) — interleaved in rounds
//! so the machine's slow and fast phases hit every variant alike.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use dockhand_core::identity::EventSigner;
use dockhand_core::{Error, ManualClock, StoreOptions, keys};

use super::{Device, Figures, ROUNDS, micros};

/// Signs nothing: an all-zero signature, for the baseline without Ed25519.
struct NoSignature;

impl EventSigner for NoSignature {
    fn public_key(&self) -> [u8; 32] {
        [0; 32]
    }
    fn sign(&self, _message: &[u8]) -> Result<[u8; 64], String> {
        Ok([0; 64])
    }
}

struct Variant {
    label: &'static str,
    device: Device,
    samples: Vec<Duration>,
}

fn variant(
    label: &'static str,
    path: Option<&Path>,
    encrypted: bool,
    signed: bool,
    picks: usize,
) -> Result<Variant, Error> {
    let clock = Arc::new(ManualClock::at("2026-11-27T08:00:00+01:00"));
    let mut options = StoreOptions::new("bench-device").with_clock(clock);
    if encrypted {
        options = options.with_encryption_key(keys::generate_key());
    }
    if !signed {
        options = options.with_signer(Arc::new(NoSignature));
    }
    Ok(Variant {
        label,
        device: Device::open_with(path.map(Path::to_path_buf), picks, options)?,
        samples: Vec::with_capacity(picks),
    })
}

fn run(variants: &mut [Variant], iterations: usize) -> Result<Vec<Figures>, Error> {
    let per_round = iterations.div_ceil(ROUNDS);
    for _ in 0..ROUNDS {
        for v in variants.iter_mut() {
            for _ in 0..per_round {
                v.samples.push(v.device.pick()?);
            }
        }
    }
    Ok(variants
        .iter_mut()
        .map(|v| Figures::new(std::mem::take(&mut v.samples)))
        .collect())
}

fn print(variants: &[Variant], figures: &[Figures]) {
    let base = figures.first().map(|f| micros(f.median())).unwrap_or(1.0);
    for (v, f) in variants.iter().zip(figures) {
        println!(
            "  {:<36} median {:>9.1} µs   p90 {:>9.1} µs   {:>5.2}x",
            v.label,
            micros(f.median()),
            micros(f.quantile(0.9)),
            micros(f.median()) / base.max(1e-9)
        );
    }
}

/// Prints pick confirm on a file and in memory for each variant, with ratios to the first;
/// returns the median of the default (SQLCipher + Ed25519 on a file).
pub(super) fn measure(dir: &Path, iterations: usize) -> Result<Duration, Error> {
    let picks = iterations + ROUNDS;
    let file = |name: &str| dir.join(format!("storage-{name}.db"));
    let mut on_file = [
        variant(
            "plain SQLite, unsigned (baseline)",
            Some(&file("plain")),
            false,
            false,
            picks,
        )?,
        variant(
            "SQLCipher, unsigned",
            Some(&file("cipher")),
            true,
            false,
            picks,
        )?,
        variant(
            "plain SQLite, Ed25519-signed",
            Some(&file("signed")),
            false,
            true,
            picks,
        )?,
        variant(
            "SQLCipher + Ed25519 (the default)",
            Some(&file("both")),
            true,
            true,
            picks,
        )?,
    ];
    let figures = run(&mut on_file, iterations)?;
    println!("\npick confirm, encryption at rest and signatures (file database, same run):");
    print(&on_file, &figures);
    let default = figures.last().map(Figures::median).unwrap_or_default();
    let mut in_memory = [
        variant("unsigned (baseline)", None, false, false, picks)?,
        variant("Ed25519-signed", None, false, true, picks)?,
    ];
    let figures = run(&mut in_memory, iterations)?;
    println!(
        "pick confirm in memory (the CPU alone; SQLCipher encrypts pages as they reach the file):"
    );
    print(&in_memory, &figures);
    Ok(default)
}
