//! Parse + resolve of typical scans against a large catalog: a GS1 DataMatrix with GTIN, lot and
//! expiry, a pallet SSCC, a location label, and a retail EAN-13 as an EAN/UPC scanner sends it.

use std::path::Path;
use std::time::{Duration, Instant};

use dockhand_core::catalog::{self, AbcClass, Barcode, Item, MasterData, Tracking};
use dockhand_core::{Error, Store, gs1, resolve_scan, sample};

use super::Figures;

fn code13(i: usize) -> String {
    let body = format!("20{i:010}");
    format!("{body}{}", gs1::check_digit(&body).unwrap_or(0))
}

fn page(offset: usize, n: usize) -> MasterData {
    let items = (offset..offset + n)
        .map(|i| Item {
            sku: format!("SKU-{i:07}"),
            description: format!("item {i}"),
            base_unit: "EA".into(),
            tracking: Tracking::LotExpiry,
            min_shelf_life_days: 0,
            inspection_required: false,
            abc_class: AbcClass::C,
            unit_value_cents: 100,
            putaway_zone: None,
        })
        .collect();
    let units = (offset..offset + n)
        .map(|i| catalog::UnitConversion {
            sku: format!("SKU-{i:07}"),
            unit: "CS".into(),
            factor: 12,
        })
        .collect();
    let barcodes = (offset..offset + n)
        .flat_map(|i| {
            let ea = code13(i);
            let case_body = format!("1{}", &ea[..12]);
            let case = format!("{case_body}{}", gs1::check_digit(&case_body).unwrap_or(0));
            [
                Barcode {
                    code: ea,
                    sku: format!("SKU-{i:07}"),
                    unit: "EA".into(),
                    quantity: 1,
                },
                Barcode {
                    code: case,
                    sku: format!("SKU-{i:07}"),
                    unit: "CS".into(),
                    quantity: 1,
                },
            ]
        })
        .collect();
    MasterData {
        items,
        units,
        barcodes,
        ..MasterData::default()
    }
}

/// A device database of the sample warehouse and `items` items with two barcodes each, and how
/// long loading them took (s).
pub(super) fn load(dir: &Path, items: usize) -> Result<(Store, f64), Error> {
    let started = Instant::now();
    let store = Store::open(dir.join("scan-catalog.db"), "bench-scans")?;
    catalog::upsert_master_data(&store, &sample::warehouse())?;
    const PAGE: usize = 25_000;
    for offset in (0..items).step_by(PAGE) {
        catalog::upsert_master_data(&store, &page(offset, PAGE.min(items - offset)))?;
    }
    Ok((store, started.elapsed().as_secs_f64()))
}

/// The scans of one kind: every one's time, and how many waited for a page the system read back
/// from disk (a major fault: the database is mapped, and the OS pages out what it has not touched
/// for a while).
pub(super) struct Scans {
    /// Every scan.
    pub(super) all: Figures,
    /// The scans during which no page was read from disk.
    pub(super) in_memory: Figures,
    /// How many scans read a page from disk (`None`: not known on this system).
    pub(super) from_disk: Option<usize>,
}

impl Scans {
    fn new(samples: Vec<(Duration, Option<bool>)>) -> Self {
        let known = samples.iter().all(|(_, paged)| paged.is_some());
        let from_disk = known.then(|| samples.iter().filter(|(_, p)| *p == Some(true)).count());
        let in_memory = samples
            .iter()
            .filter(|(_, paged)| *paged != Some(true))
            .map(|(d, _)| *d)
            .collect();
        Self {
            all: Figures::new(samples.into_iter().map(|(d, _)| d).collect()),
            in_memory: Figures::new(in_memory),
            from_disk,
        }
    }
}

/// Times `scan`, and tells whether it read a page from disk (`None`: unknown).
fn timed<T>(scan: impl FnOnce() -> T) -> (T, Duration, Option<bool>) {
    let faults = super::summary::major_faults();
    let start = Instant::now();
    let value = scan();
    let elapsed = start.elapsed();
    let paged = faults
        .zip(super::summary::major_faults())
        .map(|(before, after)| after > before);
    (value, elapsed, paged)
}

/// Medians and p99s of the four scan kinds over `samples` random scans each on `store` (made by
/// [`load`] with `items` items), and of the same DataMatrix without the syntax dictionary's
/// linters (their cost, interleaved in the same run): DataMatrix, SSCC, location, EAN-13,
/// DataMatrix without linters; then of opening the database again, against opening one of the
/// sample warehouse only.
pub(super) fn measure(
    dir: &Path,
    store: Store,
    items: usize,
    samples: usize,
) -> Result<([Scans; 5], [Figures; 2]), Error> {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % items as u64) as usize
    };
    let mut kinds: [Vec<(Duration, Option<bool>)>; 5] = Default::default();
    for _ in 0..samples {
        let i = next();
        let datamatrix = format!("]d2010{}10L{:05}\u{1d}17271231", code13(i), i % 100_000);
        let sscc_body = format!("3761234500{:07}", i % 10_000_000);
        let sscc = format!(
            "]C100{sscc_body}{}",
            gs1::check_digit(&sscc_body).unwrap_or(0)
        );
        let ean = format!("]E0{}", code13(i));
        for (k, raw) in [&datamatrix, &sscc, &"A-01-03".to_string(), &ean]
            .into_iter()
            .enumerate()
        {
            let (resolved, took, paged) = timed(|| store.read(|c| resolve_scan(c, raw)));
            resolved?;
            kinds[k].push((took, paged));
        }
        // Another random item: the same one again would find its pages in the cache.
        let j = next();
        let other = format!("]d2010{}10L{:05}\u{1d}17271231", code13(j), j % 100_000);
        gs1::set_linters_for_benchmark(false);
        let (unlinted, took, paged) = timed(|| store.read(|c| resolve_scan(c, &other)));
        kinds[4].push((took, paged));
        gs1::set_linters_for_benchmark(true);
        unlinted?;
    }
    drop(store);
    let small = Store::open(dir.join("scan-small.db"), "bench-scans")?;
    catalog::upsert_master_data(&small, &sample::warehouse())?;
    drop(small);
    let mut opens: [Vec<Duration>; 2] = Default::default();
    for _ in 0..5 {
        for (k, name) in ["scan-catalog.db", "scan-small.db"].into_iter().enumerate() {
            let start = Instant::now();
            let store = Store::open(dir.join(name), "bench-scans")?;
            opens[k].push(start.elapsed());
            drop(store);
        }
    }
    Ok((kinds.map(Scans::new), opens.map(Figures::new)))
}
