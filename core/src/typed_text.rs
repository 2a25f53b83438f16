//! Text typed or scanned into a command may not hold control characters (a NUL in a lot, an
//! escape in a note): it would be recorded, shown garbled, and refused later by the hub. One check
//! over the command's JSON form covers every text field of every command, present and future.
//!
//! The one control character allowed is GS (U+001D): the GS1 separator a scanner sends inside a
//! raw label, which the scan resolution reads.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::error::{Error, Result};

/// The GS1 group separator, allowed in scanned text.
const GS: char = '\u{1d}';

/// Refuses `json` (a command's JSON form) when a text field holds a control character, naming the
/// field, the character and where it is.
pub fn refuse_control_characters(json: &[u8]) -> Result<()> {
    let mut de = serde_json::Deserializer::from_slice(json);
    let found = Check { field: "command" }
        .deserialize(&mut de)
        .map_err(|e| Error::Internal(format!("a command's JSON form could not be read: {e}")))?;
    match found {
        None => Ok(()),
        Some((field, text)) => {
            crate::scan::refuse_control_characters(&field.replace('_', " "), &text)
        }
    }
}

/// The first text holding a control character: its field and the text.
type Found = Option<(String, String)>;

struct Check<'a> {
    field: &'a str,
}

impl<'de> DeserializeSeed<'de> for Check<'_> {
    type Value = Found;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Found, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Check<'_> {
    type Value = Found;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a command")
    }

    fn visit_str<E>(self, text: &str) -> Result<Found, E> {
        // Around the text, a newline or tab is the Enter or Tab a keyboard-wedge scanner sends:
        // every field is trimmed before use.
        let text = text.trim();
        let bad = text.chars().any(|c| c.is_control() && c != GS);
        Ok(bad.then(|| (self.field.to_string(), text.to_string())))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Found, E> {
        Ok(None)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Found, E> {
        Ok(None)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Found, E> {
        Ok(None)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Found, E> {
        Ok(None)
    }

    fn visit_unit<E>(self) -> Result<Found, E> {
        Ok(None)
    }

    fn visit_none<E>(self) -> Result<Found, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Found, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Found, A::Error> {
        let mut first = None;
        while let Some(found) = seq.next_element_seed(Check { field: self.field })? {
            first = first.or(found);
        }
        Ok(first)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Found, A::Error> {
        let mut first = None;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            let found = map.next_value_seed(Check { field: &key })?;
            first = first.or(found);
        }
        Ok(first)
    }
}
