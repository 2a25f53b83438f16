//! The GS1 Application Identifier table, read from the GS1 Barcode Syntax Dictionary.
//!
//! The dictionary (core/data/gs1-syntax-dictionary.txt, a verbatim copy of GS1's file, checked
//! against the shared reference copy by a test) is data, not code: every AI, its components
//! (character set, fixed or variable length, linters such as check digits and dates), whether it
//! needs an FNC1 separator, and which AIs it requires or excludes.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The dictionary text as shipped with the library.
pub const SYNTAX_DICTIONARY: &str = include_str!("../../data/gs1-syntax-dictionary.txt");

/// Character set of a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cset {
    /// Digits.
    Numeric,
    /// GS1 AI encodable character set 82.
    Cset82,
    /// GS1 AI encodable character set 39.
    Cset39,
    /// base64url.
    Base64Url,
}

/// One component of an AI's data field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// Character set.
    pub cset: Cset,
    /// Least length.
    pub min: usize,
    /// Greatest length.
    pub max: usize,
    /// May be absent (only trailing components).
    pub optional: bool,
    /// Content checks named by the dictionary (`csum`, `yymmd0`, …).
    pub linters: Vec<String>,
}

/// One Application Identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AiSpec {
    /// The AI digits.
    pub ai: String,
    /// Pre-defined length: never followed by an FNC1 separator.
    pub predefined_length: bool,
    /// Permitted as a GS1 Digital Link data attribute (query parameter).
    pub dl_attribute: bool,
    /// Data field components, in order.
    pub components: Vec<Component>,
    /// Each `req=` attribute: one alternative must be present; an alternative is AIs joined by `+`.
    pub requires: Vec<Vec<Vec<String>>>,
    /// AIs or patterns (e.g. `310n`) that must not appear with this one.
    pub excludes: Vec<String>,
    /// Digital Link primary key: the alternative sequences of qualifier AIs.
    pub dl_primary_key: Option<Vec<Vec<String>>>,
    /// Title, e.g. `BATCH/LOT`.
    pub title: String,
}

impl AiSpec {
    /// Greatest length of the data field.
    pub fn max_length(&self) -> usize {
        self.components.iter().map(|c| c.max).sum()
    }

    /// Length of a pre-defined length field (all components fixed).
    pub fn fixed_length(&self) -> Option<usize> {
        self.components
            .iter()
            .all(|c| c.min == c.max && !c.optional)
            .then(|| self.components.iter().map(|c| c.max).sum())
    }
}

/// Every AI of the dictionary.
#[derive(Debug)]
pub struct Dictionary {
    by_ai: HashMap<String, AiSpec>,
}

impl Dictionary {
    /// Parses dictionary text. Malformed entries are reported with their line.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut by_ai = HashMap::new();
        for (number, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or_default();
            let title = raw
                .split_once('#')
                .map(|(_, t)| t.trim())
                .unwrap_or_default();
            let mut words = line.split_whitespace().peekable();
            let Some(ais) = words.next() else { continue };
            let flags = match words.peek() {
                Some(w)
                    if w.chars()
                        .all(|c| "*?!\"$%&'()+,-./:;<=>@[\\]^_`{|}~".contains(c)) =>
                {
                    words.next().unwrap_or_default()
                }
                _ => "",
            };
            let mut components = Vec::new();
            let mut requires = Vec::new();
            let mut excludes = Vec::new();
            let mut dl_primary_key = None;
            for word in words {
                if let Some(list) = word.strip_prefix("req=") {
                    requires.push(
                        list.split(',')
                            .map(|alt| alt.split('+').map(str::to_string).collect())
                            .collect(),
                    );
                } else if let Some(list) = word.strip_prefix("ex=") {
                    excludes.extend(list.split(',').map(str::to_string));
                } else if word == "dlpkey" {
                    dl_primary_key = Some(vec![Vec::new()]);
                } else if let Some(list) = word.strip_prefix("dlpkey=") {
                    dl_primary_key = Some(
                        list.split('|')
                            .map(|seq| seq.split(',').map(str::to_string).collect())
                            .collect(),
                    );
                } else if word.contains('=') {
                    // Other attributes are not needed to parse or validate.
                } else {
                    components.push(
                        component(word).map_err(|e| format!("line {}: {word}: {e}", number + 1))?,
                    );
                }
            }
            let spec = |ai: String| AiSpec {
                ai,
                predefined_length: flags.contains('*'),
                dl_attribute: flags.contains('?'),
                components: components.clone(),
                requires: requires.clone(),
                excludes: excludes.clone(),
                dl_primary_key: dl_primary_key.clone(),
                title: title.to_string(),
            };
            match ais.split_once('-') {
                Some((from, to)) => {
                    let (a, b): (u32, u32) = (
                        from.parse()
                            .map_err(|_| format!("line {}: bad range", number + 1))?,
                        to.parse()
                            .map_err(|_| format!("line {}: bad range", number + 1))?,
                    );
                    for n in a..=b {
                        let ai = format!("{n:0width$}", width = from.len());
                        by_ai.insert(ai.clone(), spec(ai));
                    }
                }
                None => {
                    by_ai.insert(ais.to_string(), spec(ais.to_string()));
                }
            }
        }
        Ok(Self { by_ai })
    }

    /// The AI `ai`, if the dictionary has it.
    pub fn get(&self, ai: &str) -> Option<&AiSpec> {
        self.by_ai.get(ai)
    }

    /// The AI that `data` starts with (AIs are 2 to 4 digits and prefix-free).
    pub fn at_start(&self, data: &str) -> Option<&AiSpec> {
        (2..=4)
            .filter(|&n| data.len() >= n && data.is_char_boundary(n))
            .find_map(|n| self.by_ai.get(&data[..n]))
    }

    /// Every AI, in no particular order.
    pub fn all(&self) -> impl Iterator<Item = &AiSpec> {
        self.by_ai.values()
    }

    /// Number of AIs.
    pub fn len(&self) -> usize {
        self.by_ai.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_ai.is_empty()
    }
}

fn component(word: &str) -> Result<Component, String> {
    let optional = word.starts_with('[');
    // Both "[N3,iso3166]" and "[N3],iso3166" occur.
    let word: String = word.chars().filter(|c| *c != '[' && *c != ']').collect();
    let mut parts = word.split(',');
    let kind = parts.next().unwrap_or_default();
    let cset = match kind.chars().next() {
        Some('N') => Cset::Numeric,
        Some('X') => Cset::Cset82,
        Some('Y') => Cset::Cset39,
        Some('Z') => Cset::Base64Url,
        _ => return Err("unknown character set".into()),
    };
    let length = &kind[1..];
    let (min, max) = match length.strip_prefix("..") {
        Some(max) => (1, max.parse().map_err(|_| "bad length")?),
        None => {
            let n: usize = length.parse().map_err(|_| "bad length")?;
            (n, n)
        }
    };
    Ok(Component {
        cset,
        min,
        max,
        optional,
        linters: parts.map(str::to_string).collect(),
    })
}

/// The dictionary shipped with the library, parsed once.
pub fn dictionary() -> &'static Dictionary {
    static DICTIONARY: OnceLock<Dictionary> = OnceLock::new();
    DICTIONARY.get_or_init(|| {
        // The shipped file is checked by the test suite; a failure here is a build defect.
        Dictionary::parse(SYNTAX_DICTIONARY).unwrap_or_else(|_| Dictionary {
            by_ai: HashMap::new(),
        })
    })
}
