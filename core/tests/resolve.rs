//! Scan resolution on the sample catalog: goods, pallets, locations, internal codes that look
//! like GS1 data, and scans the device cannot use.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use dockhand_core::catalog::{self, Barcode, MasterData};
use dockhand_core::{ResolvedScan, gs1, receiving, resolve_scan, sample};

fn resolve(f: &Fixture, raw: &str) -> dockhand_core::Result<ResolvedScan> {
    f.store.read(|c| resolve_scan(c, raw))
}

#[test]
fn a_datamatrix_with_gtin_lot_and_expiry_resolves_to_the_item_in_its_catalog_form() {
    let f = seeded();
    let got = resolve(&f, "]d2010401234500001610L2611A\u{1d}17270301").unwrap();
    let ResolvedScan::Goods {
        sku,
        barcode,
        lot,
        expiry,
        base_per_scan,
        ..
    } = &got
    else {
        panic!("{got:?}")
    };
    assert_eq!(
        (sku.as_str(), barcode.as_str(), base_per_scan),
        (sample::MILK, sample::MILK_EA, &1)
    );
    assert_eq!(
        (lot.as_deref(), *expiry),
        (Some("L2611A"), Some(date(2027, 3, 1)))
    );
    // The case GTIN-14 resolves to the case barcode: 12 units a scan.
    let case = resolve(&f, "(01)14012345000013(10)L2611A(17)270301").unwrap();
    assert!(
        matches!(
            case,
            ResolvedScan::Goods {
                base_per_scan: 12,
                ..
            }
        ),
        "{case:?}"
    );
    // A receive from the resolved scan works like a typed one.
    let goods = got.goods().unwrap();
    let r = receiving::receive_line(&f.store, &receive(goods, 2)).unwrap();
    assert_eq!((r.lot.as_str(), r.base_quantity), ("L2611A", 2));
}

#[test]
fn an_sscc_alone_is_a_pallet_and_a_location_code_is_a_location() {
    let f = seeded();
    assert_eq!(
        resolve(&f, "]C100376123450000000016").unwrap(),
        ResolvedScan::Pallet {
            sscc: sample::MILK_PALLET.into()
        }
    );
    assert_eq!(
        resolve(&f, "A-01-03").unwrap(),
        ResolvedScan::Location {
            code: "A-01-03".into()
        }
    );
}

#[test]
fn an_internal_code_that_looks_like_gs1_data_is_the_internal_code() {
    let f = seeded();
    // "10D9T2" would parse as AI (10) lot "D9T2"; the catalog knows it as a label of the towels.
    catalog::upsert_master_data(
        &f.store,
        &MasterData {
            barcodes: vec![Barcode {
                code: "10D9T2".into(),
                sku: sample::TOWELS.into(),
                unit: "CS".into(),
                quantity: 1,
            }],
            ..MasterData::default()
        },
    )
    .unwrap();
    let got = resolve(&f, "10D9T2").unwrap();
    assert!(
        matches!(&got, ResolvedScan::Goods { sku, base_per_scan: 24, lot: None, .. } if sku == sample::TOWELS),
        "{got:?}"
    );
}

#[test]
fn scans_the_device_cannot_use_say_why() {
    let f = seeded();
    let err = resolve(&f, "(01)09506000134352").unwrap_err();
    assert_eq!(err.code(), "unknown_barcode");
    assert!(err.to_string().contains("09506000134352"), "{err}");
    let err = resolve(&f, "(01)04012345000017").unwrap_err();
    assert_eq!(err.code(), "unreadable_scan");
    assert!(err.to_string().contains("check digit"), "{err}");
    // (10) without a GTIN: a lot of what?
    let err = resolve(&f, "(10)L2611A").unwrap_err();
    assert!(err.to_string().contains("(10) needs one of"), "{err}");
    let err = resolve(&f, "hello").unwrap_err();
    assert_eq!(err.code(), "unreadable_scan");
    assert_eq!(resolve(&f, "  ").unwrap_err().code(), "invalid_input");
}

/// Issue 17: plain digits are never GS1 data; catalog codes and bare GTINs resolve as before.
#[test]
fn plain_digits_resolve_as_catalog_codes_or_bare_gtins_never_as_element_strings() {
    let f = seeded();
    // An internal all-digit label the catalog knows: as element strings it would be (99) 1234.
    add_barcodes(&f, &[("991234", sample::DRILL)]);
    assert_eq!(
        sku_of(&resolve(&f, "991234").unwrap()),
        (sample::DRILL, "991234")
    );
    // A bare EAN-13 and a bare SSCC keep their readings.
    assert_eq!(
        sku_of(&resolve(&f, "4012345000016").unwrap()),
        (sample::MILK, sample::MILK_EA)
    );
    assert!(matches!(
        resolve(&f, sample::MILK_PALLET).unwrap(),
        ResolvedScan::Pallet { .. }
    ));
    // "01" + a GTIN printed as plain Code 128 (no FNC1): not goods, and the error says what the
    // label would mean printed right.
    let err = resolve(&f, "010401234500001610L2611A").unwrap_err();
    assert_eq!(err.code(), "unreadable_scan");
    let text = err.to_string();
    assert!(text.contains("plain data is not GS1"), "{text}");
    assert!(
        text.contains("(01)04012345000016(10)L2611A if its barcode carried FNC1"),
        "{text}"
    );
    // An unknown plain number: no GS1 element string is made up.
    let err = resolve(&f, "991235").unwrap_err();
    assert!(!err.to_string().contains("(99)"), "{err}");
    // The same data with FNC1 first, or with the scanner's GS between fields, is a GS1 label.
    for marked in [
        "^010401234500001610L2611A",
        "010401234500001610L2611A\u{1d}17270301",
    ] {
        assert_eq!(
            sku_of(&resolve(&f, marked).unwrap()),
            (sample::MILK, sample::MILK_EA),
            "{marked:?}"
        );
    }
}

#[test]
fn ai_pairings_follow_the_dictionary() {
    let parse = |s: &str| gs1::parse_on(s, 2026).unwrap();
    assert!(gs1::check_pairings(&parse("(01)04012345000016(10)L1(17)270301")).is_ok());
    let err = gs1::check_pairings(&parse("(17)270301")).unwrap_err();
    assert!(
        err.message.contains("(17) needs one of (01), (02)"),
        "{err}"
    );
    // (02) content GTIN excludes (01) and needs (37).
    let err = gs1::check_pairings(&parse("(01)04012345000016(02)04012345000016(37)5")).unwrap_err();
    assert!(err.message.contains("may not appear with"), "{err}");
    assert!(gs1::check_pairings(&parse("(00)376123450000000016(02)04012345000016(37)5")).is_ok());
    // Two net weights in different decimals exclude each other.
    let err =
        gs1::check_pairings(&parse("(01)04012345000016(3103)001234(3102)012345")).unwrap_err();
    assert!(
        err.message.contains("(3103) may not appear with (3102)"),
        "{err}"
    );
}

#[test]
fn every_workflow_takes_the_raw_label_as_the_scanned_code() {
    let f = seeded();
    let label = "]d2010401234500001610L2611A\u{1d}17270301";
    // Receiving: lot and expiry come from the label.
    let r = receiving::receive_line(
        &f.store,
        &receive(dockhand_core::ScannedGoods::barcode(label), 3),
    )
    .unwrap();
    assert_eq!(
        (r.sku.as_str(), r.lot.as_str(), r.expiry),
        (sample::MILK, "L2611A", Some(date(2027, 3, 1)))
    );
    // Putaway of the same goods by scanning the label again.
    let moved = dockhand_core::putaway::confirm_putaway(
        &f.store,
        &move_to(
            dockhand_core::ScannedGoods::barcode(label),
            3,
            "C-01-01",
            "61",
        ),
    )
    .unwrap();
    assert_eq!((moved.lot.as_str(), moved.base_quantity), ("L2611A", 3));
    assert_integrity(&f);
}

#[test]
fn a_typed_lot_or_expiry_that_contradicts_the_label_is_refused() {
    let f = seeded();
    let label = "(01)04012345000016(10)L2611A(17)270301";
    let typed = dockhand_core::ScannedGoods::barcode(label).with_lot("L9999");
    let err = assert_rejected(&f.store, "invalid_input", || {
        receiving::receive_line(&f.store, &receive(typed.clone(), 1))
    });
    assert_message_names(&err, &["L9999", "L2611A"]);
    let typed = dockhand_core::ScannedGoods::barcode(label).with_expiry(date(2027, 4, 1));
    let err = assert_rejected(&f.store, "invalid_input", || {
        receiving::receive_line(&f.store, &receive(typed.clone(), 1))
    });
    assert_message_names(&err, &["2027-04-01", "2027-03-01"]);
    // A plain unknown code is still an unknown barcode; a broken label says what is broken.
    let err = assert_rejected(&f.store, "unknown_barcode", || {
        receiving::receive_line(
            &f.store,
            &receive(dockhand_core::ScannedGoods::barcode("4099999999999"), 1),
        )
    });
    assert_message_names(&err, &["4099999999999"]);
    let err = assert_rejected(&f.store, "unreadable_scan", || {
        receiving::receive_line(
            &f.store,
            &receive(
                dockhand_core::ScannedGoods::barcode("(01)04012345000017"),
                1,
            ),
        )
    });
    assert_message_names(&err, &["check digit"]);
}

#[test]
fn weights_on_a_label_come_back_as_exact_measures() {
    let f = seeded();
    let got = resolve(&f, "]C1010401234500001610L2611A\u{1d}3103001234").unwrap();
    let ResolvedScan::Goods { measures, .. } = got else {
        panic!()
    };
    assert_eq!(measures.len(), 1);
    assert_eq!(
        (measures[0].ai.as_str(), measures[0].value.as_str()),
        ("3103", "1.234")
    );
    assert_eq!(measures[0].title, "NET WEIGHT (kg)");
}

#[test]
fn a_check_string_names_a_location_only_when_one_location_carries_it() {
    let f = seeded();
    assert_eq!(
        resolve(&f, "43").unwrap(),
        ResolvedScan::Location {
            code: "A-01-03".into()
        }
    );
    // Give A-01-04 the same check string: "43" no longer names one place.
    change_location(&f, "A-01-04", |l| l.check_string = "43".into());
    assert_eq!(resolve(&f, "43").unwrap_err().code(), "unreadable_scan");
}

fn add_barcodes(f: &Fixture, codes: &[(&str, &str)]) {
    let barcodes = codes
        .iter()
        .map(|(code, sku)| ea_barcode(*code, *sku))
        .collect();
    catalog::upsert_master_data(
        &f.store,
        &MasterData {
            barcodes,
            ..MasterData::default()
        },
    )
    .unwrap();
}

fn sku_of(scan: &ResolvedScan) -> (&str, &str) {
    match scan {
        ResolvedScan::Goods { sku, barcode, .. } => (sku.as_str(), barcode.as_str()),
        other => panic!("not goods: {other:?}"),
    }
}

#[test]
fn bare_ean_upc_and_sscc_scans_resolve_in_any_length_the_catalog_stores() {
    let f = seeded();
    // EAN-13 as a retail scanner sends it, with and without its symbology identifier, and as
    // the 14-digit GTIN; the catalog stores the 13 digits.
    for raw in ["]E04012345000016", "04012345000016", "4012345000016"] {
        assert_eq!(
            sku_of(&resolve(&f, raw).unwrap()),
            (sample::MILK, sample::MILK_EA),
            "{raw}"
        );
    }
    // A UPC-E label stands for the UPC-A the catalog knows.
    add_barcodes(&f, &[("042100005264", sample::DRILL)]);
    assert_eq!(
        sku_of(&resolve(&f, "425261").unwrap()),
        (sample::DRILL, "042100005264")
    );
    // An SSCC without its AI is still a pallet.
    assert_eq!(
        resolve(&f, sample::MILK_PALLET).unwrap(),
        ResolvedScan::Pallet {
            sscc: sample::MILK_PALLET.into()
        }
    );
    let err = resolve(&f, "5901234123457").unwrap_err();
    assert_eq!(err.code(), "unknown_barcode");
    assert!(err.to_string().contains("05901234123457"), "{err}");
}

#[test]
fn eight_digits_that_are_an_ean_8_and_a_upc_e_of_two_items_are_refused_not_guessed() {
    let f = seeded();
    // 12345670 is the EAN-8 12345670 and the UPC-E of UPC-A 123456000070. The catalog stores
    // the EAN-8 as a GTIN-14, so the scan is not one of its codes as it stands.
    add_barcodes(&f, &[("00000012345670", sample::COFFEE)]);
    assert_eq!(
        sku_of(&resolve(&f, "12345670").unwrap()),
        (sample::COFFEE, "00000012345670")
    );
    add_barcodes(&f, &[("123456000070", sample::TOWELS)]);
    let before = dump(&f.store);
    let err = resolve(&f, "12345670").unwrap_err();
    assert_eq!(err.code(), "invalid_input");
    let text = err.to_string();
    for part in [
        "00000012345670",
        sample::COFFEE,
        "123456000070",
        sample::TOWELS,
    ] {
        assert!(text.contains(part), "{text} lacks {part}");
    }
    assert_eq!(dump(&f.store), before);
    // A code the catalog holds exactly as scanned is that code: no reading is needed.
    add_barcodes(&f, &[("12345670", sample::VITAMINS)]);
    assert_eq!(
        sku_of(&resolve(&f, "12345670").unwrap()),
        (sample::VITAMINS, "12345670")
    );
}

static BARCODE_LOOKUPS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// Records each catalog lookup with the code it looked up.
fn record_barcode_lookups(event: rusqlite::trace::TraceEvent<'_>) {
    if let rusqlite::trace::TraceEvent::Stmt(stmt, sql) = event
        && sql.contains("FROM barcodes WHERE code")
    {
        let code = stmt.expanded_sql().unwrap_or_default();
        let code = code
            .rsplit("code = ")
            .next()
            .unwrap_or_default()
            .to_string();
        BARCODE_LOOKUPS.lock().unwrap().push(code);
    }
}

#[test]
fn a_goods_scan_is_resolved_once_whatever_form_the_label_takes() {
    let f = seeded();
    let mut conn = rusqlite::Connection::open(f.path()).unwrap();
    conn.trace_v2(
        rusqlite::trace::TraceEventCodes::SQLITE_TRACE_STMT,
        Some(record_barcode_lookups),
    )
    .unwrap();
    let lookups = |goods: dockhand_core::ScannedGoods| {
        BARCODE_LOOKUPS.lock().unwrap().clear();
        let found = dockhand_core::scan::identify(&conn, &goods, true).unwrap();
        assert_eq!(found.item.item.sku, sample::MILK, "{goods:?}");
        std::mem::take(&mut *BARCODE_LOOKUPS.lock().unwrap())
    };
    // The catalog's own code, lot and expiry typed: one lookup.
    let plain = lookups(
        dockhand_core::ScannedGoods::barcode(sample::MILK_EA)
            .with_lot("L2611A")
            .with_expiry(date(2027, 3, 1)),
    );
    assert_eq!(plain, [format!("'{}'", sample::MILK_EA)]);
    // A whole GS1 label: the raw text once (an internal code may look like GS1 data), then the
    // label's GTIN in each form the catalog may store it until one is found; no code twice.
    let raw = "]d2010401234500001610L2611A\u{1d}17270301";
    let label = lookups(dockhand_core::ScannedGoods::barcode(raw));
    assert_eq!(
        label,
        [
            format!("'{raw}'"),
            "'04012345000016'".to_string(),
            "'4012345000016'".to_string()
        ]
    );
}
