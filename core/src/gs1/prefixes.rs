//! GS1 Company Prefix lengths from GS1's published list (gcpprefixformatlist.xml).
//!
//! The list maps number ranges to the length of the GS1 Company Prefixes allocated in them, so the
//! human-readable text of an SSCC, GTIN or GLN can be grouped at the real company prefix. The
//! data is embedded from `core/data/gs1-gcp/gcp-lengths.txt` (its README says where it comes from
//! and how `scripts/gcp-table.py` regenerates it): a longest-prefix-match table, front-coded,
//! parsed once on first use into a sorted array searched by binary search.

use std::sync::OnceLock;

/// The table as `scripts/gcp-table.py` wrote it.
const TABLE: &str = include_str!("../../data/gs1-gcp/gcp-lengths.txt");

/// Digits of a key the table can look at: no entry is longer.
const KEY_DIGITS: usize = 12;

/// The value of a range the list does not cover (`-` in the file).
const ABSENT: u8 = 15;

const POW10: [u64; KEY_DIGITS + 1] = {
    let mut p = [1u64; KEY_DIGITS + 1];
    let mut i = 1;
    while i <= KEY_DIGITS {
        p[i] = p[i - 1] * 10;
        i += 1;
    }
    p
};

/// The entries sorted as their prefixes sort as text, each packed as
/// `prefix digits padded to 12 with zeros << 8 | prefix length << 4 | value`, and for each the index
/// of the nearest entry whose prefix is a prefix of its own (`u32::MAX`: none).
struct Table {
    keys: Vec<u64>,
    parents: Vec<u32>,
}

fn table() -> &'static Table {
    static TABLE_CELL: OnceLock<Table> = OnceLock::new();
    TABLE_CELL.get_or_init(|| build(TABLE))
}

/// The prefix and value of each entry of the file, in file order.
fn entries(text: &str) -> impl Iterator<Item = (String, u8)> + '_ {
    let mut previous = String::new();
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(move |line| {
            let bytes = line.as_bytes();
            let shared = hex(bytes[0]).expect("gcp-lengths.txt: bad shared-digit count") as usize;
            let value = match bytes[bytes.len() - 1] {
                b'-' => ABSENT,
                c => hex(c).expect("gcp-lengths.txt: bad value"),
            };
            previous.truncate(shared);
            previous.push_str(&line[1..line.len() - 1]);
            (previous.clone(), value)
        })
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

fn build(text: &str) -> Table {
    let mut keys = Vec::new();
    for (prefix, value) in entries(text) {
        assert!(
            prefix.len() <= KEY_DIGITS && prefix.bytes().all(|b| b.is_ascii_digit()),
            "gcp-lengths.txt: bad prefix {prefix:?}"
        );
        let padded = format!("{prefix:0<KEY_DIGITS$}")
            .parse::<u64>()
            .unwrap_or(0);
        keys.push((padded << 8) | ((prefix.len() as u64) << 4) | u64::from(value));
    }
    keys.sort_unstable();
    // Sorted like text, an entry's enclosing entries are on the stack when it comes.
    let mut parents = Vec::with_capacity(keys.len());
    let mut stack: Vec<u32> = Vec::new();
    for (i, &key) in keys.iter().enumerate() {
        while let Some(&top) = stack.last() {
            if covers(keys[top as usize], key >> 8, ((key >> 4) & 15) as usize) {
                break;
            }
            stack.pop();
        }
        parents.push(stack.last().copied().unwrap_or(u32::MAX));
        stack.push(i as u32);
    }
    Table { keys, parents }
}

/// Whether the entry `key` is a prefix of the padded digits `digits` of which `len` count.
fn covers(key: u64, digits: u64, len: usize) -> bool {
    let entry_len = ((key >> 4) & 15) as usize;
    let scale = POW10[KEY_DIGITS - entry_len];
    entry_len <= len && (key >> 8) / scale == digits / scale
}

/// The length of the GS1 Company Prefix that starts `digits`, by GS1's published list
/// (gcpprefixformatlist.xml): the digits of a GS1 key from its company prefix on, e.g. the 17
/// digits after an SSCC's extension digit, a GTIN-13's or GLN's 13 digits, a GTIN-14's 13 digits
/// after the indicator (a GTIN-12 as its GTIN-13, with a leading zero).
///
/// `None` where the list has no company prefix: ranges GS1 lists as holding none (restricted
/// circulation `02`, `04`, `05`, `2`; coupons and refunds `98`/`99`; ISSN `977`, ISBN/ISMN
/// `978`/`979`; `951`, `96`), ranges the list does not cover (e.g. GS1 Switzerland's `76`), and
/// input that is not at least 12 ASCII digits (a prefix of up to 12 digits needs 12 to decide).
pub fn company_prefix_length(digits: &str) -> Option<usize> {
    let bytes = digits.as_bytes();
    if bytes.len() < KEY_DIGITS || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let query = bytes[..KEY_DIGITS]
        .iter()
        .fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
    let table = table();
    let mut i = table
        .keys
        .partition_point(|&k| k >> 8 <= query)
        .checked_sub(1)?;
    loop {
        let key = table.keys[i];
        if covers(key, query, KEY_DIGITS) {
            return match (key & 15) as u8 {
                0 | ABSENT => None,
                n => Some(usize::from(n)),
            };
        }
        match table.parents[i] {
            u32::MAX => return None,
            parent => i = parent as usize,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};
    use std::collections::{HashMap, HashSet};

    fn header(name: &str) -> &'static str {
        TABLE
            .lines()
            .find_map(|l| l.strip_prefix(&format!("# {name}: ")))
            .unwrap_or_else(|| panic!("no {name} in the header"))
    }

    fn header_count(name: &str) -> usize {
        header(name).parse().expect("a count")
    }

    /// A small deterministic generator (splitmix64): the samples are the same on every run.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn digits(&mut self, n: usize) -> String {
            (0..n)
                .map(|_| char::from(b'0' + self.below(10) as u8))
                .collect()
        }
    }

    /// The file's entries expanded, independently of the lookup, into the coarsest cells on
    /// which the list is constant: the canonical form `scripts/gcp-table.py` hashed from the
    /// source (GS1's list as biip carries it), listed ranges only.
    fn canonical_cells() -> Vec<(String, u8)> {
        let entries: HashMap<String, u8> = entries(TABLE).collect();
        let internal: HashSet<&str> = entries
            .keys()
            .flat_map(|p| (0..p.len()).map(move |i| &p[..i]))
            .collect();
        fn walk(
            prefix: &str,
            inherited: u8,
            entries: &HashMap<String, u8>,
            internal: &HashSet<&str>,
        ) -> Result<u8, Vec<(String, u8)>> {
            let value = entries.get(prefix).copied().unwrap_or(inherited);
            if !internal.contains(prefix) {
                return Ok(value);
            }
            let kids: Vec<_> = (0..10)
                .map(|d| walk(&format!("{prefix}{d}"), value, entries, internal))
                .collect();
            if let Ok(first) = kids[0]
                && kids.iter().all(|k| *k == Ok(first))
            {
                return Ok(first);
            }
            Err(kids
                .into_iter()
                .enumerate()
                .flat_map(|(d, kid)| match kid {
                    Ok(v) => vec![(format!("{prefix}{d}"), v)],
                    Err(cells) => cells,
                })
                .collect())
        }
        let mut cells = match walk("", ABSENT, &entries, &internal) {
            Ok(v) => vec![(String::new(), v)],
            Err(cells) => cells,
        };
        cells.retain(|(_, v)| *v != ABSENT);
        cells.sort();
        cells
    }

    fn expected(value: u8) -> Option<usize> {
        (value != 0 && value != ABSENT).then_some(usize::from(value))
    }

    #[test]
    fn the_table_has_the_documented_size() {
        let lines = TABLE.lines().filter(|l| !l.starts_with('#')).count();
        assert_eq!(lines, header_count("entries"));
        assert_eq!(table().keys.len(), header_count("entries"));
        assert_eq!(header_count("source-prefixes"), 170_843);
    }

    #[test]
    fn the_table_is_the_source_list() {
        let cells = canonical_cells();
        assert_eq!(cells.len(), header_count("canonical-cells"));
        let text: String = cells.iter().map(|(p, v)| format!("{p} {v}\n")).collect();
        assert_eq!(
            hex::encode(Sha256::digest(text.as_bytes())),
            header("canonical-sha256"),
            "the table expands to another list than the source's"
        );
    }

    #[test]
    fn the_lookup_agrees_with_the_expanded_list() {
        let cells = canonical_cells();
        let by_prefix: HashMap<&str, u8> = cells.iter().map(|(p, v)| (p.as_str(), *v)).collect();
        let mut rng = Rng(17);
        // Keys inside listed ranges: every prefix length, every value.
        for _ in 0..20_000 {
            let (prefix, value) = &cells[rng.below(cells.len())];
            let key = format!("{prefix}{}", rng.digits(17 - prefix.len()));
            assert_eq!(company_prefix_length(&key), expected(*value), "{key}");
        }
        // Keys anywhere: the cells are prefix-free, so at most one matches.
        for _ in 0..20_000 {
            let key = rng.digits(17);
            let value = (0..=KEY_DIGITS)
                .find_map(|n| by_prefix.get(&key[..n]).copied())
                .unwrap_or(ABSENT);
            assert_eq!(company_prefix_length(&key), expected(value), "{key}");
        }
    }

    #[test]
    fn published_examples_and_ranges_without_company_prefixes() {
        // biip's documentation: GS1 Norway, company prefix 704461.
        assert_eq!(company_prefix_length("7044610873466"), Some(6));
        // Restricted circulation, coupons and refunds, ISSN/ISBN/ISMN: no company prefix.
        for key in [
            "0212345678901",
            "0412345678901",
            "0512345678901",
            "2012345678901",
            "2912345678901",
            "9512345678901",
            "9612345678901",
            "9771234567003",
            "9781492053743",
            "9790123456785",
            "9801234567890",
            "9841234567890",
            "9912345678901",
        ] {
            assert_eq!(company_prefix_length(key), None, "{key}");
        }
        // Ranges the list does not cover (GS1 Switzerland) and bad input.
        assert_eq!(company_prefix_length("7613032110910342"), None);
        assert_eq!(company_prefix_length("70441"), None);
        assert_eq!(company_prefix_length("70446108734x6"), None);
        assert_eq!(company_prefix_length(""), None);
    }

    #[test]
    fn sscc_hri_cases_of_the_conformance_corpus() {
        let corpus: serde_json::Value = serde_json::from_str(include_str!(
            "../../data/gs1-conformance/conformance-cases.json"
        ))
        .expect("the corpus is JSON");
        let mut seen = 0;
        for case in corpus["cases"].as_array().expect("cases") {
            if case["operation"] != "Sscc.parse(...).as_hri()" {
                continue;
            }
            seen += 1;
            let sscc = case["input"].as_str().expect("input");
            let hri = case["expect"]["expected"].as_str().expect("expected");
            let groups: Vec<&str> = hri.split(' ').collect();
            let length = company_prefix_length(&sscc[1..]);
            // Four groups: extension, company prefix, serial reference, check digit; three when
            // the list has no company prefix for the number.
            let want = (groups.len() == 4).then(|| groups[1].len());
            assert_eq!(length, want, "{}: {sscc} as {hri}", case["id"]);
            let (extension, body, check) = (&sscc[..1], &sscc[1..17], &sscc[17..]);
            let ours = match length {
                Some(n) => format!("{extension} {} {} {check}", &body[..n], &body[n..]),
                None => format!("{extension} {body} {check}"),
            };
            assert_eq!(ours, hri);
        }
        assert_eq!(seen, 4);
    }

    #[test]
    fn lookup_cost() {
        let mut rng = Rng(5);
        let keys: Vec<String> = (0..2_000).map(|_| rng.digits(17)).collect();
        table();
        let mut per_lookup: Vec<f64> = (0..51)
            .map(|_| {
                let start = std::time::Instant::now();
                let found = keys
                    .iter()
                    .filter(|k| std::hint::black_box(company_prefix_length(k)).is_some())
                    .count();
                std::hint::black_box(found);
                start.elapsed().as_nanos() as f64 / keys.len() as f64
            })
            .collect();
        per_lookup.sort_by(f64::total_cmp);
        eprintln!(
            "company_prefix_length: median {:.0} ns per lookup over {} entries",
            per_lookup[per_lookup.len() / 2],
            table().keys.len()
        );
    }
}
