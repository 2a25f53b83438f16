//! Inputs for the fuzzer: seeds (valid inputs of each target) bent by random mutations that reach
//! the edges parsers and validators must hold — cut, spliced and repeated text, bytes a scanner or
//! an attacker can send, and numbers at the limits.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Fragments worth inserting: GS1 syntax, JSON syntax, control characters, extreme numbers.
const FRAGMENTS: &[&str] = &[
    "\u{1d}",
    "^",
    "]d2",
    "]C1",
    "]Q3",
    "]e0",
    "(01)",
    "(17)",
    "(10)",
    "(21)",
    "(00)",
    "01",
    "17",
    "10",
    "21",
    "00",
    "8004",
    "https://id.gs1.org/01/",
    "?",
    "/",
    "%1D",
    "\0",
    "\n",
    "\u{7f}",
    "\u{202e}",
    "\u{fffd}",
    "é",
    "💥",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    "null",
    "true",
    "-1",
    "0",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551616",
    "1e308",
    "-0",
    "0.5",
    "\"\"",
    "{}",
    "[]",
    "00000000-0000-0000-0000-000000000000",
];

/// A deterministic stream of mutated inputs.
pub struct Mutator {
    rng: StdRng,
    seeds: Vec<Vec<u8>>,
    most: usize,
}

impl Mutator {
    pub fn new(seed: u64, seeds: Vec<String>) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed),
            seeds: seeds.into_iter().map(String::into_bytes).collect(),
            most: 6,
        }
    }

    /// At most `most` mutations per input (structured inputs such as JSON keep more of their
    /// shape with fewer, and reach deeper).
    pub fn at_most(mut self, most: usize) -> Self {
        self.most = most.max(1);
        self
    }

    pub fn rng(&mut self) -> &mut StdRng {
        &mut self.rng
    }

    /// A seed with one to `most` mutations, as text (invalid UTF-8 replaced).
    pub fn next(&mut self) -> String {
        let pick = self.rng.random_range(0..self.seeds.len());
        let mut input = self.seeds[pick].clone();
        // A few unmutated seeds keep the valid paths exercised.
        if self.rng.random_ratio(1, 20) {
            return String::from_utf8_lossy(&input).into_owned();
        }
        for _ in 0..self.rng.random_range(1..=self.most) {
            self.mutate(&mut input);
        }
        String::from_utf8_lossy(&input).into_owned()
    }

    fn mutate(&mut self, input: &mut Vec<u8>) {
        let len = input.len();
        let at = |rng: &mut StdRng| rng.random_range(0..=len);
        match self.rng.random_range(0..8) {
            0 if len > 0 => {
                let i = self.rng.random_range(0..len);
                input[i] = self.rng.random();
            }
            1 => {
                let i = at(&mut self.rng);
                let fragment = FRAGMENTS[self.rng.random_range(0..FRAGMENTS.len())];
                input.splice(i..i, fragment.bytes());
            }
            2 if len > 0 => {
                let a = self.rng.random_range(0..len);
                let b = self.rng.random_range(a..=len.min(a + 16));
                input.drain(a..b);
            }
            3 if len > 0 => {
                let a = self.rng.random_range(0..len);
                let b = self.rng.random_range(a..=len.min(a + 32));
                let copy = input[a..b].to_vec();
                let most = if self.rng.random_ratio(1, 50) {
                    4000
                } else {
                    8
                };
                let times = self.rng.random_range(1..=most);
                let i = at(&mut self.rng);
                input.splice(i..i, copy.iter().cycle().take(copy.len() * times).copied());
            }
            4 => {
                let other = &self.seeds[self.rng.random_range(0..self.seeds.len())];
                let cut = self.rng.random_range(0..=other.len());
                let i = at(&mut self.rng);
                input.truncate(i);
                input.extend_from_slice(&other[cut..]);
            }
            5 if len > 0 => input.truncate(self.rng.random_range(0..len)),
            6 => {
                // Digits in place of digits: plausible values, wrong check digits and dates.
                for b in input.iter_mut().filter(|b| b.is_ascii_digit()) {
                    if self.rng.random_ratio(1, 6) {
                        *b = b'0' + self.rng.random_range(0..10);
                    }
                }
            }
            _ => {
                let i = at(&mut self.rng);
                let n = self.rng.random_range(1..=4);
                for _ in 0..n {
                    input.insert(i.min(input.len()), self.rng.random());
                }
            }
        }
    }
}
