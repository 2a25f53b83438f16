//! The event envelope, its canonical JSON, the hash chain and device signatures.
//!
//! Each event has a UUID v7 id, its device's next gap-free `seq`, and a SHA-256 hash over its
//! canonical envelope (keys sorted by their UTF-8 bytes, no whitespace, `hash` and `signature`
//! left out) that includes the previous event's hash: the hub, the ERP side and an auditor can prove
//! that nothing was removed, reordered or edited. The device signs the hash with its Ed25519 key.
//! docs/events.md describes the same rules for readers in other languages.

use ed25519_dalek::{Signature, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::ProtocolError;
use crate::events::{EventBody, EventMovement};

/// Version of the event envelope and payloads written by this code.
pub const SCHEMA_VERSION: i64 = 1;

/// The largest payload an event may carry, in bytes of canonical JSON: the hub takes events of
/// at most 64 KiB, envelope included.
pub const MAX_PAYLOAD: usize = 60 * 1024;

/// `prev_hash` of a device's first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An event's envelope: what the hash covers and what travels to the hub.
///
/// The payload is kept as the JSON it was recorded as, so the hash of every event ever recorded
/// can be checked whatever this version's payload types say; [`Envelope::body`] reads it as the
/// typed [`EventBody`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// Per-device sequence number, gap-free from 1.
    pub seq: i64,
    /// UUID v7.
    pub event_id: Uuid,
    /// The device that recorded it.
    pub device_id: String,
    /// Event type, e.g. `receiving.line_received` (see [`crate::EventKind`]).
    pub event_type: String,
    /// When it happened, UTC, RFC 3339 with milliseconds.
    pub occurred_at: String,
    /// The device's UTC offset at that moment, e.g. `+01:00`.
    pub tz_offset: String,
    /// The operator.
    pub user_id: String,
    /// Envelope and payload version.
    pub schema_version: i64,
    /// The client operation id of the command that emitted it.
    pub op_id: Uuid,
    /// Event body as recorded.
    pub payload: Value,
    /// Hash of the previous event of this device ([`GENESIS_HASH`] for the first).
    pub prev_hash: String,
    /// SHA-256 of this event's canonical envelope, hex.
    pub hash: String,
    /// The device key's Ed25519 signature of `hash` (128 hex digits; not covered by the hash;
    /// empty for events recorded before devices signed).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub signature: String,
}

impl Envelope {
    /// The typed event: its type and payload read against this version's contract.
    pub fn body(&self) -> Result<EventBody, ProtocolError> {
        EventBody::parse(&self.event_type, &self.payload)
    }

    /// The ledger rows the event carries (empty when it moved no stock).
    pub fn movements(&self) -> Result<Vec<EventMovement>, ProtocolError> {
        match self.payload.get("movements") {
            Some(list) => serde_json::from_value(list.clone()).map_err(|e| {
                ProtocolError::invalid(
                    "movements",
                    format!("event {} (seq {}): {e}", self.event_id, self.seq),
                )
            }),
            None => Ok(Vec::new()),
        }
    }

    /// Recomputes the hash from the envelope; equal to `hash` unless the event was tampered with.
    pub fn computed_hash(&self) -> String {
        self.hash_with_payload(&canonical_json(&self.payload))
    }

    /// The hash over the envelope with `payload` given as its canonical JSON text.
    pub fn hash_with_payload(&self, payload: &str) -> String {
        hex::encode(Sha256::digest(self.canonical_envelope(payload).as_bytes()))
    }

    /// The canonical JSON of the envelope without `hash`: keys in byte order, no whitespace.
    fn canonical_envelope(&self, payload: &str) -> String {
        let mut out = String::with_capacity(payload.len() + 512);
        let text = |out: &mut String, key: &str, value: &str| {
            out.push_str(key);
            write_json_string(value, out);
        };
        text(&mut out, "{\"device_id\":", &self.device_id);
        text(&mut out, ",\"event_id\":", &self.event_id.to_string());
        text(&mut out, ",\"event_type\":", &self.event_type);
        text(&mut out, ",\"occurred_at\":", &self.occurred_at);
        text(&mut out, ",\"op_id\":", &self.op_id.to_string());
        out.push_str(",\"payload\":");
        out.push_str(payload);
        text(&mut out, ",\"prev_hash\":", &self.prev_hash);
        out.push_str(&format!(
            ",\"schema_version\":{},\"seq\":{}",
            self.schema_version, self.seq
        ));
        text(&mut out, ",\"tz_offset\":", &self.tz_offset);
        text(&mut out, ",\"user_id\":", &self.user_id);
        out.push('}');
        out
    }
}

/// Writes `text` as a JSON string exactly as serde_json does: `"` and `\\` escaped, control
/// characters as `\\b \\f \\n \\r \\t` or `\\u00XX`, everything else (non-ASCII included) as is.
fn write_json_string(text: &str, out: &mut String) {
    out.push('"');
    let mut clean_from = 0;
    for (i, byte) in text.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            0x0c => "\\f",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x00..=0x1f => "",
            _ => continue,
        };
        // Escaped bytes are ASCII, so slicing here stays on character boundaries.
        out.push_str(&text[clean_from..i]);
        if escape.is_empty() {
            out.push_str(&format!("\\u{byte:04x}"));
        } else {
            out.push_str(escape);
        }
        clean_from = i + 1;
    }
    out.push_str(&text[clean_from..]);
    out.push('"');
}

/// Writes `value` as canonical JSON: object keys sorted by their UTF-8 bytes, no whitespace.
/// Independent of serde_json's map ordering features, so every build hashes the same way.
pub fn canonical_json(value: &Value) -> String {
    fn write(value: &Value, out: &mut String) {
        match value {
            Value::Object(map) => {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
                out.push('{');
                for (i, (key, item)) in entries.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_json_string(key, out);
                    out.push(':');
                    write(item, out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(item, out);
                }
                out.push(']');
            }
            Value::String(text) => write_json_string(text, out),
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => out.push_str(&n.to_string()),
        }
    }
    let mut out = String::with_capacity(256);
    write(value, &mut out);
    out
}

/// Why `signature` is not `public_key`'s signature of `hash`, if it is not (all hex text).
pub fn verify_signature(public_key: &str, hash: &str, signature: &str) -> Result<(), String> {
    let key: [u8; 32] = hex::decode(public_key)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| "the recorded public key is not 32 bytes of hex".to_string())?;
    let key = VerifyingKey::from_bytes(&key)
        .map_err(|_| "the recorded public key is not an Ed25519 point".to_string())?;
    let signature: [u8; 64] = hex::decode(signature)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| "the signature is not 64 bytes of hex".to_string())?;
    key.verify_strict(hash.as_bytes(), &Signature::from_bytes(&signature))
        .map_err(|_| "the signature is not the device key's signature of the event hash".into())
}

/// Whether `text` is an Ed25519 public key in hex.
pub fn is_public_key(text: &str) -> bool {
    hex::decode(text)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .is_some_and(|b| VerifyingKey::from_bytes(&b).is_ok())
}
