//! The GS1 parser and scan resolution: every scanner's bytes reach them first.

use dockhand_core::{Error, ErrorKind, Store, StoreOptions, catalog, gs1, resolve_scan, sample};

use super::Target;
use super::mutate::Mutator;

/// Real labels of the sample warehouse and the GS1 General Specifications' forms.
fn labels() -> Vec<String> {
    [
        "]d2010401234500001610L2611A\u{1d}17270301",
        "]C1010401234500001610L2611A\u{1d}17270301",
        "(01)14012345000037(10)L7(17)270301(21)SER-9",
        "^0104012345000016^10LOT42^17270301",
        "]C100376123450000000016",
        "(00)376123450000000016",
        "https://id.gs1.org/01/04012345000016/10/L2611A?17=270301",
        "]Q3https://example.com/01/04012345000016/21/S1",
        "4012345000030",
        "]E04012345000030",
        "012345678905",
        "01234565",
        "A-01-03",
        "DOCK-01",
        "INT-TOWEL",
        "(01)04012345000016(3103)000500(15)270101",
        "(8004)4012345ABC(90)x(91)y(240)Z",
        "]d2010401234500001621S1\u{1d}10L1",
    ]
    .into_iter()
    .map(String::from)
    .collect()
}

pub struct Gs1 {
    inputs: Mutator,
    last: String,
}

impl Gs1 {
    pub fn new(seed: u64) -> Self {
        Self {
            inputs: Mutator::new(seed, labels()),
            last: String::new(),
        }
    }
}

impl Target for Gs1 {
    fn name(&self) -> &'static str {
        "gs1"
    }
    fn share(&self) -> u64 {
        800
    }
    fn last_input(&self) -> &str {
        &self.last
    }
    fn once(&mut self) -> Result<(), String> {
        self.last = self.inputs.next();
        let input = &self.last;
        if let Ok(elements) = gs1::parse(input) {
            // What parsed must print: every element has an AI.
            if elements.iter().any(|e| e.ai.is_empty()) {
                return Err("an element without an AI".into());
            }
        }
        let _ = gs1::parse_gtin(input);
        let _ = gs1::parse_sscc(input);
        let _ = gs1::parse_gln(input);
        Ok(())
    }
}

pub struct Resolve {
    inputs: Mutator,
    store: Store,
    last: String,
}

impl Resolve {
    pub fn new(seed: u64) -> Result<Self, Error> {
        let store = Store::open_in_memory(StoreOptions::new("FUZZ-SCAN"))?;
        catalog::upsert_master_data(&store, &sample::warehouse())?;
        Ok(Self {
            inputs: Mutator::new(seed.wrapping_add(1), labels()),
            store,
            last: String::new(),
        })
    }
}

impl Target for Resolve {
    fn name(&self) -> &'static str {
        "scans"
    }
    fn share(&self) -> u64 {
        120
    }
    fn last_input(&self) -> &str {
        &self.last
    }
    fn once(&mut self) -> Result<(), String> {
        self.last = self.inputs.next();
        match self.store.read(|c| resolve_scan(c, &self.last)) {
            Err(e) if e.kind() == ErrorKind::Storage => Err(format!("storage error: {e}")),
            _ => Ok(()),
        }
    }
}
