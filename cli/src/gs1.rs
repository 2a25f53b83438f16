//! `dockhand gs1 RAW...`: what a label's data means, as one JSON array (one entry per input), for
//! support staff whose label does not scan. `\x1d` (or `\u001d`) may be typed for the GS
//! separator and `^` for FNC1.
//!
//! Each entry lists the input's readings, the most likely first: GS1 data the payload marks as
//! such (a Digital Link URI, element strings), then a bare GTIN, UPC-A/UPC-E and SSCC; the
//! readings that work come before those that do not. Every reading has one shape: `{"kind", …its
//! fields}` when it works, `{"kind", "error": {"ai", "position", "message"}}` when it does not.

use std::process::ExitCode;

use dockhand_core::gs1::{self, Element, Gs1Error, Gs1Value, Readings};
use serde_json::{Value, json};

fn kind(value: &Gs1Value) -> &'static str {
    match value {
        Gs1Value::Gtin(_) => "gtin",
        Gs1Value::Sscc(_) => "sscc",
        Gs1Value::Gln(_) => "gln",
        Gs1Value::Date(_) => "date",
        Gs1Value::Decimal { .. } => "decimal",
        Gs1Value::Count(_) => "count",
        Gs1Value::Text(_) => "text",
    }
}

fn error(e: &Gs1Error) -> Value {
    json!({ "ai": e.ai, "position": e.position, "message": e.message })
}

fn elements(list: &[Element]) -> Value {
    json!({
        "elements": list.iter().map(|e| json!({
            "ai": e.ai,
            "title": e.title,
            "raw": e.raw,
            "type": kind(&e.value),
            "value": e.value.to_string(),
        })).collect::<Vec<_>>(),
    })
}

/// An SSCC always as `{"value", "hri"}`: the HRI grouped by its GS1 Company Prefix when GS1's
/// prefix list knows it.
fn sscc(value: &str) -> Value {
    json!({ "value": value, "hri": gs1::sscc_hri_listed(value).ok() })
}

/// One reading, `{"kind": …}` with its fields or its error.
fn reading<T>(
    kind: &str,
    read: &Option<Result<T, Gs1Error>>,
    fields: impl Fn(&T) -> Value,
) -> Option<(bool, Value)> {
    let (ok, mut value) = match read.as_ref()? {
        Ok(found) => (true, fields(found)),
        Err(e) => (false, json!({ "error": error(e) })),
    };
    value["kind"] = kind.into();
    Some((ok, value))
}

/// Plain data that would be element strings had its barcode carried FNC1: said as a failed
/// element-string reading, so a label printed without FNC1 is explained, not accepted.
fn plain(readings: &Readings) -> Option<(bool, Value)> {
    let message = match readings.plain_element_strings.as_ref()? {
        Ok(list) => format!(
            "plain data is not GS1: it would read as {} if its barcode carried FNC1 (GS1-128, \
             GS1 DataMatrix); for such a barcode, set the scanner to send symbology identifiers",
            gs1::to_hri(list)
        ),
        Err(e) => format!(
            "plain data is not GS1, and it would not be valid element strings either: {}",
            e.message
        ),
    };
    Some((
        false,
        json!({ "kind": "element_strings", "error": { "ai": null, "position": 0, "message": message } }),
    ))
}

fn to<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or_default()
}

/// Every reading of one input, the most likely first, and whether any works.
pub fn describe(arg: &str) -> (Value, bool) {
    let input = arg.replace("\\x1d", "\u{1d}").replace("\\u001d", "\u{1d}");
    let readings = gs1::read_any(&input);
    let mut all: Vec<(bool, Value)> = [
        reading("digital_link", &readings.digital_link, |l| elements(l)),
        reading("element_strings", &readings.element_strings, |l| {
            elements(l)
        }),
        reading("gtin", &readings.gtin, to),
        reading("upc", &readings.upc, to),
        reading("sscc", &readings.sscc, |s| sscc(s)),
        plain(&readings),
    ]
    .into_iter()
    .flatten()
    .collect();
    // Stable: the order above is the likelihood among readings that work, and among those that
    // do not.
    all.sort_by_key(|(ok, _)| !ok);
    let valid = all.iter().any(|(ok, _)| *ok);
    let symbology = readings.symbology.as_ref().map(|s| s.value.clone());
    (
        json!({
            "input": arg,
            "symbology": symbology,
            "valid": valid,
            "readings": all.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
        }),
        valid,
    )
}

/// Prints one JSON array for all inputs; exit 0 when every input has a reading that works, 1
/// when any has none.
pub fn run(args: &[String]) -> ExitCode {
    let (entries, valid): (Vec<Value>, Vec<bool>) = args.iter().map(|a| describe(a)).unzip();
    println!(
        "{}",
        serde_json::to_string_pretty(&Value::Array(entries)).unwrap_or_default()
    );
    if valid.iter().all(|v| *v) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
