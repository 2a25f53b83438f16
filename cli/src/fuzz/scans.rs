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
        // Data for each of the syntax dictionary's linters to chew on (valid or not), plain
        // digits and Digital Link URIs.
        "(8013)1987654Ad4X4bL5ttr2310c2K",
        "(8001)12341234512311",
        "(422)276(426)528",
        "(4307)DE(4309)02790858483015297971",
        "(8007)GB82WEST12345698765432",
        "(3912)9781234",
        "(7040)1A2B",
        "(8006)095011010209710102",
        "(7258)1/2",
        "(4330)001234-",
        "(8008)25070114",
        "(7241)01(7041)BX(7252)1",
        "(8020)ABC-1(415)5412345678908(8110)106141416543213500110000310123196000",
        "(8112)0061414165432131",
        "(4300)Dr%20Jo(4308)https%3A%2F%2Fx",
        "991234",
        "https://example.com/01/09506000134352/10/AB%2F1?17=270301&linkType=all",
        "HTTPS://Example.COM:8080/gtin/01/09506000134352/21/1",
    ]
    .into_iter()
    .map(String::from)
    .collect()
}

pub struct Gs1 {
    inputs: Mutator,
    last: String,
    parsed: u64,
    lints: u64,
    linted_wrong: u64,
}

impl Gs1 {
    pub fn new(seed: u64) -> Self {
        Self {
            inputs: Mutator::new(seed, labels()),
            last: String::new(),
            parsed: 0,
            lints: 0,
            linted_wrong: 0,
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
    fn detail(&self) -> String {
        format!(
            " ({} parsed as GS1, {} linter runs on raw input, {} of them refusals)",
            self.parsed, self.lints, self.linted_wrong
        )
    }
    fn once(&mut self) -> Result<(), String> {
        self.last = self.inputs.next();
        let input = &self.last;
        // Every linter of the syntax dictionary on the raw input, as if it were one component:
        // a refusal must point inside the input.
        let value = input.rsplit(')').next().unwrap_or(input);
        for name in gs1::lint::IMPLEMENTED {
            self.lints += 1;
            if let Err(e) = gs1::lint::lint(name, value, 2026) {
                self.linted_wrong += 1;
                if e.offset > value.len() {
                    return Err(format!(
                        "{name} refused at {} of {} bytes",
                        e.offset,
                        value.len()
                    ));
                }
            }
        }
        let parsed = [gs1::parse(input), gs1::parse_element_strings(input)];
        for elements in parsed.into_iter().flatten() {
            // What parsed must print: every element has an AI.
            self.parsed += 1;
            if elements.iter().any(|e| e.ai.is_empty()) {
                return Err("an element without an AI".into());
            }
        }
        let _ = gs1::read_any(input);
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
