//! What a badge + PIN costs: the hub hashing a PIN (Argon2id, 19 MiB, 2 passes) and a handheld
//! checking one at sign-in or approval, against a pick confirm measured in the same run.

use std::time::{Duration, Instant};

use dockhand_core::{Error, Store, StoreOptions, catalog, credentials, sample};

use super::{Figures, micros};

/// Prints hashing and checking a PIN, `samples` times each, with the ratio to `pick` (the median
/// pick confirm on the default encrypted, signed file database).
pub(super) fn measure(samples: usize, pick: Duration) -> Result<(), Error> {
    let store = Store::open_in_memory(StoreOptions::new("bench-signin"))?;
    let mut data = sample::warehouse();
    data.credentials = sample::credentials()?;
    catalog::upsert_master_data(&store, &data)?;
    let (mut hash, mut check) = (Vec::new(), Vec::new());
    for _ in 0..samples {
        let start = Instant::now();
        credentials::hash_pin("sam", "BADGE-0003", "333333")?;
        hash.push(start.elapsed());
        let start = Instant::now();
        credentials::sign_in(&store, "BADGE-0003", "333333")?;
        check.push(start.elapsed());
    }
    println!(
        "\nbadge + PIN ({samples} samples each; pick confirm on the default file database for scale):"
    );
    for (label, figures) in [
        ("hub hashes a PIN", Figures::new(hash)),
        ("handheld checks a PIN (sign-in)", Figures::new(check)),
    ] {
        println!(
            "  {label:<36} median {:>9.1} ms   p90 {:>9.1} ms   {:>7.0}x a pick confirm",
            micros(figures.median()) / 1e3,
            micros(figures.quantile(0.9)) / 1e3,
            micros(figures.median()) / micros(pick).max(1e-9)
        );
    }
    Ok(())
}
