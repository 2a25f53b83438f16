//! `dockhand gs1 RAW...`: what a label's data means, as JSON, for support staff whose label does
//! not scan. `\x1d` (or `\u001d`) may be typed for the GS separator and `^` for FNC1.

use std::process::ExitCode;

use dockhand_core::gs1::{self, Gs1Value};
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

/// A reading's value, or its error.
fn reading<T: serde::Serialize>(read: &Option<Result<T, gs1::Gs1Error>>) -> Option<Value> {
    read.as_ref().map(|r| match r {
        Ok(value) => serde_json::to_value(value).unwrap_or_default(),
        Err(e) => json!({ "error": e.message }),
    })
}

/// The parse of one argument as JSON, and whether it parsed: as element strings or a Digital
/// Link, and under "readings" as a bare GTIN, UPC or SSCC (a plain EAN-13 is a good label too).
pub fn describe(arg: &str) -> (Value, bool) {
    let input = arg.replace("\\x1d", "\u{1d}").replace("\\u001d", "\u{1d}");
    let readings = gs1::read_any(&input);
    let bare: serde_json::Map<String, Value> = [
        ("gtin", reading(&readings.gtin)),
        ("upc", reading(&readings.upc)),
        ("sscc", reading(&readings.sscc)),
    ]
    .into_iter()
    .filter_map(|(k, v)| Some((k.to_string(), v?)))
    .collect();
    let bare_ok = [
        readings.gtin.as_ref().map(Result::is_ok),
        readings.upc.as_ref().map(Result::is_ok),
        readings.sscc.as_ref().map(Result::is_ok),
    ]
    .contains(&Some(true));
    let (mut value, ok) = elements(arg, &input);
    if !bare.is_empty() {
        value["readings"] = Value::Object(bare);
    }
    (value, ok || bare_ok)
}

fn elements(arg: &str, input: &str) -> (Value, bool) {
    match gs1::parse(input) {
        Ok(elements) => (
            json!({
                "input": arg,
                "elements": elements.iter().map(|e| json!({
                    "ai": e.ai,
                    "title": e.title,
                    "raw": e.raw,
                    "type": kind(&e.value),
                    "value": e.value.to_string(),
                })).collect::<Vec<_>>(),
            }),
            true,
        ),
        Err(e) => (
            json!({
                "input": arg,
                "error": { "ai": e.ai, "position": e.position, "message": e.message },
            }),
            false,
        ),
    }
}

pub fn run(args: &[String]) -> ExitCode {
    let mut all_ok = true;
    for arg in args {
        let (value, ok) = describe(arg);
        all_ok &= ok;
        println!(
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
    }
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
