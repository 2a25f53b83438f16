//! GS1 Digital Link URI syntax, rule by rule: for each rule at least one URI it accepts and one it
//! refuses, with the refusal's message and position.
//!
//! The URIs come from the test table of GS1's reference implementation (gs1-syntax-engine,
//! src/c-lib/dl.c, `test_dl_parseDLuri`; marked "engine") and the examples of the GS1 Digital Link
//! Standard: URI Syntax (marked "standard") wherever they exist for the rule. Where dockhand
//! differs from the engine the comment says so and why.
#![allow(clippy::unwrap_used)]

use dockhand_core::gs1;

/// The year two-digit dates are judged against.
const YEAR: i32 = 2026;

/// The (AI, value) pairs of an accepted URI, in URI order.
fn accepted(uri: &str) -> Vec<(String, String)> {
    gs1::parse_on(uri, YEAR)
        .unwrap_or_else(|e| panic!("{uri} refused: {e}"))
        .into_iter()
        .map(|e| (e.ai, e.raw))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(ai, value)| (ai.to_string(), value.to_string()))
        .collect()
}

/// Asserts that `uri` is refused with a message containing `fragment` at `position`.
fn refused(uri: &str, fragment: &str, position: usize) {
    let Err(e) = gs1::parse_on(uri, YEAR) else {
        panic!("{uri} accepted, expected a refusal with {fragment:?}");
    };
    assert!(
        e.message.contains(fragment),
        "{uri}: message {:?} lacks {fragment:?}",
        e.message
    );
    assert_eq!(e.position, position, "{uri}: {e}");
}

/// Where `needle` first occurs in `uri` (a position to expect, without counting by hand).
fn at(uri: &str, needle: &str) -> usize {
    uri.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {uri}"))
}

const GTIN: &str = "12312312312333";

#[test]
fn the_scheme_is_http_or_https_in_lower_case_or_all_capitals() {
    // Rule: scheme (engine: http, HTTP, https, HTTPS accepted; "Mixed-case scheme forbidden").
    for uri in [
        "http://a/00/006141411234567890",
        "HTTP://a/00/006141411234567890",
        "https://a/00/006141411234567890",
        "HTTPS://a/00/006141411234567890",
    ] {
        assert_eq!(
            accepted(uri),
            pairs(&[("00", "006141411234567890")]),
            "{uri}"
        );
    }
    refused("HtTp://a/b/00/006141411234567890", "mixed case", 0);
    refused("hTTPS://a/00/006141411234567890", "\"hTTPS\"", 0);
    // After a symbology identifier the position still counts from the start of the scan.
    refused("]Q1HtTp://a/00/006141411234567890", "mixed case", 3);
}

#[test]
fn the_host_is_a_name_an_ipv4_address_or_an_ip_literal_with_an_optional_port() {
    // Rule: host (engine: "we don't strictly validate the form of the domain, only the
    // characterset"; every one of these is accepted there and here).
    for uri in [
        "https://xn--fsq.xn--0zwm56d/01/12312312312333", // Punycode
        "https://a./01/12312312312333",                  // explicit FQDN
        "https://a:65535/01/12312312312333",             // port
        "https://192.0.2.1/01/12312312312333",           // IPv4
        "https://3232235777/01/12312312312333",          // IPv4 in decimal: a valid name
        "https://0300.0250.01.01/01/12312312312333",     // IPv4 in octal: a valid name
        "https://0xC0.0xA8.0x01.0x01/01/12312312312333", // IPv4 in hex: a valid name
        "https://[2001:db8::1]/01/12312312312333",       // IPv6
        "https://[2001:db8::1]:8443/01/12312312312333",  // IPv6 and a port
        "https://[::ffff:192.0.2.1]/01/12312312312333",  // IPv6 with an IPv4 tail
        "https://[v7.fe80:a-b]/01/12312312312333",       // IPvFuture
    ] {
        assert_eq!(accepted(uri), pairs(&[("01", GTIN)]), "{uri}");
    }
    // Rule: IP literal — an IPv6 zone identifier is refused (engine: "IPv6 zone identifiers not
    // useful").
    let uri = "https://[fe80::1%25lo]/01/12312312312333";
    refused(uri, "IPv6 zone identifier (\"%25lo\")", at(uri, "%"));
    let uri = "https://[fe80::1%25eth0]/01/12312312312333";
    refused(uri, "zone identifier", at(uri, "%"));
    let uri = "https://[2001:db8::g]/01/12312312312333";
    refused(uri, "\"2001:db8::g\" in brackets is not an IPv6 address", 9);
    let uri = "https://[2001:db8::1/01/12312312312333";
    refused(uri, "never closed", 8);
    let uri = "https://[::1]x/01/12312312312333";
    refused(uri, "only a ':' and a port may follow", at(uri, "x"));
    let uri = "https://[v7.a+b]/01/12312312312333";
    refused(uri, "nor an IPvFuture literal", 9);
    // Rule: host name — letters, digits, '-' and '.' (engine: "Bad character in domain").
    refused("https://$a/006141411234567890", "not '$'", 8);
    refused("https://a$/006141411234567890", "not '$'", 9);
    refused("https://a_b/01/12312312312333", "not '_'", 9);
    refused(
        "https://a%2Eb/01/12312312312333",
        "may not be percent-encoded",
        9,
    );
    // Rule: no user information before the host.
    let uri = "https://user@a/01/12312312312333";
    refused(uri, "user information (\"user@\")", at(uri, "@"));
    // Rule: port — digits only.
    let uri = "https://a:80x/01/12312312312333";
    refused(uri, "a port is digits only, not 'x'", at(uri, "x"));
    // A host is required (engine: "No domain").
    refused("http:///", "no host name", 7);
    refused(
        "https://:443/01/12312312312333",
        "no host name before its port",
        8,
    );
}

#[test]
fn only_uri_characters_appear_unescaped_and_every_escape_is_well_formed() {
    // Rule: percent-encoding — escaped values are decoded, upper or lower case hex (engine:
    // "Percent escaped values"); escaping an unreserved character ('-' as %2d) is allowed.
    assert_eq!(
        accepted("https://a/01/12312312312333/22/ABC%2d123?99=ABC&98=XYZ%2f987"),
        pairs(&[
            ("01", GTIN),
            ("22", "ABC-123"),
            ("99", "ABC"),
            ("98", "XYZ/987")
        ])
    );
    // Characters outside RFC 3986 must be escaped: a space, a non-ASCII letter.
    let uri = "https://a/01/12312312312333/10/AB C";
    refused(uri, "' ' may not appear unescaped in a URI", at(uri, " "));
    let uri = "https://a/01/12312312312333/10/Aé";
    refused(
        uri,
        "'é' may not appear unescaped in a URI: write it percent-encoded, %C3%A9",
        at(uri, "é"),
    );
    let uri = "https://a/01/12312312312333/10/A|B";
    refused(uri, "'|' may not appear unescaped", at(uri, "|"));
    // Every '%' starts two hex digits (engine's URIunescape passes "A%4gB" and "ABC%2" through as
    // data; RFC 3986 does not allow them in a URI).
    let uri = "https://a/01/12312312312333/22/A%4gB";
    refused(
        uri,
        "'%' must start a percent-escape of two hex digits, got \"%4g\"",
        at(uri, "%"),
    );
    let uri = "https://a/01/12312312312333/22/ABC%2";
    refused(uri, "got \"%2\"", at(uri, "%"));
    // '[' and ']' only around an IPv6 host.
    let uri = "https://a/01/12312312312333/22/A[1]";
    refused(
        uri,
        "'[' may not appear unescaped in the path of a URI: write it %5B",
        at(uri, "["),
    );
    // Decoded values must be UTF-8 text; GS1 data is ASCII, so an escaped 'é' names the AI.
    let uri = "https://a/01/12312312312333/22/A%FFB";
    refused(
        uri,
        "(22) decodes to bytes that are not UTF-8 text at \"%FFB\"",
        at(uri, "%"),
    );
    let uri = "https://a/01/12312312312333/10/A%C3%A9";
    refused(uri, "(10) may not contain 'é'", at(uri, "%"));
    // A NUL escape is refused (engine: "Check that \0 is trapped as an illegal character").
    let uri = "https://a/01/12312312312333/22/A%00B";
    refused(uri, "(22) may not contain '\\0'", at(uri, "%"));
    // AI keys are plain digits, never escaped.
    let uri = "https://a/01/12312312312333?%39%39=ABC";
    refused(
        uri,
        "the AI (99) is written percent-encoded as \"%39%39\"",
        at(uri, "%"),
    );
}

#[test]
fn a_plus_is_a_plus_in_the_path_and_a_space_in_the_query() {
    // Rule: percent-decoding — engine: "\"+\" means \"+\" in path info" and "means \" \"" in the
    // query, where a space is no CSET 82 character.
    assert_eq!(
        accepted("https://a/01/12312312312333/22/ABC+123?99=ABC&98=XYZ%2f987"),
        pairs(&[
            ("01", GTIN),
            ("22", "ABC+123"),
            ("99", "ABC"),
            ("98", "XYZ/987")
        ])
    );
    assert_eq!(
        accepted("https://a/01/12312312312333?99=A%2BB"),
        pairs(&[("01", GTIN), ("99", "A+B")])
    );
    let uri = "https://a/01/12312312312333/22/ABC%2d123?99=ABC&98=XYZ+987";
    refused(uri, "(98) may not contain ' '", at(uri, "+"));
}

#[test]
fn the_path_ends_in_ai_value_pairs_from_the_last_primary_key() {
    // Rule: primary key — anything before the pairs is the stem (engine: "Custom stem", "Fake AI
    // in stem, stop at rightmost key").
    for uri in [
        "https://a/stem/00/006141411234567890",
        "https://a/more/stem/00/006141411234567890",
        "https://a/00/faux/00/006141411234567890",
    ] {
        assert_eq!(
            accepted(uri),
            pairs(&[("00", "006141411234567890")]),
            "{uri}"
        );
    }
    // Standard: a brand domain with extra path info.
    assert_eq!(
        accepted("https://brand.example.com/some-extra/pathinfo/01/09520123456788"),
        pairs(&[("01", "09520123456788")])
    );
    // Engine: "No path info", "Pathological minimal domain but no AI info".
    refused("http://a", "the URI has no path", 8);
    refused("http://a/", "no GS1 primary key in the path \"/\"", 8);
    refused("http://a/b", "no GS1 primary key", 8);
    refused("https://example.com/products/123", "no GS1 primary key", 19);
    // Engine: "Examples with unknown AIs, not permitted" — (89) breaks the pairs.
    let uri = "https://example.com/01/09520123456788/89/ABC123?99=XYZ";
    refused(
        uri,
        "(89) in the path is not a GS1 Application Identifier",
        at(uri, "89"),
    );
    // A qualifier without its value.
    let uri = "https://id.gs1.org/01/09520123456788/10";
    refused(
        uri,
        "(10) at the end of the path has no value",
        at(uri, "/10") + 1,
    );
    // An empty value.
    let uri = "https://a/01//10/ABC";
    refused(
        uri,
        "(01) has an empty value in the path",
        at(uri, "01//") + 3,
    );
}

#[test]
fn the_path_does_not_end_in_a_slash() {
    // Rule: no trailing slash (engine: "Can't end in slash").
    assert_eq!(
        accepted("https://a/stem/00/006141411234567890"),
        pairs(&[("00", "006141411234567890")])
    );
    let uri = "https://a/stem/00/006141411234567890/";
    refused(uri, "may not end in '/'", uri.len() - 1);
    let uri = "https://id.gs1.org/01/09520123456788/10/ABC123/";
    refused(uri, "may not end in '/'", uri.len() - 1);
}

#[test]
fn qualifiers_follow_one_of_the_primary_keys_sequences() {
    // Rule: qualifier order (dictionary dlpkey=22,10,21|235; engine and standard examples).
    for (uri, want) in [
        (
            "https://a/01/12312312312333/22/TEST/10/ABC/21/XYZ",
            vec![("01", GTIN), ("22", "TEST"), ("10", "ABC"), ("21", "XYZ")],
        ),
        (
            "https://a/01/12312312312333/235/TEST",
            vec![("01", GTIN), ("235", "TEST")],
        ),
        (
            "https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426",
            vec![
                ("01", "09520123456788"),
                ("10", "ABC1"),
                ("21", "12345"),
                ("17", "180426"),
            ],
        ),
        (
            "https://a/8018/123456789012345675/8019/123",
            vec![("8018", "123456789012345675"), ("8019", "123")],
        ),
        (
            "https://id.gs1.org/414/9520123456788/254/32a%2Fb",
            vec![("414", "9520123456788"), ("254", "32a/b")],
        ),
    ] {
        assert_eq!(accepted(uri), pairs(&want), "{uri}");
    }
    let uri = "https://id.gs1.org/01/09520123456788/21/12345/10/ABC1";
    refused(
        uri,
        "(10) is not a qualifier of (01) in this order (allowed: 22, 10, 21 | 235)",
        at(uri, "/10/") + 1,
    );
    let uri = "https://a/01/12312312312333/235/TEST/21/XYZ";
    refused(uri, "(21) is not a qualifier of (01)", at(uri, "/21/") + 1);
    let uri = "https://id.gs1.org/00/952012345678912345/10/ABC";
    refused(
        uri,
        "(00) takes no qualifier, got (10)",
        at(uri, "/10/") + 1,
    );
}

#[test]
fn each_value_has_its_ais_dictionary_form_as_written() {
    // Rule: value forms — length (engine: "Too long N13 X0..17").
    assert_eq!(
        accepted("https://a/253/1231231231232TEST5678901234567"),
        pairs(&[("253", "1231231231232TEST5678901234567")])
    );
    let uri = "https://a/253/1231231231232TEST56789012345678";
    refused(
        uri,
        "(253) is at most 30 characters, got 31",
        at(uri, "1231"),
    );
    // Check digit: the position is the check digit's.
    let uri = "https://a/01/12312312312334";
    refused(
        uri,
        "(01) check digit 4 is wrong, expected 3",
        uri.len() - 1,
    );
    // Character set: '~' is an unreserved URI character but no CSET 82 character.
    let uri = "https://a/01/12312312312333/10/AB~C";
    refused(uri, "(10) may not contain '~'", at(uri, "~"));
}

#[test]
fn a_gtin_is_written_with_all_fourteen_digits_in_the_path_and_in_the_query() {
    // Rule: GTIN form. Engine: https://a/01/2112345678900 is refused — its check digit is right
    // (with the legacy option it is read as 02112345678900), it is refused as a zero-suppressed
    // GTIN-13. Standard 1.4 on: "gtin-value = 14DIGIT".
    assert_eq!(
        accepted("https://id.gs1.org/01/09520123456788"),
        pairs(&[("01", "09520123456788")])
    );
    refused(
        "https://a/01/2112345678900",
        "(01) in a Digital Link is a GTIN of 14 digits; 2112345678900 is a zero-suppressed \
         GTIN-13 (a legacy form): write 02112345678900",
        13,
    );
    refused("https://a/01/416000336108", "zero-suppressed GTIN-12", 13);
    refused("https://a/01/02345673", "zero-suppressed GTIN-8", 13);
    refused(
        "https://brand.example.com/01/9520123456788",
        "write 09520123456788",
        29,
    );
    // In the query too: the standard's gtinParameter is "01=" gtin-value. The engine pads a short
    // (01) in the query (its spec example ?01=9520123456788); dockhand follows the standard.
    assert_eq!(
        accepted("https://example.com/8004/9520614141234567?01=09520123456788"),
        pairs(&[("8004", "9520614141234567"), ("01", "09520123456788")])
    );
    let uri = "https://example.com/8004/9520614141234567?01=02345673";
    refused(
        uri,
        "02345673 is a zero-suppressed GTIN-8",
        at(uri, "=") + 1,
    );
    let uri = "https://id.gs1.org/00/952012345678912345?02=9520123456788&37=25";
    refused(
        uri,
        "(02) in a Digital Link is a GTIN of 14 digits",
        at(uri, "=") + 1,
    );
}

#[test]
fn query_parameters_with_numeric_keys_are_data_attributes() {
    // Rule: data attributes — engine and standard examples.
    for (uri, want) in [
        (
            "https://a/stem/00/006141411234567890?",
            vec![("00", "006141411234567890")],
        ),
        (
            "https://a/stem/401/12345678?99=ABC",
            vec![("401", "12345678"), ("99", "ABC")],
        ),
        (
            "https://a/01/12312312312333?&&&99=ABC&&&&&&98=XYZ&&&",
            vec![("01", GTIN), ("99", "ABC"), ("98", "XYZ")],
        ),
        (
            "https://a/01/12312312312333?singleton1&unknown1=555&99=ABC&singleton2&unknown2=6666&98=XYZ&unknown3=777&singleton3",
            vec![("01", GTIN), ("99", "ABC"), ("98", "XYZ")],
        ),
        (
            "https://id.gs1.org/01/09520123456788?linkType=gs1:pip&3103=000195",
            vec![("01", "09520123456788"), ("3103", "000195")],
        ),
        (
            "https://example.com/01/09520123456788?3103=000195&3922=0299&17=201225",
            vec![
                ("01", "09520123456788"),
                ("3103", "000195"),
                ("3922", "0299"),
                ("17", "201225"),
            ],
        ),
        (
            "https://id.gs1.org/00/952012345678912345?02=09520123456788&37=25&10=ABC123",
            vec![
                ("00", "952012345678912345"),
                ("02", "09520123456788"),
                ("37", "25"),
                ("10", "ABC123"),
            ],
        ),
    ] {
        assert_eq!(accepted(uri), pairs(&want), "{uri}");
    }
    // Engine: "Empty AI value in query parameter".
    let uri = "https://a/01/12312312312333?99=";
    refused(uri, "(99) has an empty value in the query", uri.len());
    // Engine: "Non-AI, numeric-only query param".
    let uri = "https://a/01/12312312312333?99=ABC&999=faux";
    refused(
        uri,
        "(999) is not a GS1 Application Identifier",
        at(uri, "999"),
    );
    let uri = "https://example.com/01/09520123456788?99=XYZ&89=ABC123";
    refused(
        uri,
        "(89) is not a GS1 Application Identifier",
        at(uri, "89="),
    );
    // Only AIs the dictionary marks '?' are data attributes: (21) is not, and with the (235)
    // qualifier in the path it cannot join the path either.
    let uri = "https://id.gs1.org/01/09520123456788/235/XYZ?21=S1";
    refused(
        uri,
        "(21) may not be a Digital Link data attribute",
        at(uri, "21="),
    );
}

#[test]
fn a_qualifier_that_fits_the_path_belongs_in_the_path() {
    // Rule: qualifiers in the path (engine: "AI in query params that should be in the path info";
    // "This is fine because we chose an alternate key qualifier").
    assert_eq!(
        accepted("https://id.gs1.org/01/09520123456788/235/XYZ?10=ABC123"),
        pairs(&[("01", "09520123456788"), ("235", "XYZ"), ("10", "ABC123")])
    );
    let uri = "https://example.com/01/09520123456788?10=ABC123";
    refused(
        uri,
        "(10) is a key qualifier of (01) here: it belongs in the path",
        at(uri, "10="),
    );
    let uri = "https://example.com/01/09520123456788/22/V1?10=ABC123";
    refused(uri, "belongs in the path", at(uri, "10="));
}

#[test]
fn an_ai_appears_only_once() {
    // Rule: no duplicates (engine: "Forbid duplicate AIs").
    assert_eq!(
        accepted("https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789"),
        pairs(&[("01", "09520123456788"), ("10", "ABC123"), ("99", "XYZ789")])
    );
    let uri = "https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789&01=09520123456788";
    refused(uri, "(01) appears already in the path", at(uri, "01="));
    let uri = "https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789&10=ABC123";
    refused(uri, "(10) appears already in the path", at(uri, "10="));
    let uri = "https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789&99=XYZ789";
    refused(uri, "(99) appears twice in the query", at(uri, "&99=") + 1);
}

#[test]
fn the_fragment_is_ignored() {
    // Rule: fragment (engine: "Empty fragment after path info", "Ignore fragment after query
    // info"); what follows '#' is not data, even if it looks like a query.
    for (uri, want) in [
        (
            "https://a/01/12312312312333/22/test/10/abc/21/xyz#",
            vec![("01", GTIN), ("22", "test"), ("10", "abc"), ("21", "xyz")],
        ),
        (
            "https://a/01/12312312312333/22/test/10/abc/21/xyz#fragment",
            vec![("01", GTIN), ("22", "test"), ("10", "abc"), ("21", "xyz")],
        ),
        (
            "https://a/stem/00/006141411234567890?99=ABC#fragment",
            vec![("00", "006141411234567890"), ("99", "ABC")],
        ),
        ("https://a/01/12312312312333#?17=999999", vec![("01", GTIN)]),
    ] {
        assert_eq!(accepted(uri), pairs(&want), "{uri}");
    }
    // A fragment is still URI text: no second '#', no unescaped space.
    let uri = "https://a/01/12312312312333#one#two";
    refused(
        uri,
        "'#' may not appear unescaped in the fragment",
        at(uri, "#two"),
    );
    let uri = "https://a/01/12312312312333#a b";
    refused(uri, "' ' may not appear unescaped", at(uri, " "));
}

#[test]
fn a_digital_link_reads_to_the_same_elements_as_its_element_string() {
    // Standard example: the URI and "(01)09520123456788(10)ABC1(21)12345(17)180426" carry the
    // same data.
    let from_uri = gs1::parse_on(
        "https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426",
        YEAR,
    )
    .unwrap();
    let mut from_string =
        gs1::parse_on("(01)09520123456788(10)ABC1(21)12345(17)180426", YEAR).unwrap();
    let mut sorted = from_uri.clone();
    sorted.sort_by(|a, b| a.ai.cmp(&b.ai));
    from_string.sort_by(|a, b| a.ai.cmp(&b.ai));
    assert_eq!(sorted, from_string);
    // And the canonical URI written from them parses back to them.
    let canonical = gs1::to_digital_link(&from_uri, None, None).unwrap();
    assert_eq!(
        canonical,
        "https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426"
    );
}

/// Where dockhand judges a URI of the engine's table differently, with the reason.
const DIFFERS_FROM_ENGINE: &[(&str, &str)] = &[(
    "https://example.com/8004/9520614141234567?01=9520123456788",
    "the engine pads a 13-digit (01) in the query to 14 digits; the standard's gtinParameter is \
     \"01=\" gtin-value with gtin-value = 14DIGIT, so dockhand refuses it as in the path",
)];

#[test]
fn gs1s_reference_table_is_followed_case_by_case() {
    // Every URI of gs1-syntax-engine's test_dl_parseDLuri run with the default options (no
    // convenience alphas, no zero-suppressed GTINs, no unknown AIs), with the engine's verdict.
    let table: &[(bool, &str)] = &[
        (false, ""),
        (false, "ftp://"),
        (false, "http://"),
        (false, "http:///"),
        (false, "http://a"),
        (false, "http://a/"),
        (false, "http://a/b"),
        (false, "http://a/b/"),
        (true, "http://a/00/006141411234567890"),
        (true, "HTTP://a/00/006141411234567890"),
        (true, "https://a/00/006141411234567890"),
        (true, "HTTPS://a/00/006141411234567890"),
        (false, "HtTp://a/b/00/006141411234567890"),
        (false, "https://00/006141411234567890"),
        (true, "https://a/01/12312312312333"),
        (true, "https://xn--fsq.xn--0zwm56d/01/12312312312333"),
        (true, "https://a./01/12312312312333"),
        (true, "https://a:65535/01/12312312312333"),
        (true, "https://192.0.2.1/01/12312312312333"),
        (true, "https://3232235777/01/12312312312333"),
        (true, "https://0300.0250.01.01/01/12312312312333"),
        (true, "https://0xC0.0xA8.0x01.0x01/01/12312312312333"),
        (true, "https://[2001:db8::1]/01/12312312312333"),
        (false, "https://[fe80::1%25lo]/01/12312312312333"),
        (false, "https://$a/006141411234567890"),
        (false, "https://a$/006141411234567890"),
        (true, "https://a/stem/00/006141411234567890"),
        (true, "https://a/more/stem/00/006141411234567890"),
        (true, "https://a/00/faux/00/006141411234567890"),
        (false, "https://a/gtin/12312312312333"),
        (false, "https://a/01/2112345678900"),
        (false, "https://a/01/416000336108"),
        (false, "https://a/01/02345673"),
        (true, "https://a/01/12312312312333/22/TEST/10/ABC/21/XYZ"),
        (true, "https://a/01/12312312312333/235/TEST"),
        (true, "https://a/253/1231231231232"),
        (true, "https://a/253/1231231231232TEST5678901234567"),
        (false, "https://a/253/1231231231232TEST56789012345678"),
        (true, "https://a/8018/123456789012345675/8019/123"),
        (false, "https://a/stem/00/006141411234567890/"),
        (true, "https://a/stem/00/006141411234567890?"),
        (true, "https://a/stem/00/006141411234567890?99=ABC"),
        (true, "https://a/stem/401/12345678?99=ABC"),
        (true, "https://a/01/12312312312333?99=ABC&98=XYZ"),
        (false, "https://a/01/12312312312333?99="),
        (false, "https://a/01/12312312312333?99=ABC&999=faux"),
        (true, "https://a/01/12312312312333?&&&99=ABC&&&&&&98=XYZ&&&"),
        (
            true,
            "https://a/01/12312312312333?99=ABC&unknown=666&98=XYZ",
        ),
        (
            true,
            "https://a/01/12312312312333?unknown=666&99=ABC&98=XYZ",
        ),
        (
            true,
            "https://a/01/12312312312333?99=ABC&98=XYZ&unknown=666",
        ),
        (
            true,
            "https://a/01/12312312312333?unknown1=555&99=ABC&unknown2=666&98=XYZ&unknown3=777",
        ),
        (true, "https://a/01/12312312312333?99=ABC&singleton&98=XYZ"),
        (true, "https://a/01/12312312312333?singleton&99=ABC&98=XYZ"),
        (true, "https://a/01/12312312312333?99=ABC&98=XYZ&singleton"),
        (
            true,
            "https://a/01/12312312312333?singleton1&99=ABC&singleton2&98=XYZ&singleton3",
        ),
        (
            true,
            "https://a/01/12312312312333?singleton1&unknown1=555&99=ABC&singleton2&unknown2=6666&98=XYZ&unknown3=777&singleton3",
        ),
        (
            true,
            "https://a/01/12312312312333/22/ABC%2d123?99=ABC&98=XYZ%2f987",
        ),
        (
            true,
            "https://a/01/12312312312333/22/ABC+123?99=ABC&98=XYZ%2f987",
        ),
        (
            false,
            "https://a/01/12312312312333/22/ABC%2d123?99=ABC&98=XYZ+987",
        ),
        (true, "https://a/01/12312312312333/22/test/10/abc/21/xyz#"),
        (
            true,
            "https://a/01/12312312312333/22/test/10/abc/21/xyz#fragment",
        ),
        (true, "https://a/stem/00/006141411234567890?99=ABC#"),
        (true, "https://a/stem/00/006141411234567890?99=ABC#fragment"),
        // Examples from the Digital Link standard.
        (true, "https://id.gs1.org/01/09520123456788"),
        (true, "https://id.gs1.org/01/09520123456788/22/2A"),
        (true, "https://id.gs1.org/01/09520123456788/10/ABC123"),
        (true, "https://id.gs1.org/01/09520123456788/21/12345"),
        (
            true,
            "https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426",
        ),
        (true, "https://id.gs1.org/01/09520123456788?3103=000195"),
        (
            true,
            "https://example.com/01/09520123456788?3103=000195&3922=0299&17=201225",
        ),
        (
            true,
            "https://id.gs1.org/01/09520123456788?3103=000195&3922=0299&17=201225",
        ),
        (
            true,
            "https://id.gs1.org/01/09520123456788?17=201225&3103=000195&3922=0299",
        ),
        (true, "https://id.gs1.org/00/952012345678912345"),
        (
            true,
            "https://id.gs1.org/00/952012345678912345?02=09520123456788&37=25&10=ABC123",
        ),
        (true, "https://id.gs1.org/414/9520123456788"),
        (true, "https://id.gs1.org/414/9520123456788/254/32a%2Fb"),
        (
            true,
            "https://example.com/8004/9520614141234567?01=9520123456788",
        ),
        (false, "https://example.com/01/09520123456788?10=ABC123"),
        (
            true,
            "https://id.gs1.org/01/09520123456788/235/XYZ?10=ABC123",
        ),
        (
            false,
            "https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789&01=09520123456788",
        ),
        (
            false,
            "https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789&10=ABC123",
        ),
        (
            false,
            "https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789&99=XYZ789",
        ),
        (
            false,
            "https://example.com/01/09520123456788/89/ABC123?99=XYZ",
        ),
        (
            false,
            "https://example.com/01/09520123456788?99=XYZ&89=ABC123",
        ),
    ];
    let mut wrong = Vec::new();
    for (engine, uri) in table {
        let differs = DIFFERS_FROM_ENGINE.iter().any(|(u, _)| u == uri);
        let expected = *engine != differs;
        let got = gs1::parse_on(uri, YEAR);
        if got.is_ok() != expected {
            wrong.push(format!("{uri}: expected {expected}, got {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
