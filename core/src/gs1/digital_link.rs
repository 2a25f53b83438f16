//! GS1 Digital Link URIs: `https://example.com/any/prefix/01/09506000134352/10/ABC?17=270301`.
//!
//! The path carries a primary key (an AI the dictionary marks `dlpkey`) and its qualifiers in the
//! order the dictionary allows; the query carries data attributes (AIs marked `?`). Other query
//! parameters (`linkType`, …) are not GS1 data and are ignored.
//!
//! The parser is strict, per the GS1 Digital Link Standard: URI Syntax (1.4 on) and GS1's reference
//! implementation (gs1-syntax-engine, `dl.c`, whose test table the tests in
//! `tests/gs1_digital_link.rs` follow). Each rule is one function below, named for what it checks:
//!
//! - scheme: `http://` or `https://`, lower case or all capitals (never mixed);
//! - host: an IP literal (IPv6 without a zone identifier, or IPvFuture), or a name of letters,
//!   digits, `-` and `.` (which also covers dotted IPv4), then an optional `:port` of digits; no
//!   user information;
//! - percent-encoding: only RFC 3986 characters appear unescaped, every `%` starts a two-hex-digit
//!   escape, `[` `]` only around an IPv6 host, AI codes are plain digits;
//! - path: ends in `/AI/value` pairs that start with the last primary key of the path (anything
//!   before it is the stem), qualifiers in a dictionary sequence, no empty value, no trailing `/`;
//! - values: exactly the dictionary's format for the AI, with no padding: a GTIN is 14 digits;
//! - query: `&`-separated; numeric keys must be AIs the dictionary allows as data attributes, with
//!   a value, once each, and not a qualifier that belongs in the path; `+` is a space; other keys
//!   and parameters without `=` are ignored;
//! - fragment: ignored.

use std::net::Ipv6Addr;

use super::{AiSpec, Element, Gs1Error, Options, dictionary, element, fail};

/// Whether `input` is an http(s) URI (a Digital Link candidate). Case-insensitive, so that a
/// mixed-case scheme reaches [`parse`] and is refused for that reason.
pub(super) fn is_uri(input: &str) -> bool {
    let lower = input.get(..8).unwrap_or(input).to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// RFC 3986 gen-delims and sub-delims: with the unreserved characters and `%`, every character a
/// URI may hold unescaped.
const GEN_DELIMS: &str = ":/?#[]@";
const SUB_DELIMS: &str = "!$&'()*+,;=";

/// How much of a long value an error message quotes.
const QUOTE_CHARS: usize = 20;

/// A piece of the URI and the position of its first character in the input.
#[derive(Clone, Copy)]
struct Span<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Span<'a> {
    fn slice(self, from: usize, to: usize) -> Span<'a> {
        Span {
            text: &self.text[from..to],
            at: self.at + from,
        }
    }
}

/// The parts of a URI after its scheme.
struct Parts<'a> {
    authority: Span<'a>,
    path: Span<'a>,
    query: Option<Span<'a>>,
    fragment: Option<Span<'a>>,
}

/// Parses a Digital Link URI into its elements: primary key, qualifiers, data attributes.
pub(super) fn parse(
    uri: &str,
    offset: usize,
    today_year: i32,
    options: Options,
) -> Result<Vec<Element>, Gs1Error> {
    let scheme = scheme_length(uri, offset)?;
    check_uri_characters(uri, offset)?;
    let parts = split(Span {
        text: &uri[scheme..],
        at: offset + scheme,
    });
    check_host(parts.authority)?;
    check_delimiters_escaped(parts.path, "path", "[]")?;
    if let Some(query) = parts.query {
        check_delimiters_escaped(query, "query", "[]")?;
    }
    if let Some(fragment) = parts.fragment {
        check_delimiters_escaped(fragment, "fragment", "[]#")?;
    }
    let (path_ais, mut elements) = path_elements(parts.path, today_year, options)?;
    if let Some(query) = parts.query {
        elements.extend(query_attributes(query, &path_ais, today_year, options)?);
    }
    Ok(elements)
}

/// Rule: scheme. `http://` or `https://` in lower case; GS1's reference also takes them in
/// capitals (`HTTPS://`, which QR codes encode compactly), never in mixed case.
fn scheme_length(uri: &str, offset: usize) -> Result<usize, Gs1Error> {
    if let Some(scheme) = ["https://", "http://", "HTTPS://", "HTTP://"]
        .into_iter()
        .find(|s| uri.starts_with(s))
    {
        return Ok(scheme.len());
    }
    let written: String = uri.chars().take_while(|c| *c != ':').take(8).collect();
    Err(fail(
        None,
        offset,
        format!(
            "the scheme must be http:// or https:// in lower case (or HTTP:// or HTTPS:// in \
             capitals), not {written:?} in mixed case"
        ),
    ))
}

fn is_unreserved(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~".contains(c)
}

/// Rule: percent-encoding. A URI holds only RFC 3986 characters unescaped (a space, `"`, `<`,
/// `|`, `^`, a non-ASCII letter… must be percent-encoded), and every `%` starts an escape of two
/// hex digits.
fn check_uri_characters(uri: &str, offset: usize) -> Result<(), Gs1Error> {
    for (i, c) in uri.char_indices() {
        if c == '%' {
            if uri.get(i + 1..i + 3).and_then(hex_byte).is_none() {
                let written: String = uri[i..].chars().take(3).collect();
                return Err(fail(
                    None,
                    offset + i,
                    format!("'%' must start a percent-escape of two hex digits, got {written:?}"),
                ));
            }
        } else if !(is_unreserved(c) || GEN_DELIMS.contains(c) || SUB_DELIMS.contains(c)) {
            return Err(fail(
                None,
                offset + i,
                format!(
                    "{c:?} may not appear unescaped in a URI: write it percent-encoded, {}",
                    escaped(c)
                ),
            ));
        }
    }
    Ok(())
}

/// The byte two hex digits stand for (and nothing else: no sign, no other length).
fn hex_byte(hex: &str) -> Option<u8> {
    (hex.len() == 2 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| u8::from_str_radix(hex, 16).ok())
        .flatten()
}

/// `c` percent-encoded as UTF-8, e.g. `%C3%A9`.
fn escaped(c: char) -> String {
    let mut buffer = [0; 4];
    c.encode_utf8(&mut buffer)
        .bytes()
        .map(|b| format!("%{b:02X}"))
        .collect()
}

/// Authority, path, query and fragment of what follows the scheme.
fn split(rest: Span) -> Parts {
    let text = rest.text;
    let fragment_start = text.find('#').unwrap_or(text.len());
    let query_start = text[..fragment_start].find('?').unwrap_or(fragment_start);
    let path_start = text[..query_start].find('/').unwrap_or(query_start);
    Parts {
        authority: rest.slice(0, path_start),
        path: rest.slice(path_start, query_start),
        query: (query_start < fragment_start).then(|| rest.slice(query_start + 1, fragment_start)),
        fragment: (fragment_start < text.len()).then(|| rest.slice(fragment_start + 1, text.len())),
    }
}

/// Rule: host. `host [":" port]` of the Digital Link grammar: no user information, an IP literal
/// in brackets or a host name, then digits of a port.
fn check_host(authority: Span) -> Result<(), Gs1Error> {
    if authority.text.is_empty() {
        return Err(fail(
            None,
            authority.at,
            "the URI has no host name after its scheme",
        ));
    }
    if let Some(i) = authority.text.find('@') {
        return Err(fail(
            None,
            authority.at + i,
            format!(
                "a Digital Link host may not carry user information ({:?})",
                &authority.text[..=i]
            ),
        ));
    }
    let port_from = if authority.text.starts_with('[') {
        let close = authority.text.find(']').ok_or_else(|| {
            fail(
                None,
                authority.at,
                "the '[' of an IP literal host is never closed by ']'",
            )
        })?;
        check_ip_literal(authority.slice(1, close))?;
        let after = close + 1;
        if after < authority.text.len() && !authority.text[after..].starts_with(':') {
            return Err(fail(
                None,
                authority.at + after,
                "only a ':' and a port may follow the ']' of an IP literal host",
            ));
        }
        after
    } else {
        let name_end = authority.text.find(':').unwrap_or(authority.text.len());
        check_host_name(authority.slice(0, name_end))?;
        name_end
    };
    match authority.text[port_from..].strip_prefix(':') {
        Some(_) => check_port(authority.slice(port_from + 1, authority.text.len())),
        None => Ok(()),
    }
}

/// Rule: host name (reg-name). Letters, digits, `-` and `.` — as GS1's reference, which refuses
/// the rest of RFC 3986's reg-name (`_`, `~`, sub-delims, percent-escapes) in a domain. A dotted
/// IPv4 address is such a name too.
fn check_host_name(name: Span) -> Result<(), Gs1Error> {
    if name.text.is_empty() {
        return Err(fail(
            None,
            name.at,
            "the URI has no host name before its port",
        ));
    }
    match name
        .text
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '.'))
    {
        None => Ok(()),
        Some((i, '%')) => Err(fail(
            None,
            name.at + i,
            format!(
                "a Digital Link host name may not be percent-encoded ({})",
                quoted(name.text)
            ),
        )),
        Some((i, c)) => Err(fail(
            None,
            name.at + i,
            format!(
                "a host name holds letters, digits, '-' and '.' only, not {c:?} ({})",
                quoted(name.text)
            ),
        )),
    }
}

/// Rule: IP literal. `[IPv6address]` or `[vX.…]` (IPvFuture); an IPv6 zone identifier
/// (`fe80::1%25eth0`) names an interface of one machine and is refused, as GS1's reference does.
fn check_ip_literal(inside: Span) -> Result<(), Gs1Error> {
    if let Some(i) = inside.text.find('%') {
        return Err(fail(
            None,
            inside.at + i,
            format!(
                "an IPv6 zone identifier ({}) is not allowed in a Digital Link host",
                quoted(&inside.text[i..])
            ),
        ));
    }
    if inside.text.starts_with(['v', 'V']) {
        return check_ip_future(inside);
    }
    inside.text.parse::<Ipv6Addr>().map(|_| ()).map_err(|_| {
        fail(
            None,
            inside.at,
            format!("{} in brackets is not an IPv6 address", quoted(inside.text)),
        )
    })
}

/// Rule: IPvFuture, `"v" 1*HEXDIG "." 1*( unreserved / ":" )` (the sub-delims RFC 3986 also
/// allows there are refused in a Digital Link host, as in a host name).
fn check_ip_future(inside: Span) -> Result<(), Gs1Error> {
    let body = &inside.text[1..];
    let well_formed = body.split_once('.').is_some_and(|(version, address)| {
        !version.is_empty()
            && version.bytes().all(|b| b.is_ascii_hexdigit())
            && !address.is_empty()
            && address
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-.:".contains(c))
    });
    if well_formed {
        Ok(())
    } else {
        Err(fail(
            None,
            inside.at,
            format!(
                "{} in brackets is neither an IPv6 address nor an IPvFuture literal (vX.address)",
                quoted(inside.text)
            ),
        ))
    }
}

/// Rule: port. Digits only (RFC 3986 `port = *DIGIT`).
fn check_port(port: Span) -> Result<(), Gs1Error> {
    match port.text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        None => Ok(()),
        Some((i, c)) => Err(fail(
            None,
            port.at + i,
            format!("a port is digits only, not {c:?} ({})", quoted(port.text)),
        )),
    }
}

/// Rule: `[` and `]` (and `#` in a fragment) are delimiters RFC 3986 does not allow unescaped in
/// a path, query or fragment.
fn check_delimiters_escaped(part: Span, name: &str, forbidden: &str) -> Result<(), Gs1Error> {
    match part
        .text
        .char_indices()
        .find(|(_, c)| forbidden.contains(*c))
    {
        None => Ok(()),
        Some((i, c)) => Err(fail(
            None,
            part.at + i,
            format!(
                "{c:?} may not appear unescaped in the {name} of a URI: write it {}",
                escaped(c)
            ),
        )),
    }
}

/// One `/`-separated segment of the path.
type Segment<'a> = Span<'a>;

fn segments(path: Span) -> Vec<Segment> {
    let mut at = path.at + 1;
    path.text[1..]
        .split('/')
        .map(|text| {
            let segment = Span { text, at };
            at += text.len() + 1;
            segment
        })
        .collect()
}

/// The primary key and qualifiers of the path, as elements; with the AIs in path order.
fn path_elements(
    path: Span,
    today_year: i32,
    options: Options,
) -> Result<(Vec<String>, Vec<Element>), Gs1Error> {
    if path.text.is_empty() {
        return Err(fail(
            None,
            path.at,
            "the URI has no path: a Digital Link path holds /AI/value pairs",
        ));
    }
    check_no_trailing_slash(path)?;
    let segments = segments(path);
    let start = primary_key_start(&segments).ok_or_else(|| no_primary_key(path, &segments))?;
    let pairs: Vec<(Segment, Segment)> = segments[start..]
        .chunks(2)
        .map(|pair| (pair[0], pair[1]))
        .collect();
    let key = pairs[0].0.text;
    let mut ais = Vec::new();
    let mut elements = Vec::new();
    for (code, value) in pairs {
        let spec = known_ai(code)?;
        ais.push(code.text.to_string());
        check_qualifier_order(key, &ais, code)?;
        if value.text.is_empty() {
            return Err(fail(
                Some(code.text),
                value.at,
                format!("({}) has an empty value in the path", code.text),
            ));
        }
        let decoded = decode(value, false, code.text)?;
        elements.push(ai_value(spec, &decoded, today_year, options)?);
    }
    Ok((ais, elements))
}

/// Rule: no trailing slash. The last path element is a value; a `/` after it is refused.
fn check_no_trailing_slash(path: Span) -> Result<(), Gs1Error> {
    if path.text.len() > 1 && path.text.ends_with('/') {
        return Err(fail(
            None,
            path.at + path.text.len() - 1,
            "a Digital Link path may not end in '/' after its last value",
        ));
    }
    Ok(())
}

/// Rule: primary key. Read back from the end of the path, the Digital Link part is `/AI/value`
/// pairs of known AIs; it starts at the first such pair whose AI is a primary key. Anything before
/// it is the stem (`/any/prefix`), even if it looks like AIs.
fn primary_key_start(segments: &[Segment]) -> Option<usize> {
    let mut end = segments.len();
    while end >= 2 {
        let spec = dictionary().get(segments[end - 2].text)?;
        if spec.dl_primary_key.is_some() {
            return Some(end - 2);
        }
        end -= 2;
    }
    None
}

/// Why no primary key was found: a qualifier left without its value, a pair whose AI is not one,
/// or no key at all.
fn no_primary_key(path: Span, segments: &[Segment]) -> Gs1Error {
    if let Some((last, before)) = segments.split_last()
        && dictionary().get(last.text).is_some()
        && primary_key_start(before).is_some()
    {
        return fail(
            Some(last.text),
            last.at,
            format!("({}) at the end of the path has no value", last.text),
        );
    }
    if let Some(code) = unknown_ai_in_pairs(segments) {
        return fail(
            Some(code.text),
            code.at,
            format!(
                "({}) in the path is not a GS1 Application Identifier, so no primary key starts \
                 the /AI/value pairs",
                code.text
            ),
        );
    }
    fail(
        None,
        path.at,
        format!(
            "no GS1 primary key in the path {}: it must end in /AI/value pairs starting with a \
             primary key such as /01/<14-digit GTIN>",
            quoted(path.text)
        ),
    )
}

/// Reading pairs back from the end as [`primary_key_start`] does: the first AI position holding
/// an AI-like number (2 to 4 digits) that the dictionary does not know.
fn unknown_ai_in_pairs<'a>(segments: &[Segment<'a>]) -> Option<Segment<'a>> {
    let mut end = segments.len();
    while end >= 2 {
        let code = segments[end - 2];
        if dictionary().get(code.text).is_none() {
            let ai_like =
                (2..=4).contains(&code.text.len()) && code.text.bytes().all(|b| b.is_ascii_digit());
            return ai_like.then_some(code);
        }
        end -= 2;
    }
    None
}

fn known_ai(code: Segment) -> Result<&'static AiSpec, Gs1Error> {
    dictionary().get(code.text).ok_or_else(|| {
        fail(
            Some(code.text),
            code.at,
            format!("({}) is not a GS1 Application Identifier", code.text),
        )
    })
}

/// Rule: qualifier order. The AIs after the primary key are one of its dictionary sequences
/// (`dlpkey=22,10,21|235`), each optional but in that order.
fn check_qualifier_order(key: &str, ais: &[String], code: Segment) -> Result<(), Gs1Error> {
    let qualifiers: Vec<&str> = ais[1..].iter().map(String::as_str).collect();
    if qualifiers.is_empty() || is_valid_sequence(key, &qualifiers) {
        return Ok(());
    }
    let ai = code.text;
    let expected: Vec<String> = qualifier_sequences(key)
        .iter()
        .map(|s| s.join(", "))
        .filter(|s| !s.is_empty())
        .collect();
    Err(fail(
        Some(ai),
        code.at,
        if expected.is_empty() {
            format!("({key}) takes no qualifier, got ({ai})")
        } else {
            format!(
                "({ai}) is not a qualifier of ({key}) in this order (allowed: {})",
                expected.join(" | ")
            )
        },
    ))
}

fn qualifier_sequences(key: &str) -> Vec<Vec<String>> {
    dictionary()
        .get(key)
        .and_then(|spec| spec.dl_primary_key.clone())
        .unwrap_or_default()
}

/// Whether `qualifiers` (in order) may follow the primary key `key` in a path.
fn is_valid_sequence(key: &str, qualifiers: &[&str]) -> bool {
    qualifier_sequences(key)
        .iter()
        .any(|seq| is_subsequence(qualifiers, seq))
}

/// A path element or query value with its escapes decoded, and where each decoded byte was.
struct Decoded {
    text: String,
    /// Input position of each byte of `text`, and of its end.
    from: Vec<usize>,
}

impl Decoded {
    fn position(&self, index: usize) -> usize {
        self.from[index.min(self.from.len() - 1)]
    }
}

/// Rule: percent-decoding of a value. Escapes are decoded (their form was checked for the whole
/// URI); in a query `+` is a space (HTML form encoding, as GS1's reference reads it), so a plus
/// sign there must be written `%2B`; the bytes must be UTF-8.
fn decode(raw: Span, plus_is_space: bool, ai: &str) -> Result<Decoded, Gs1Error> {
    let bytes = raw.text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut from = Vec::with_capacity(bytes.len() + 1);
    let mut i = 0;
    while i < bytes.len() {
        from.push(raw.at + i);
        let escape = (bytes[i] == b'%')
            .then(|| raw.text.get(i + 1..i + 3).and_then(hex_byte))
            .flatten();
        match (escape, bytes[i]) {
            (Some(byte), _) => {
                out.push(byte);
                i += 3;
            }
            (None, b'+') if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            (None, b) => {
                out.push(b);
                i += 1;
            }
        }
    }
    from.push(raw.at + raw.text.len());
    match String::from_utf8(out) {
        Ok(text) => Ok(Decoded { text, from }),
        Err(e) => {
            let at = from[e.utf8_error().valid_up_to()];
            let written: String = raw.text[at - raw.at..].chars().take(6).collect();
            Err(fail(
                Some(ai),
                at,
                format!("({ai}) decodes to bytes that are not UTF-8 text at {written:?}"),
            ))
        }
    }
}

/// Rule: value forms. A decoded value is checked against its AI's dictionary format as it is
/// written — length, character set, check digit, linters — with no padding or other repair.
fn ai_value(
    spec: &AiSpec,
    value: &Decoded,
    today_year: i32,
    options: Options,
) -> Result<Element, Gs1Error> {
    let padding = match check_full_gtin(spec, value) {
        Ok(()) => 0,
        Err(_) if options.zero_suppressed_gtin_in_digital_link => 14 - value.text.len(),
        Err(e) => return Err(e),
    };
    let text = format!("{}{}", "0".repeat(padding), value.text);
    element(spec, &text, 0, today_year).map_err(|e| Gs1Error {
        position: value.position(e.position.saturating_sub(padding)),
        ..e
    })
}

/// Rule: GTIN form. A GTIN in a Digital Link, in the path or the query, is written with all its
/// 14 digits: "gtin-value = 14DIGIT" (URI syntax 1.4 on). The zero-suppressed GTIN-8, -12 and -13
/// forms are legacy, refused by GS1's reference unless its legacy option is set (here
/// [`Options::zero_suppressed_gtin_in_digital_link`], which reads them as their 14 digits).
fn check_full_gtin(spec: &AiSpec, value: &Decoded) -> Result<(), Gs1Error> {
    let digits = value.text.as_str();
    let short = matches!(digits.len(), 8 | 12 | 13) && digits.bytes().all(|b| b.is_ascii_digit());
    if matches!(spec.ai.as_str(), "01" | "02" | "03") && short {
        return Err(fail(
            Some(&spec.ai),
            value.position(0),
            format!(
                "({}) in a Digital Link is a GTIN of 14 digits; {digits} is a zero-suppressed \
                 GTIN-{} (a legacy form): write {digits:0>14}",
                spec.ai,
                digits.len()
            ),
        ));
    }
    Ok(())
}

/// One `&`-separated parameter of the query.
struct Param<'a> {
    key: Span<'a>,
    /// `None` for a parameter without `=`.
    value: Option<Span<'a>>,
}

fn params(query: Span) -> Vec<Param> {
    let mut at = query.at;
    let mut out = Vec::new();
    for text in query.text.split('&') {
        let param = Span { text, at };
        at += text.len() + 1;
        if text.is_empty() {
            continue;
        }
        out.push(match text.split_once('=') {
            Some((key, _)) => Param {
                key: param.slice(0, key.len()),
                value: Some(param.slice(key.len() + 1, text.len())),
            },
            None => Param {
                key: param,
                value: None,
            },
        });
    }
    out
}

/// The data attributes of the query, as elements.
fn query_attributes(
    query: Span,
    path_ais: &[String],
    today_year: i32,
    options: Options,
) -> Result<Vec<Element>, Gs1Error> {
    let mut seen: Vec<String> = path_ais.to_vec();
    let mut elements = Vec::new();
    for param in params(query) {
        // Parameters without a value, and keys that are not numbers, are not GS1 data.
        let Some(value) = param.value else { continue };
        if !is_ai_key(param.key)? {
            continue;
        }
        let ai = param.key.text;
        let spec = known_ai(param.key)?;
        check_not_duplicate(param.key, &seen, path_ais)?;
        check_not_a_path_qualifier(param.key, path_ais)?;
        check_data_attribute(spec, param.key)?;
        if value.text.is_empty() {
            return Err(fail(
                Some(ai),
                value.at,
                format!("({ai}) has an empty value in the query"),
            ));
        }
        let decoded = decode(value, true, ai)?;
        elements.push(ai_value(spec, &decoded, today_year, options)?);
        seen.push(ai.to_string());
    }
    Ok(elements)
}

/// Rule: AI keys. A numeric query key is an AI (the standard reserves all-numeric keys for AIs);
/// it is written in plain digits, never percent-encoded. Other keys (`linkType`, …) are ignored.
fn is_ai_key(key: Span) -> Result<bool, Gs1Error> {
    let numeric = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    if numeric(key.text) {
        return Ok(true);
    }
    if key.text.contains('%') {
        let decoded = decode(key, true, key.text)?;
        if numeric(&decoded.text) {
            return Err(fail(
                Some(&decoded.text),
                key.at,
                format!(
                    "the AI ({}) is written percent-encoded as {:?} in the query: AI keys are \
                     plain digits",
                    decoded.text, key.text
                ),
            ));
        }
    }
    Ok(false)
}

/// Rule: no duplicates. An AI appears once in a Digital Link, path and query together.
fn check_not_duplicate(key: Span, seen: &[String], path_ais: &[String]) -> Result<(), Gs1Error> {
    let ai = key.text;
    if !seen.iter().any(|s| s == ai) {
        return Ok(());
    }
    let where_before = if path_ais.iter().any(|s| s == ai) {
        "already in the path"
    } else {
        "twice in the query"
    };
    Err(fail(
        Some(ai),
        key.at,
        format!("({ai}) appears {where_before}: an AI may appear only once"),
    ))
}

/// Rule: qualifiers in the path. A key qualifier that fits the path's sequence belongs in the
/// path, not the query (`/01/…?10=ABC` must be `/01/…/10/ABC`).
fn check_not_a_path_qualifier(key: Span, path_ais: &[String]) -> Result<(), Gs1Error> {
    let ai = key.text;
    let primary = path_ais[0].as_str();
    let qualifiers: Vec<&str> = path_ais[1..].iter().map(String::as_str).collect();
    let fits = (0..=qualifiers.len()).any(|i| {
        let mut trial = qualifiers.clone();
        trial.insert(i, ai);
        is_valid_sequence(primary, &trial)
    });
    if fits {
        return Err(fail(
            Some(ai),
            key.at,
            format!(
                "({ai}) is a key qualifier of ({primary}) here: it belongs in the path, not the \
                 query"
            ),
        ));
    }
    Ok(())
}

/// Rule: data attributes. Only AIs the dictionary marks as Digital Link data attributes (`?`)
/// may be query parameters.
fn check_data_attribute(spec: &AiSpec, key: Span) -> Result<(), Gs1Error> {
    if spec.dl_attribute {
        return Ok(());
    }
    let ai = key.text;
    Err(fail(
        Some(ai),
        key.at,
        format!("({ai}) may not be a Digital Link data attribute (a query parameter)"),
    ))
}

/// `text` quoted for a message, cut to its first characters when long.
fn quoted(text: &str) -> String {
    // A value a few characters longer than the quote is shown whole.
    match super::head(text, QUOTE_CHARS + 4).and(super::head(text, QUOTE_CHARS)) {
        Some(start) => format!("{start:?}…"),
        None => format!("{text:?}"),
    }
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
