//! The GS1 parser beyond the corpus: the dictionary, check digits, dates, separators, symbology
//! identifiers, decimals, and errors that name the AI and the position.
#![allow(clippy::unwrap_used)]

use dockhand_core::gs1::{self, Dictionary, Gs1Value};

#[test]
fn the_shipped_dictionary_parses_and_matches_the_shared_reference_copy() {
    let dictionary = Dictionary::parse(gs1::SYNTAX_DICTIONARY).unwrap();
    assert!(dictionary.len() > 450, "{} AIs", dictionary.len());
    assert_eq!(gs1::dictionary().len(), dictionary.len());
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/gs1/gs1-syntax-dictionary.txt");
    if let Ok(reference) = std::fs::read_to_string(shared) {
        assert_eq!(
            reference,
            gs1::SYNTAX_DICTIONARY,
            "core/data copy differs from shared/data/gs1"
        );
    }
    let lot = dictionary.get("10").unwrap();
    assert_eq!(
        (lot.predefined_length, lot.max_length(), lot.title.as_str()),
        (false, 20, "BATCH/LOT")
    );
    let gtin = dictionary.get("01").unwrap();
    assert_eq!(
        (gtin.predefined_length, gtin.fixed_length()),
        (true, Some(14))
    );
    assert!(dictionary.get("3103").is_some() && dictionary.get("3106").is_none());
}

fn parse(input: &str) -> Vec<(String, Gs1Value)> {
    gs1::parse_on(input, 2026)
        .unwrap_or_else(|e| panic!("{input:?}: {e}"))
        .into_iter()
        .map(|e| (e.ai, e.value))
        .collect()
}

fn date(y: i32, m: u32, d: u32) -> Gs1Value {
    Gs1Value::Date(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

#[test]
fn gtin_lot_and_expiry_parse_in_every_form_a_scanner_sends() {
    let expected = vec![
        ("01".to_string(), Gs1Value::Gtin("04012345000016".into())),
        ("10".to_string(), Gs1Value::Text("L2611A".into())),
        ("17".to_string(), date(2027, 3, 1)),
    ];
    for input in [
        "]d201040123450000161\u{1d}".replace("1\u{1d}", "10L2611A\u{1d}17270301"),
        "]d20104012345000016".to_string() + "10L2611A\u{1d}17270301",
        "]C1^010401234500001610L2611A^17270301".to_string(),
        "]Q30104012345000016".to_string() + "10L2611A|17270301",
        "0104012345000016".to_string() + "10L2611A\u{1d}\u{1d}17270301",
        "(01)04012345000016(10)L2611A(17)270301".to_string(),
        "]e0(01)04012345000016(10)L2611A(17)270301".to_string(),
        // A predefined-length AI first, the variable one last: no separator needed.
        "^01040123450000161727030110L2611A".to_string(),
    ] {
        let mut got = parse(&input);
        got.sort_by(|a, b| a.0.cmp(&b.0));
        let mut want = expected.clone();
        want.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(got, want, "{input:?}");
    }
}

#[test]
fn check_digits_of_gtin_sscc_and_gln() {
    assert_eq!(gs1::check_digit("401234500001"), Some(6));
    assert_eq!(gs1::check_digit("37612345000000001"), Some(6));
    assert!(gs1::has_valid_check_digit("4006381333931"));
    assert!(!gs1::has_valid_check_digit("4006381333932"));
    assert_eq!(gs1::parse_gtin("4012345000016").unwrap(), "04012345000016");
    assert_eq!(gs1::parse_gtin("96385074").unwrap(), "00000096385074");
    let err = gs1::parse_gtin("4012345000017").unwrap_err();
    assert!(err.message.contains("check digit 7, expected 6"), "{err}");
    assert_eq!(err.position, 12);
    let err = gs1::parse_sscc("37612345000000001").unwrap_err();
    assert!(err.message.contains("17 digits, expected 18"), "{err}");
    let err = gs1::parse_gtin("40123450000a6").unwrap_err();
    assert_eq!(
        (err.position, err.message.contains("'a'")),
        (11, true),
        "{err}"
    );
}

#[test]
fn price_and_weight_check_digits_follow_the_weighting_tables_and_catch_every_single_digit_error() {
    // By hand: 1234 → 2-(1)+2-(2)+3(3)+5-(4) = 2+4+9+8 = 23, ×3 = 69 → 9.
    assert_eq!(gs1::price_weight_check_digit("1234"), Some(9));
    // 12345 → 5+(1)+2-(2)+5-(3)+5+(4)+2-(5) = 5+4+4+2+9 = 24; 10−4 = 6 = 5-(8) → 8.
    assert_eq!(gs1::price_weight_check_digit("12345"), Some(8));
    for bad in ["", "123", "123456", "12a4", "１２３４"] {
        assert_eq!(gs1::price_weight_check_digit(bad), None, "{bad:?}");
    }
    // The point of the scheme: changing any one digit changes the check digit.
    for width in [4usize, 5] {
        let step = if width == 4 { 1 } else { 7 };
        for n in (0..10u32.pow(width as u32)).step_by(step) {
            let value = format!("{n:0width$}");
            let check = gs1::price_weight_check_digit(&value).unwrap();
            for position in 0..width {
                for digit in b'0'..=b'9' {
                    let mut changed = value.clone().into_bytes();
                    if changed[position] == digit {
                        continue;
                    }
                    changed[position] = digit;
                    let changed = String::from_utf8(changed).unwrap();
                    assert_ne!(
                        gs1::price_weight_check_digit(&changed),
                        Some(check),
                        "{value} and {changed} share check digit {check}"
                    );
                }
            }
        }
    }
}

#[test]
fn a_wrong_check_digit_names_the_ai_and_the_position() {
    let err = gs1::parse_on("]d2010401234500001710L1", 2026).unwrap_err();
    assert_eq!(err.ai.as_deref(), Some("01"));
    // At the check digit itself, as GS1's reference reports it: the AI's data starts at 5.
    assert_eq!(err.position, 5 + 13);
    assert!(
        err.to_string()
            .contains("check digit 7 is wrong, expected 6"),
        "{err}"
    );
}

#[test]
fn dates_follow_the_gs1_rules_including_day_zero_and_the_century_window() {
    assert_eq!(parse("^17270300"), vec![("17".into(), date(2027, 3, 31))]);
    assert_eq!(parse("^17280200"), vec![("17".into(), date(2028, 2, 29))]);
    assert_eq!(parse("^15760526"), vec![("15".into(), date(2076, 5, 26))]);
    assert_eq!(parse("^15770526"), vec![("15".into(), date(1977, 5, 26))]);
    for bad in ["17271301", "17270230", "17270000"] {
        let err = gs1::parse_element_strings_on(bad, 2026).unwrap_err();
        assert!(err.message.contains("not a valid date"), "{bad}: {err}");
        assert_eq!(err.ai.as_deref(), Some("17"));
    }
    // (7003) expiry date and time has no day-zero rule (yymmdd, not yymmd0): day 00 is refused.
    let err = gs1::parse_element_strings_on("70032703001200", 2026).unwrap_err();
    assert_eq!(err.ai.as_deref(), Some("7003"), "{err}");
    assert_eq!(
        parse("^70032703011200"),
        vec![("7003".into(), date(2027, 3, 1))]
    );
}

#[test]
fn weights_and_amounts_are_exact_decimals() {
    let got = parse("0104012345000016\u{1d}3103001234");
    assert_eq!(
        got[1],
        (
            "3103".into(),
            Gs1Value::Decimal {
                units: 1234,
                scale: 3
            }
        )
    );
    assert_eq!(got[1].1.to_string(), "1.234");
    let got = parse("0104012345000016\u{1d}3922000999");
    assert_eq!(got[1].1.to_string(), "9.99");
    let got = parse("0104012345000016\u{1d}30250");
    assert_eq!(got[1], ("30".into(), Gs1Value::Count(250)));
}

#[test]
fn a_lot_that_looks_like_an_ai_stays_a_lot() {
    let got = parse("(01)04012345000016(10)10D9T");
    assert_eq!(got[1], ("10".into(), Gs1Value::Text("10D9T".into())));
    let got = parse(
        "]d2010401234500001610\u{1d}10D9T"
            .replace("10\u{1d}10D9T", "1010D9T")
            .as_str(),
    );
    assert_eq!(got[1], ("10".into(), Gs1Value::Text("10D9T".into())));
}

#[test]
fn unknown_ais_bad_characters_and_foreign_symbologies_are_refused_with_their_position() {
    let err = gs1::parse_on("^01040123450000162599", 2026).unwrap_err();
    assert_eq!(err.position, 17, "{err}");
    assert!(
        err.message.contains("no GS1 Application Identifier"),
        "{err}"
    );
    let err = gs1::parse_on("0104012345000016\u{1d}10L€1", 2026).unwrap_err();
    assert_eq!((err.ai.as_deref(), err.position), (Some("10"), 20), "{err}");
    let err = gs1::parse_on("]E04012345000016", 2026).unwrap_err();
    assert!(err.message.contains("]E0"), "{err}");
    let err = gs1::parse_on("(01)0401234500001", 2026).unwrap_err();
    assert_eq!(err.ai.as_deref(), Some("01"));
    assert!(gs1::parse_on("", 2026).is_err());
    assert!(gs1::parse_on("]d2", 2026).is_err());
    let err = gs1::parse_element_strings_on("10ABCDEFGHIJKLMNOPQRSTUV", 2026).unwrap_err();
    assert!(err.message.contains("at most 20"), "{err}");
}

proptest::proptest! {
    #[test]
    fn the_parser_never_panics_on_arbitrary_input(input in proptest::prelude::any::<String>()) {
        let _ = gs1::parse_on(&input, 2026);
        let _ = gs1::read_any_on(&input, 2026);
    }

    #[test]
    fn the_parser_never_panics_on_gs1_like_input(input in "(\\]d2|\\]C1|\\]E0|\\]E4|\\]Q3|\\(|)?[0-9()^|\\x1d A-Z]{0,60}") {
        let _ = gs1::parse_on(&input, 2026);
        let _ = gs1::read_any_on(&input, 2026);
    }
}

#[test]
fn digital_link_uris_give_the_same_elements_as_barcodes() {
    let uri = "https://id.example.com/shop/01/04012345000016/10/L%2F26?17=270301&linkType=pip";
    let got = parse(uri);
    assert_eq!(
        got,
        vec![
            ("01".to_string(), Gs1Value::Gtin("04012345000016".into())),
            ("10".to_string(), Gs1Value::Text("L/26".into())),
            ("17".to_string(), date(2027, 3, 1)),
        ]
    );
    // A QR code scanned with its (non-GS1) symbology identifier.
    assert_eq!(parse(&format!("]Q1{uri}")), got);
    let sscc = parse("https://id.gs1.org/00/376123450000000016");
    assert_eq!(
        sscc,
        vec![(
            "00".to_string(),
            Gs1Value::Sscc("376123450000000016".into())
        )]
    );
}

#[test]
fn digital_link_qualifiers_must_follow_the_dictionary_order() {
    let err = gs1::parse_on("https://id.gs1.org/01/04012345000016/21/SN1/10/L1", 2026).unwrap_err();
    assert_eq!(err.ai.as_deref(), Some("10"), "{err}");
    assert!(err.message.contains("22, 10, 21"), "{err}");
    let err = gs1::parse_on("https://id.gs1.org/00/376123450000000016/10/L1", 2026).unwrap_err();
    assert!(err.message.contains("takes no qualifier"), "{err}");
    let err = gs1::parse_on("https://example.com/products/123", 2026).unwrap_err();
    assert!(err.message.contains("no GS1 primary key"), "{err}");
    let err = gs1::parse_on("https://id.gs1.org/01/04012345000016/10", 2026).unwrap_err();
    assert!(err.message.contains("has no value"), "{err}");
    let err = gs1::parse_on("https://id.gs1.org/01/04012345000017", 2026).unwrap_err();
    assert!(err.message.contains("check digit"), "{err}");
}

#[test]
fn non_ascii_data_is_refused_not_split_inside_a_character() {
    // Found by the fuzzer (examples/fuzz_scans.rs): a fixed-length AI cut a multi-byte character.
    let err = gs1::parse_on("^012345678901234⁰1⁰⁰", 2026).unwrap_err();
    assert_eq!((err.ai.as_deref(), err.position), (Some("01"), 16), "{err}");
    assert!(err.message.contains("may not contain '⁰'"), "{err}");
    let err = gs1::parse_on("https://id.gs1.org/01/04012345000016/10/%C3%A9", 2026).unwrap_err();
    assert_eq!(err.ai.as_deref(), Some("10"), "{err}");
}

fn sorted(mut elements: Vec<gs1::Element>) -> Vec<(String, String)> {
    elements.sort_by(|a, b| a.ai.cmp(&b.ai));
    elements.into_iter().map(|e| (e.ai, e.raw)).collect()
}

#[test]
fn digital_link_and_hri_round_trips_keep_every_element() {
    for input in [
        "]d2010401234500001610L2611A\u{1d}17270301",
        "(01)04012345000016(22)2A(10)L/26%x(21)SN-9(17)270301",
        "(00)376123450000000016(02)04012345000016(37)25(10)ABC",
        "(01)04012345000016(3103)001234(10)L1",
        "(414)4012345000009(254)DOCK-1",
    ] {
        let elements = gs1::parse_on(input, 2026).unwrap_or_else(|e| panic!("{input}: {e}"));
        let uri = gs1::to_digital_link(&elements, Some("brand.example.com"), Some("p")).unwrap();
        assert!(uri.starts_with("https://brand.example.com/p/"), "{uri}");
        assert_eq!(
            sorted(gs1::parse_on(&uri, 2026).unwrap()),
            sorted(elements.clone()),
            "{input} -> {uri}"
        );
        let hri = gs1::to_hri(&elements);
        assert_eq!(
            sorted(gs1::parse_on(&hri, 2026).unwrap()),
            sorted(elements),
            "{input} -> {hri}"
        );
    }
    let canonical = gs1::to_digital_link(
        &gs1::parse_on("(01)04012345000016(10)L1(17)270301", 2026).unwrap(),
        None,
        None,
    )
    .unwrap();
    assert_eq!(
        canonical,
        "https://id.gs1.org/01/04012345000016/10/L1?17=270301"
    );
}

fn gtin_of(r: &gs1::Readings) -> Option<(&str, &str)> {
    r.gtin
        .as_ref()?
        .as_ref()
        .ok()
        .map(|g| (g.value.as_str(), g.format.as_str()))
}

#[test]
fn a_bare_payload_is_read_every_way_it_can_be_with_the_reason_for_each_that_fails() {
    // 8 digits: a GTIN-8; not a UPC-E (number system 9); plain digits are no GS1 data, though
    // with FNC1 they would be the element string (96) 385074.
    let r = gs1::read_any_on("96385074", 2026);
    assert_eq!(gtin_of(&r), Some(("96385074", "GTIN-8")));
    let upc = r.upc.as_ref().unwrap().as_ref().unwrap_err();
    assert!(
        upc.message.contains("number system 9, expected 0 or 1"),
        "{upc}"
    );
    assert!(r.sscc.as_ref().unwrap().is_err());
    assert!(r.elements().is_none() && !r.is_gs1());
    let plain = r.plain_element_strings.as_ref().unwrap().as_ref().unwrap();
    assert_eq!(plain[0].ai, "96");
    assert!(r.digital_link.is_none());

    // A UPC-E without number system or check digit stands for the UPC-A 042100005264.
    let r = gs1::read_any_on("425261", 2026);
    let upc = r.upc.as_ref().unwrap().as_ref().unwrap();
    assert_eq!((upc.upc_a.as_str(), upc.check_digit), ("042100005264", 4));
    assert_eq!(gtin_of(&r), Some(("042100005264", "GTIN-12")));

    // Neither a GTIN nor a UPC-E with this check digit; with FNC1 a valid (15) best-before date,
    // without it nothing: no reading works.
    let r = gs1::read_any_on("15210527", 2026);
    let gtin = r.gtin.as_ref().unwrap().as_ref().unwrap_err();
    assert!(gtin.message.contains("check digit 7, expected 4"), "{gtin}");
    let upc = r.upc.as_ref().unwrap().as_ref().unwrap_err();
    assert!(upc.message.contains("check digit 7, expected 6"), "{upc}");
    let plain = r.plain_element_strings.as_ref().unwrap().as_ref().unwrap();
    assert_eq!(plain[0].value, date(2021, 5, 27));
    assert!(!r.any_ok());
    let r = gs1::read_any_on("^15210527", 2026);
    assert_eq!(r.elements().unwrap()[0].value, date(2021, 5, 27));
    assert!(!gs1::read_any_on("ABC", 2026).any_ok());
}

#[test]
fn the_symbology_identifier_narrows_the_readings() {
    // EAN-8 carries a GTIN only: no UPC, SSCC or element-string reading is attempted.
    let r = gs1::read_any_on("]E496385074", 2026);
    assert_eq!(gtin_of(&r), Some(("96385074", "GTIN-8")));
    assert!(r.upc.is_none() && r.sscc.is_none() && r.element_strings.is_none());
    // EAN-13 / UPC-A: a GTIN-12 is also read as its UPC-A.
    let r = gs1::read_any_on("]E00123601057072", 2026);
    assert_eq!(gtin_of(&r), Some(("0123601057072", "GTIN-12")));
    assert_eq!(
        r.upc.as_ref().unwrap().as_ref().unwrap().value,
        "123601057072"
    );
    // GS1-128 carries element strings; their GTIN and SSCC are read as such.
    let r = gs1::read_any_on("]C100376130321109103420\u{1d}0105901234123457", 2026);
    assert_eq!(
        r.sscc.as_ref().unwrap().as_ref().unwrap(),
        "376130321109103420"
    );
    assert_eq!(gtin_of(&r), Some(("05901234123457", "GTIN-13")));
    // A QR code with a URI is a Digital Link; the GTIN of a UPC-A is read as a GTIN-12.
    let r = gs1::read_any_on("]Q3https://example.com/01/00614141123452", 2026);
    assert_eq!(gtin_of(&r), Some(("00614141123452", "GTIN-12")));
    assert!(r.element_strings.as_ref().unwrap().is_err());
    // Written zero-suppressed (before URI syntax 1.4) it is refused, unless the legacy option
    // is on, which reads it as its 14 digits.
    let short = "]Q3https://example.com/01/614141123452";
    let err = gs1::read_any_on(short, 2026)
        .digital_link
        .unwrap()
        .unwrap_err();
    assert!(err.message.contains("write 00614141123452"), "{err}");
    let legacy = gs1::Options {
        zero_suppressed_gtin_in_digital_link: true,
    };
    let r = gs1::read_any_with(short, 2026, legacy);
    assert_eq!(gtin_of(&r), Some(("00614141123452", "GTIN-12")));
    // A wrong check digit is still found at its character.
    let err = gs1::parse_with("https://e.com/01/614141123453", 2026, legacy).unwrap_err();
    assert_eq!(err.position, 28, "{err}");
}

#[test]
fn sscc_hri_groups_the_company_prefix_the_warehouse_knows() {
    assert_eq!(
        gs1::sscc_hri("376130321109103420", Some(7)).unwrap(),
        "3 7613032 110910342 0"
    );
    assert_eq!(
        gs1::sscc_hri("370595680445154697", Some(7)).unwrap(),
        "3 7059568 044515469 7"
    );
    assert_eq!(
        gs1::sscc_hri("376130321109103420", None).unwrap(),
        "3 7613032110910342 0"
    );
    let err = gs1::sscc_hri("376130321109103420", Some(13)).unwrap_err();
    assert!(err.message.contains("6 to 12 digits, not 13"), "{err}");
    // Without the warehouse's length, GS1's company prefix list gives it (issue 17, item 5):
    // 5708130 has 7 digits, 705956 6; GS1 Switzerland's 76 range is not in the list.
    for (sscc, hri) in [
        ("357081300469846950", "3 5708130 046984695 0"),
        ("370595680445154697", "3 705956 8044515469 7"),
        ("376130321109103420", "3 7613032110910342 0"),
    ] {
        assert_eq!(gs1::sscc_hri_listed(sscc).unwrap(), hri);
    }
    let err = gs1::sscc_hri("376130321109103421", Some(7)).unwrap_err();
    assert!(err.message.contains("check digit 1, expected 0"), "{err}");
}

/// The linters of the syntax dictionary on whole element strings, with GS1's own examples
/// (docs/gs1-linters.md): each refusal names the AI and says what is wrong with the value.
#[test]
fn the_dictionarys_linters_refuse_what_gs1s_reference_refuses() {
    let refused = [
        (
            "(8013)123456ABXX",
            "8013",
            "check characters XX are wrong, expected A9",
        ),
        (
            "(8001)12341234512321",
            "8001",
            "\"2\" is no winding direction",
        ),
        (
            "(4309)18000000010000000000",
            "4309",
            "latitude 1800000001 is outside",
        ),
        (
            "(4309)00000000003600000001",
            "4309",
            "longitude 3600000001 is outside",
        ),
        (
            "(8026)123456789012310302",
            "8026",
            "piece 03 is more than the total 02",
        ),
        (
            "(8026)123456789012310099",
            "8026",
            "piece number 00 must not be zero",
        ),
        ("(7258)2/1", "7258", "position 2 is after the end 1"),
        ("(7258)0/3", "7258", "position 0 must not start with a zero"),
        (
            "(4300)ABC%0g",
            "4300",
            "\"%0g\" is not a percent-encoded byte",
        ),
        ("(7040)1AB=", "7040", "importer index '=' must be a letter"),
        ("(4330)000000X", "4330", "\"X\" may only be hyphens"),
        (
            "(7252)5",
            "7252",
            "\"5\" is no ISO/IEC 5218 biological sex code",
        ),
        ("(8008)201225230060", "8008", "60 is no second"),
        (
            "(401)123",
            "401",
            "too short to start with a GS1 Company Prefix",
        ),
        (
            "(7023)12A4",
            "7023",
            "its first four characters must be digits",
        ),
        (
            "(8014)109999822",
            "8014",
            "needs a character that is not a digit",
        ),
        (
            "(426)987",
            "426",
            "\"987\" is no ISO 3166 three-digit country code",
        ),
        (
            "(7030)987ABC",
            "7030",
            "\"987\" is no ISO 3166 three-digit country code or 999",
        ),
        (
            "(4307)AA",
            "4307",
            "\"AA\" is no ISO 3166 two-letter country code",
        ),
        (
            "(3910)9870",
            "3910",
            "\"987\" is no ISO 4217 three-digit currency code",
        ),
        ("(7041)1A_", "7041", "\"1A_\" is no GS1 PackageTypeCode"),
        (
            "(8007)FR12345678901234",
            "8007",
            "IBAN check digits 12 are wrong",
        ),
        (
            "(8007)AB12345678901234",
            "8007",
            "does not start with an ISO 3166 two-letter",
        ),
    ];
    for (input, ai, says) in refused {
        let err = gs1::parse_on(input, 2026).expect_err(input);
        assert_eq!(err.ai.as_deref(), Some(ai), "{input}: {err}");
        assert!(err.to_string().contains(says), "{input}: {err}");
    }
    for ok in [
        "(8013)1987654Ad4X4bL5ttr2310c2K",
        "(8001)12341234512398",
        "(4330)000000-",
        "(4330)000000",
        "(7258)1/3",
        "(8008)000102141516",
        "(4309)02790858483015297971",
        "(7040)1AB-",
        "(7252)2",
        "(8026)123456789012310203",
        "(426)276",
        "(7030)999ABC",
        "(4307)DE",
        "(3910)97812301",
        "(7041)BGE",
        "(8007)GB98MIDL07009312345678",
    ] {
        assert!(
            gs1::parse_on(ok, 2026).is_ok(),
            "{ok}: {:?}",
            gs1::parse_on(ok, 2026)
        );
    }
}

/// Issue 17: a warehouse label with a bare number must not become GS1 data by accident. GS1 data
/// marks itself: FNC1 first, a GS between fields, a GS1 symbology identifier, brackets, a URI.
#[test]
fn plain_digits_are_not_gs1_data_but_marked_element_strings_are() {
    for plain in [
        "991234",
        "4006381333931",
        "0104012345000016",
        "10LOT42",
        "00376123450000000016",
    ] {
        let err = gs1::parse_on(plain, 2026).unwrap_err();
        assert!(
            err.message.contains("is plain data, not GS1"),
            "{plain}: {err}"
        );
        let r = gs1::read_any_on(plain, 2026);
        assert!(r.element_strings.is_none() && !r.is_gs1(), "{plain}: {r:?}");
        assert!(r.plain_element_strings.is_some(), "{plain}");
    }
    // A long plain value is quoted by a short prefix only.
    let err = gs1::parse_on(&"9".repeat(200), 2026).unwrap_err();
    assert!(err.message.len() < 200, "{err}");
    // The bare readings stay: an EAN-13 is a GTIN, 18 digits an SSCC.
    let r = gs1::read_any_on("4006381333931", 2026);
    assert_eq!(gtin_of(&r), Some(("4006381333931", "GTIN-13")));
    let r = gs1::read_any_on("376123450000000016", 2026);
    assert_eq!(r.sscc.unwrap().unwrap(), "376123450000000016");
    // The GTIN inside plain "01…" digits is not read: 16 digits are no bare GTIN.
    let r = gs1::read_any_on("0104012345000016", 2026);
    assert!(r.gtin.unwrap().is_err());
    // Every mark of GS1 data is read as element strings.
    for marked in [
        "^0104012345000016",
        "\u{1d}0104012345000016",
        "0104012345000016\u{1d}10L1",
        "]C10104012345000016",
        "]d20104012345000016",
        "(01)04012345000016",
        "https://id.gs1.org/01/04012345000016",
    ] {
        let got = gs1::parse_on(marked, 2026).unwrap_or_else(|e| panic!("{marked:?}: {e}"));
        assert_eq!(got[0].raw, "04012345000016", "{marked:?}");
        assert!(gs1::read_any_on(marked, 2026).is_gs1(), "{marked:?}");
    }
    // The caller who knows the data is element strings says so.
    let got = gs1::parse_element_strings_on("991234", 2026).unwrap();
    assert_eq!((got[0].ai.as_str(), got[0].raw.as_str()), ("99", "1234"));
}
