//! A mutation fuzzer for the GS1 parser and scan resolution (no nightly toolchain needed).
//!
//! Seeds are the shared conformance corpus inputs (when present) and typical scans; each round
//! mutates a seed (byte flips, inserted separators and symbology identifiers, splices, cuts,
//! repeats) and feeds it to `gs1::parse`, `gs1::check_pairings`, `gs1::read_any` and `resolve_scan` on a seeded
//! device. Any panic is a finding: the input is printed and the run fails.
//!
//! `cargo run --release -p dockhand-core --example fuzz_scans -- [seconds] [seed]`

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use dockhand_core::{Store, StoreOptions, catalog, gs1, resolve_scan, sample};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "]d2",
    "]C1",
    "]Q3",
    "]e0",
    "]Q1",
    "^",
    "\u{1d}",
    "|",
    "(",
    ")",
    "01",
    "10",
    "17",
    "21",
    "00",
    "3103",
    "8003",
    "https://id.gs1.org/",
    "/01/",
    "?17=",
    "%2F",
    "%",
    "\\(",
    "0000",
    "99",
    "é",
    "\u{0}",
];

fn seeds() -> Vec<String> {
    let mut seeds: Vec<String> = [
        "]d2010401234500001610L2611A\u{1d}17270301",
        "(01)14012345000013(10)L2611A(17)270301",
        "]C100376123450000000016",
        "https://id.gs1.org/01/04012345000016/10/ABC?17=270301",
        "0104012345000016\u{1d}3103001234",
        "A-01-03",
        "INT-TOWEL",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/gs1-conformance/conformance-cases.json");
    if let Ok(text) = std::fs::read_to_string(corpus)
        && let Ok(json) = serde_json::from_str::<serde_json::Value>(&text)
    {
        for case in json["cases"].as_array().into_iter().flatten() {
            if let Some(input) = case["input"].as_str() {
                seeds.push(input.to_string());
            }
        }
    }
    seeds
}

fn mutate(rng: &mut Rng, seeds: &[String]) -> String {
    let mut chars: Vec<char> = seeds[rng.below(seeds.len())].chars().collect();
    for _ in 0..=rng.below(4) {
        match rng.below(6) {
            0 if !chars.is_empty() => {
                let i = rng.below(chars.len());
                chars[i] = char::from_u32((rng.next() % 0x80) as u32).unwrap_or('0');
            }
            1 => {
                let i = rng.below(chars.len() + 1);
                let piece: Vec<char> = PIECES[rng.below(PIECES.len())].chars().collect();
                chars.splice(i..i, piece);
            }
            2 if !chars.is_empty() => {
                let i = rng.below(chars.len());
                let j = i + rng.below(chars.len() - i + 1);
                chars.drain(i..j);
            }
            3 => {
                let other: Vec<char> = seeds[rng.below(seeds.len())].chars().collect();
                let cut = rng.below(other.len() + 1);
                chars.extend_from_slice(&other[cut..]);
            }
            4 if !chars.is_empty() => {
                let i = rng.below(chars.len());
                let c = chars[i];
                chars.insert(i, c);
            }
            _ => {
                let i = rng.below(chars.len() + 1);
                chars.insert(i, char::from_digit(rng.below(10) as u32, 10).unwrap_or('0'));
            }
        }
    }
    chars.into_iter().collect()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(60);
    let mut rng = Rng(args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(0x5EED_1234_ABCD_0001));
    let store = Store::open_in_memory(StoreOptions::new("fuzz")).expect("in-memory store");
    catalog::upsert_master_data(&store, &sample::warehouse()).expect("sample catalog");
    let seeds = seeds();
    let started = Instant::now();
    let (mut runs, mut parsed, mut resolved) = (0u64, 0u64, 0u64);
    std::panic::set_hook(Box::new(|_| {}));
    while started.elapsed() < Duration::from_secs(seconds) {
        let input = mutate(&mut rng, &seeds);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let ok = gs1::parse(&input)
                .map(|els| gs1::check_pairings(&els).is_ok())
                .is_ok();
            let _ = gs1::read_any(&input);
            let res = store.read(|c| resolve_scan(c, &input)).is_ok();
            (ok, res)
        }));
        match outcome {
            Ok((p, r)) => {
                parsed += u64::from(p);
                resolved += u64::from(r);
            }
            Err(_) => {
                eprintln!("PANIC on input {input:?}");
                std::process::exit(1);
            }
        }
        runs += 1;
    }
    println!(
        "fuzz_scans: {runs} executions in {:.0} s ({:.0}/s), {} seeds, 0 panics; {parsed} parsed as GS1, {resolved} resolved",
        started.elapsed().as_secs_f64(),
        runs as f64 / started.elapsed().as_secs_f64(),
        seeds.len()
    );
}
