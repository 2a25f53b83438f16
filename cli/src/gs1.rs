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

/// The parse of one argument as JSON, and whether it parsed.
pub fn describe(arg: &str) -> (Value, bool) {
    let input = arg.replace("\\x1d", "\u{1d}").replace("\\u001d", "\u{1d}");
    match gs1::parse(&input) {
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
