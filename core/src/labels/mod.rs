//! Labels a handheld prints on a Zebra printer (over Bluetooth or TCP port 9100): the GS1
//! logistic label of a carton or pallet (SSCC, ship from and to, content) and the label of a
//! storage location (its code and its check string). Each is ZPL II bytes plus the list of the
//! barcodes on it, so a test, or an app's preview, knows what a scanner must read back.
//!
//! Every GS1 barcode is checked by dockhand's own GS1 parser before it is printed (check digits,
//! lengths, dates, pairings): no label leaves dockhand that dockhand's scan would refuse.

mod picture;
mod zpl;

pub use picture::png;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::gs1;
use dockhand_protocol::master::Location;
use zpl::Token;

/// Dots per millimetre: 203 dpi, the common Zebra print head.
pub const DOTS_PER_MM: u32 = 8;
/// Width of the labels, in dots (4 inches).
pub const WIDTH: u32 = 812;
/// Height of a logistic label (6 inches) and of a location label (2 inches), in dots.
pub const SSCC_HEIGHT: u32 = 1218;
/// Height of a location label.
pub const LOCATION_HEIGHT: u32 = 406;
/// Left and right margin, in dots.
const MARGIN: u32 = 30;

/// How a barcode is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Symbology {
    /// Code 128 with FNC1 first: GS1 element strings.
    #[serde(rename = "gs1-128")]
    Gs1_128,
    /// Plain Code 128.
    #[serde(rename = "code-128")]
    Code128,
}

/// One barcode on a label and what a scanner reads from it: the bracketed element strings of a
/// GS1-128 (`(00)376130321109103420`), or the text of a plain Code 128.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelBarcode {
    /// The symbology.
    pub symbology: Symbology,
    /// What it carries.
    pub data: String,
}

/// A label: the ZPL to send to the printer and the barcodes printed on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    /// ZPL II, UTF-8 (`^CI28`), one format (`^XA` … `^XZ`).
    pub zpl: String,
    /// The barcodes, top to bottom.
    pub barcodes: Vec<LabelBarcode>,
    /// Label width and height in dots at [`DOTS_PER_MM`].
    pub width: u32,
    /// Height in dots.
    pub height: u32,
}

/// One line of what a handling unit holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentLine {
    /// The item's GTIN (8, 12, 13 or 14 digits), when it has one.
    pub gtin: Option<String>,
    /// What a person reads: SKU and description.
    pub description: String,
    /// Base units.
    pub quantity: i64,
    /// Lot, when tracked.
    pub lot: Option<String>,
    /// Best-before date, when tracked.
    pub best_before: Option<NaiveDate>,
}

/// What a GS1 logistic label shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsccLabel {
    /// The handling unit's SSCC (18 digits).
    pub sscc: String,
    /// Length of the site's GS1 Company Prefix, to group the SSCC under its barcode (when
    /// absent, the length GS1's prefix list gives, else one group).
    pub company_prefix_length: Option<u32>,
    /// Ship-from name and address lines.
    pub ship_from: Vec<String>,
    /// Ship-to name and address lines.
    pub ship_to: Vec<String>,
    /// The customer order.
    pub order_ref: Option<String>,
    /// What it holds. One line with a GTIN gets a content barcode: (02) GTIN, (37) count, (15)
    /// best before, (10) lot.
    pub contents: Vec<ContentLine>,
    /// For a pallet: how many cartons it carries.
    pub cartons: Option<u32>,
}

/// The GS1 logistic label of a carton or pallet, 4 × 6 inches.
pub fn sscc_label(label: &SsccLabel) -> Result<Label> {
    let sscc =
        gs1::parse_sscc(&label.sscc).map_err(|e| Error::invalid("sscc", e.message.clone()))?;
    // The site's own prefix length when given, else the one GS1's prefix list gives.
    let prefix = match label.company_prefix_length {
        Some(n) => Some(n as usize),
        None => gs1::company_prefix_length(&sscc[1..]),
    };
    let sscc_text = gs1::sscc_hri(&sscc, prefix)
        .map_err(|e| Error::invalid("company_prefix_length", e.message.clone()))?;
    if let Some((i, line)) = label
        .contents
        .iter()
        .enumerate()
        .find(|(_, c)| c.quantity < 1)
    {
        return Err(Error::invalid(
            "contents",
            format!(
                "line {} ({}) has quantity {}; every line needs at least 1",
                i + 1,
                crate::error::short(&line.description),
                line.quantity
            ),
        ));
    }
    let mut z = Zpl::new(SSCC_HEIGHT);
    z.text(MARGIN, 20, 22, "FROM", 10);
    z.text(WIDTH / 2, 20, 22, "TO", 10);
    for (i, line) in label.ship_from.iter().take(4).enumerate() {
        z.text(MARGIN, 50 + 30 * i as u32, 26, line, 26);
    }
    for (i, line) in label.ship_to.iter().take(4).enumerate() {
        z.text(WIDTH / 2, 50 + 32 * i as u32, 30, line, 24);
    }
    z.rule(180);
    z.text(MARGIN, 196, 22, "SSCC", 10);
    z.text(MARGIN, 224, 46, &sscc_text, 30);
    let mut y = 290;
    if let Some(order) = &label.order_ref {
        z.text(MARGIN, y, 22, "ORDER", 10);
        z.text(MARGIN + 110, y - 4, 30, order, 30);
        y += 42;
    }
    if let Some(cartons) = label.cartons {
        z.text(MARGIN, y, 22, "CARTONS", 10);
        z.text(MARGIN + 140, y - 4, 30, &cartons.to_string(), 10);
        y += 42;
    }
    z.text(MARGIN, y, 22, "CONTENT", 10);
    y += 30;
    // As many lines as fit above the barcodes' rule at 600, 56 dots each.
    let shown = usize::try_from((590u32.saturating_sub(y)) / 56)
        .unwrap_or(0)
        .min(4);
    for line in label.contents.iter().take(shown) {
        z.text(
            MARGIN,
            y,
            26,
            &format!("{} x {}", line.quantity, line.description),
            50,
        );
        let detail = content_detail(line);
        if !detail.is_empty() {
            z.text(MARGIN + 40, y + 28, 22, &detail, 56);
        }
        y += 56;
    }
    if label.contents.len() > shown {
        let more = label.contents.len() - shown;
        z.text(MARGIN, y, 26, &format!("+ {more} more lines"), 30);
    }
    z.rule(600);
    if let [only] = label.contents.as_slice()
        && let Some(mut elements) = content_elements(only)?
    {
        let (_, code) = gs1_code("content barcode", &elements)?;
        if module_width("", code.modules, WIDTH - 2 * MARGIN).is_ok()
            && printed(&elements).chars().count() <= HRI_CHARS
        {
            z.gs1_128("content barcode", 630, 140, &elements)?;
        } else {
            // Too wide for one symbol: the lot gets its own, as GS1's logistic label allows.
            let lot: Vec<_> = elements.pop().into_iter().collect();
            z.gs1_128("content barcode", 615, 90, &elements)?;
            z.gs1_128("lot barcode", 755, 90, &lot)?;
        }
    }
    z.gs1_128("SSCC barcode", 905, 200, &[("00".to_string(), sscc)])?;
    z.finish()
}

/// The label of a storage location, 4 × 2 inches: the code in large type with its barcode, and
/// the check string the operator scans to prove being there.
pub fn location_label(location: &Location) -> Result<Label> {
    let mut z = Zpl::new(LOCATION_HEIGHT);
    // Large enough to read from the aisle; smaller for long codes so they stay clear of the zone.
    let size = if location.code.chars().count() > 9 {
        56
    } else {
        90
    };
    z.text(MARGIN, 20, size, &location.code, 16);
    z.text(WIDTH - 260, 30, 24, &format!("ZONE {}", location.zone), 12);
    z.code128("location code", 120, 110, &location.code)?;
    z.text(MARGIN, 290, 24, "CHECK", 10);
    z.text(MARGIN, 318, 60, &location.check_string, 10);
    z.code128_at(
        "check string",
        WIDTH / 2 - 40,
        270,
        110,
        &location.check_string,
    )?;
    z.finish()
}

/// A location's label printed from a handheld: the check string proves presence, so the device
/// hands it out only to a supervisor's badge and PIN (verified here; a wrong PIN counts towards
/// the badge's lock like any other).
pub fn location_label_approved(
    store: &crate::Store,
    code: &str,
    approval: &crate::credentials::Approval,
) -> Result<Label> {
    let verified = crate::credentials::verify(store, approval)?;
    store.read(|conn| {
        crate::catalog::supervisor(conn, verified.operator_id())?;
        location_label(&crate::catalog::location_by_code(conn, code)?.location)
    })
}

/// Lot and best-before of a content line, as a person reads them.
fn content_detail(line: &ContentLine) -> String {
    let lot = line.lot.as_ref().map(|lot| format!("lot {lot}"));
    let date = line.best_before.map(|d| format!("best before {d}"));
    [lot, date]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("   ")
}

/// The content barcode's elements: (02) and (15) first (fixed length), then (37) and (10).
fn content_elements(line: &ContentLine) -> Result<Option<Vec<(String, String)>>> {
    let Some(gtin) = &line.gtin else {
        return Ok(None);
    };
    let gtin = gs1::parse_gtin(gtin).map_err(|e| Error::invalid("gtin", e.message.clone()))?;
    let mut elements = vec![("02".to_string(), gtin)];
    if let Some(date) = line.best_before {
        let yymmdd = date.format("%y%m%d").to_string();
        // GS1 dates carry two digits of the year, read within 49 years back and 50 ahead.
        if gs1::gs1_date(&yymmdd, chrono::Utc::now().year(), false) != Some(date) {
            return Err(Error::invalid(
                "best_before",
                format!(
                    "{date} cannot be written as a GS1 date (YYMMDD): a scanner would read \
                     another century"
                ),
            ));
        }
        elements.push(("15".into(), yymmdd));
    }
    elements.push(("37".into(), line.quantity.to_string()));
    if let Some(lot) = &line.lot {
        elements.push(("10".into(), lot.clone()));
    }
    Ok(Some(elements))
}

/// A label being written.
struct Zpl {
    out: String,
    barcodes: Vec<LabelBarcode>,
    /// Every GS1 element on the label: pairings such as (02) with (37) and (00) hold across the
    /// label's barcodes together, as GS1's logistic label places them.
    elements: Vec<gs1::Element>,
    height: u32,
}

impl Zpl {
    fn new(height: u32) -> Self {
        Zpl {
            out: format!("^XA^CI28^PW{WIDTH}^LL{height}^LH0,0\n"),
            barcodes: Vec::new(),
            elements: Vec::new(),
            height,
        }
    }

    fn text(&mut self, x: u32, y: u32, size: u32, text: &str, max_chars: usize) {
        self.out.push_str(&format!(
            "^FO{x},{y}^A0N,{size},{size}{}\n",
            zpl::text_field(text, max_chars)
        ));
    }

    fn rule(&mut self, y: u32) {
        self.out.push_str(&format!("^FO0,{y}^GB{WIDTH},3,3^FS\n"));
    }

    /// A GS1-128 centred at `y`, its bracketed text beneath. The elements are checked by the GS1
    /// parser first; FNC1 ends every variable-length field but the last.
    fn gs1_128(
        &mut self,
        what: &str,
        y: u32,
        height: u32,
        elements: &[(String, String)],
    ) -> Result<()> {
        let (parsed, code) = gs1_code(what, elements)?;
        self.barcode(what, y, height, &code, &printed(elements))?;
        self.barcodes.push(LabelBarcode {
            symbology: Symbology::Gs1_128,
            data: gs1::to_hri(&parsed),
        });
        self.elements.extend(parsed);
        Ok(())
    }

    /// A plain Code 128 centred at `y`, its text beneath.
    fn code128(&mut self, what: &str, y: u32, height: u32, text: &str) -> Result<()> {
        zpl::check_printable(what, text)?;
        let tokens: Vec<Token> = text.bytes().map(Token::Char).collect();
        self.barcode(what, y, height, &zpl::code128(what, &tokens)?, text)?;
        self.push_code128(text);
        Ok(())
    }

    /// A plain Code 128 from `x` (no text beneath: the caller prints it).
    fn code128_at(&mut self, what: &str, x: u32, y: u32, height: u32, text: &str) -> Result<()> {
        zpl::check_printable(what, text)?;
        let tokens: Vec<Token> = text.bytes().map(Token::Char).collect();
        let code = zpl::code128(what, &tokens)?;
        let module = module_width(what, code.modules, WIDTH - x - MARGIN)?;
        self.out.push_str(&format!(
            "^FO{x},{y}^BY{module}^BCN,{height},N,N,N^FD{}^FS\n",
            code.field_data
        ));
        self.push_code128(text);
        Ok(())
    }

    fn push_code128(&mut self, text: &str) {
        self.barcodes.push(LabelBarcode {
            symbology: Symbology::Code128,
            data: text.to_string(),
        });
    }

    fn barcode(
        &mut self,
        what: &str,
        y: u32,
        height: u32,
        code: &zpl::Code128,
        printed: &str,
    ) -> Result<()> {
        let module = module_width(what, code.modules, WIDTH - 2 * MARGIN)?;
        let x = (WIDTH - code.modules as u32 * module) / 2;
        self.out.push_str(&format!(
            "^FO{x},{y}^BY{module}^BCN,{height},N,N,N^FD{}^FS\n",
            code.field_data
        ));
        let text_x = MARGIN.max((WIDTH / 2).saturating_sub(printed.len() as u32 * 7));
        self.text(text_x, y + height + 12, 28, printed, HRI_CHARS + 4);
        Ok(())
    }

    fn finish(mut self) -> Result<Label> {
        gs1::check_pairings(&self.elements).map_err(|e| Error::invalid("label", e.message))?;
        self.out.push_str("^XZ\n");
        Ok(Label {
            zpl: self.out,
            barcodes: self.barcodes,
            width: WIDTH,
            height: self.height,
        })
    }
}

/// Characters of bracketed text that fit under a barcode at 28 dots.
const HRI_CHARS: usize = 56;

/// The text printed under a GS1 barcode: `(02) 04012345000016 (37) 12`.
fn printed(elements: &[(String, String)]) -> String {
    elements
        .iter()
        .map(|(ai, v)| format!("({ai}) {v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// GS1 element strings checked by the GS1 parser and encoded for `^BC`: FNC1 first, and after
/// every variable-length field but the last.
fn gs1_code(
    what: &str,
    elements: &[(String, String)],
) -> Result<(Vec<gs1::Element>, zpl::Code128)> {
    for (ai, value) in elements {
        zpl::check_printable(&format!("({ai})"), value)?;
    }
    // A `(` in data is escaped, so it is never read as the start of another AI.
    let hri: String = elements
        .iter()
        .map(|(ai, v)| format!("({ai}){}", v.replace('(', "\\(")))
        .collect();
    let parsed = gs1::parse(&hri)
        .map_err(|e| Error::invalid(what, format!("{}: {e}", crate::error::short(&hri))))?;
    if parsed.len() != elements.len() {
        return Err(Error::Internal(format!(
            "{what}: {} elements became {}",
            elements.len(),
            parsed.len()
        )));
    }
    let mut tokens = vec![Token::Fnc1];
    for (i, element) in parsed.iter().enumerate() {
        tokens.extend(
            element
                .ai
                .bytes()
                .chain(element.raw.bytes())
                .map(Token::Char),
        );
        let fixed = gs1::dictionary()
            .get(&element.ai)
            .is_some_and(|spec| spec.predefined_length);
        if !fixed && i + 1 < parsed.len() {
            tokens.push(Token::Fnc1);
        }
    }
    let code = zpl::code128(what, &tokens)?;
    Ok((parsed, code))
}

/// The widest module (4, 3 or 2 dots: 0.5 to 0.25 mm) at which `modules` and the quiet zones of
/// ten modules each side fit in `room` dots.
fn module_width(what: &str, modules: usize, room: u32) -> Result<u32> {
    let modules = u32::try_from(modules + 20).unwrap_or(u32::MAX);
    (2..=4)
        .rev()
        .find(|m| modules.saturating_mul(*m) <= room)
        .ok_or_else(|| {
            Error::invalid(
                what,
                format!(
                    "{modules} modules do not fit across a 4-inch label even at 0.25 mm a module; \
                     shorten the lot or the location code"
                ),
            )
        })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn carton() -> SsccLabel {
        SsccLabel {
            sscc: "376130321109103420".into(),
            company_prefix_length: Some(7),
            ship_from: vec!["dockhand DC".into(), "Dock 3".into()],
            ship_to: vec!["Kiosk Nord".into(), "Hafenstr. 1".into()],
            order_ref: Some("SO-1001".into()),
            contents: vec![ContentLine {
                gtin: Some("4012345000016".into()),
                description: "TOWEL-BLUE Bath towel".into(),
                quantity: 12,
                lot: Some("L-2026-11".into()),
                best_before: NaiveDate::from_ymd_opt(2027, 6, 30),
            }],
            cartons: None,
        }
    }

    #[test]
    fn a_carton_label_carries_its_content_and_its_sscc() {
        let label = sscc_label(&carton()).unwrap();
        let data: Vec<&str> = label.barcodes.iter().map(|b| b.data.as_str()).collect();
        assert_eq!(
            data,
            [
                "(02)04012345000016(15)270630(37)12(10)L-2026-11",
                "(00)376130321109103420"
            ]
        );
        assert!(label.zpl.starts_with("^XA^CI28"));
        assert!(label.zpl.contains("^FD>;>800376130321109103420^FS"));
        assert!(label.zpl.contains("3 7613032 110910342 0"));
        assert!(label.zpl.trim_end().ends_with("^XZ"));
    }

    #[test]
    fn mixed_content_gets_no_content_barcode() {
        let mut mixed = carton();
        mixed.contents.push(ContentLine {
            gtin: None,
            description: "SOAP-01".into(),
            quantity: 3,
            lot: None,
            best_before: None,
        });
        let label = sscc_label(&mixed).unwrap();
        assert_eq!(label.barcodes.len(), 1);
        assert!(label.zpl.contains("3 x SOAP-01"));
    }

    #[test]
    fn bad_data_is_refused_with_what_is_wrong() {
        let mut bad = carton();
        bad.sscc = "376130321109103421".into();
        let e = sscc_label(&bad).unwrap_err().to_string();
        assert!(e.contains("check digit 1, expected 0"), "{e}");
        let mut bad = carton();
        bad.contents[0].lot = Some("L>1".into());
        let e = sscc_label(&bad).unwrap_err().to_string();
        assert!(e.contains("\"L>1\" has '>' at character 2"), "{e}");
        // A `(` in a lot is data, never the start of another AI.
        let mut paren = carton();
        paren.contents[0].lot = Some("X(240)Y".into());
        let label = sscc_label(&paren).unwrap();
        assert!(
            label.barcodes[0].data.ends_with("(10)X\\(240)Y"),
            "{:?}",
            label.barcodes
        );
        let mut far = carton();
        far.contents[0].best_before = NaiveDate::from_ymd_opt(2099, 1, 1);
        let e = sscc_label(&far).unwrap_err().to_string();
        assert!(
            e.contains("2099-01-01 cannot be written as a GS1 date"),
            "{e}"
        );
        let mut none = carton();
        none.contents[0].quantity = 0;
        let e = sscc_label(&none).unwrap_err().to_string();
        assert!(
            e.contains("line 1 (TOWEL-BLUE Bath towel) has quantity 0"),
            "{e}"
        );
        let mut bad = carton();
        bad.contents[0].lot = Some("L".repeat(20) + "X");
        let e = sscc_label(&bad).unwrap_err().to_string();
        assert!(e.contains("(10) is at most 20 characters, got 21"), "{e}");
    }

    #[test]
    fn a_location_label_has_its_code_and_check_string() {
        let location = crate::sample::warehouse()
            .locations
            .into_iter()
            .next()
            .unwrap();
        let label = location_label(&location).unwrap();
        assert_eq!(
            label.barcodes,
            [
                LabelBarcode {
                    symbology: Symbology::Code128,
                    data: location.code.clone()
                },
                LabelBarcode {
                    symbology: Symbology::Code128,
                    data: location.check_string.clone()
                }
            ]
        );
    }
}
