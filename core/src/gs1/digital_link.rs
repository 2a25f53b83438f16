//! GS1 Digital Link URIs: `https://example.com/any/prefix/01/09506000134352/10/ABC?17=270301`.
//!
//! The path carries a primary key (an AI the dictionary marks `dlpkey`) and its qualifiers in the
//! order the dictionary allows; the query carries data attributes (AIs marked `?`). Other query
//! parameters (`linkType`, …) are not GS1 data and are ignored.

use super::{AiSpec, Element, Gs1Error, dictionary, element, fail};

/// Whether `input` is an http(s) URI (a Digital Link candidate).
pub(super) fn is_uri(input: &str) -> bool {
    let lower = input.get(..8).unwrap_or(input).to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

fn percent_decode(text: &str, at: usize) -> Result<String, Gs1Error> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            let Some(byte) = hex else {
                return Err(fail(
                    None,
                    at + i,
                    format!("bad percent escape in {text:?}"),
                ));
            };
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out)
        .map_err(|_| fail(None, at, format!("{text:?} is not UTF-8 once decoded")))
}

/// A GTIN in a URI may be written as GTIN-8, -12 or -13: the element is always 14 digits.
fn normalised<'a>(spec: &AiSpec, value: &'a str) -> std::borrow::Cow<'a, str> {
    if spec.ai == "01"
        && matches!(value.len(), 8 | 12 | 13)
        && value.bytes().all(|b| b.is_ascii_digit())
    {
        format!("{value:0>14}").into()
    } else {
        value.into()
    }
}

/// Parses a Digital Link URI into its elements: primary key, qualifiers, data attributes.
pub(super) fn parse(uri: &str, offset: usize, today_year: i32) -> Result<Vec<Element>, Gs1Error> {
    let scheme_end = uri.find("://").unwrap_or(0) + 3;
    let after_host = uri[scheme_end..]
        .find('/')
        .map_or(uri.len(), |i| scheme_end + i);
    let (path, query) = match uri[after_host..].split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (&uri[after_host..], None),
    };
    let path = path.split('#').next().unwrap_or_default();
    let segments: Vec<(usize, &str)> = {
        let mut pos = offset + after_host;
        path.split('/')
            .map(|s| {
                let at = pos;
                pos += s.len() + 1;
                (at, s)
            })
            .filter(|(_, s)| !s.is_empty())
            .collect()
    };
    let dict = dictionary();
    // The primary key: the first segment that is a primary-key AI; everything after it is pairs.
    let Some(start) = segments.iter().position(|(_, s)| {
        dict.get(s)
            .is_some_and(|spec| spec.dl_primary_key.is_some())
    }) else {
        return Err(fail(
            None,
            offset + after_host,
            format!("no GS1 primary key in the path {path:?}"),
        ));
    };
    let pairs = &segments[start..];
    if !pairs.len().is_multiple_of(2) {
        let (at, last) = pairs[pairs.len() - 1];
        return Err(fail(
            Some(last),
            at,
            format!("({last}) in the path has no value"),
        ));
    }
    let mut elements = Vec::new();
    let key_spec = dict
        .get(pairs[0].1)
        .ok_or_else(|| fail(None, pairs[0].0, "unknown primary key"))?;
    let allowed = key_spec.dl_primary_key.clone().unwrap_or_default();
    let mut qualifiers: Vec<&str> = Vec::new();
    for pair in pairs.chunks(2) {
        let ((at, ai), (value_at, raw)) = (pair[0], pair[1]);
        let spec = dict.get(ai).ok_or_else(|| {
            fail(
                Some(ai),
                at,
                format!("({ai}) is not a GS1 Application Identifier"),
            )
        })?;
        if !elements.is_empty() {
            qualifiers.push(ai);
            let in_order = allowed.iter().any(|seq| is_subsequence(&qualifiers, seq));
            if !in_order {
                let expected: Vec<String> = allowed
                    .iter()
                    .map(|s| s.join(", "))
                    .filter(|s| !s.is_empty())
                    .collect();
                return Err(fail(
                    Some(ai),
                    at,
                    if expected.is_empty() {
                        format!("({}) takes no qualifier, got ({ai})", key_spec.ai)
                    } else {
                        format!(
                            "({ai}) is not a qualifier of ({}) in this order (allowed: {})",
                            key_spec.ai,
                            expected.join(" | ")
                        )
                    },
                ));
            }
        }
        let value = percent_decode(raw, value_at)?;
        elements.push(element(
            spec,
            &normalised(spec, &value),
            value_at,
            today_year,
        )?);
    }
    if let Some(query) = query {
        let mut pos = offset + after_host + path.len() + 1;
        for param in query.split('&') {
            let at = pos;
            pos += param.len() + 1;
            let (key, raw) = param.split_once('=').unwrap_or((param, ""));
            if key.is_empty() || !key.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let spec = dict.get(key).ok_or_else(|| {
                fail(
                    Some(key),
                    at,
                    format!("({key}) is not a GS1 Application Identifier"),
                )
            })?;
            if !spec.dl_attribute {
                return Err(fail(
                    Some(key),
                    at,
                    format!("({key}) may not be a Digital Link data attribute"),
                ));
            }
            let value = percent_decode(raw, at + key.len() + 1)?;
            elements.push(element(
                spec,
                &normalised(spec, &value),
                at + key.len() + 1,
                today_year,
            )?);
        }
    }
    Ok(elements)
}

/// Whether every item of `qualifiers` appears in `sequence`, in the same order.
fn is_subsequence(qualifiers: &[&str], sequence: &[String]) -> bool {
    let mut rest = sequence.iter();
    qualifiers.iter().all(|q| rest.any(|s| s == q))
}

/// Characters a Digital Link path segment or query value keeps as they are (RFC 3986 unreserved).
fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Writes elements as a Digital Link URI on `domain` (default `id.gs1.org`, the canonical form)
/// under an optional path `prefix`: primary key and its qualifiers in the path, in the order the
/// dictionary allows, every other data attribute in the query, sorted by AI.
pub fn to_uri(
    elements: &[Element],
    domain: Option<&str>,
    prefix: Option<&str>,
) -> Result<String, Gs1Error> {
    let dict = dictionary();
    let key = elements
        .iter()
        .find(|e| dict.get(&e.ai).is_some_and(|s| s.dl_primary_key.is_some()))
        .ok_or_else(|| fail(None, 0, "no element can be a Digital Link primary key"))?;
    let sequences = dict
        .get(&key.ai)
        .and_then(|s| s.dl_primary_key.clone())
        .unwrap_or_default();
    let present = |ai: &str| elements.iter().find(|e| e.ai == ai);
    // The qualifier sequence covering the most qualifiers present.
    let qualifiers: Vec<&Element> = sequences
        .iter()
        .map(|seq| seq.iter().filter_map(|ai| present(ai)).collect::<Vec<_>>())
        .max_by_key(Vec::len)
        .unwrap_or_default();
    let mut uri = format!("https://{}", domain.unwrap_or("id.gs1.org"));
    if let Some(prefix) = prefix.filter(|p| !p.is_empty()) {
        uri.push('/');
        uri.push_str(prefix.trim_matches('/'));
    }
    for e in std::iter::once(key).chain(qualifiers.iter().copied()) {
        uri.push_str(&format!("/{}/{}", e.ai, percent_encode(&e.raw)));
    }
    let mut attributes: Vec<&Element> = elements
        .iter()
        .filter(|e| e.ai != key.ai && !qualifiers.iter().any(|q| q.ai == e.ai))
        .collect();
    if let Some(e) = attributes
        .iter()
        .find(|e| !dict.get(&e.ai).is_some_and(|s| s.dl_attribute))
    {
        return Err(fail(
            Some(&e.ai),
            0,
            format!("({}) cannot be carried in a Digital Link", e.ai),
        ));
    }
    attributes.sort_by(|a, b| a.ai.cmp(&b.ai));
    for (i, e) in attributes.iter().enumerate() {
        uri.push(if i == 0 { '?' } else { '&' });
        uri.push_str(&format!("{}={}", e.ai, percent_encode(&e.raw)));
    }
    Ok(uri)
}
