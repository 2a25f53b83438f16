//! A small sample warehouse: the demo's shift, the benchmark and the tests all start from it, so a
//! newcomer sees the same items, locations and people everywhere. GTINs and SSCCs carry valid GS1
//! check digits.

mod commands;

pub use commands::{confirm_in_full, pick_task, put_away_from_dock, receive_at_dock};

use crate::catalog::{
    AbcClass, Barcode, Item, Location, LocationKind, LocationStatus, MasterData, Operator, Role,
    Tracking, UnitConversion,
};
use crate::credentials::{Approval, Credential};
use crate::receiving::{ExpectedLine, ExpectedReceipt};

/// Oat milk: tracked by lot and expiry, 30 days minimum shelf life, 12 per case.
pub const MILK: &str = "MILK-1L";
/// Coffee beans: tracked by lot, 6 per case.
pub const COFFEE: &str = "COFFEE-500";
/// Paper towels: untracked, 24 per case.
pub const TOWELS: &str = "TOWEL-2P";
/// Cordless drill: serial-tracked.
pub const DRILL: &str = "DRILL-X1";
/// Vitamin C: lot and expiry, inspection required on receipt.
pub const VITAMINS: &str = "VITC-60";

/// Consumer-unit EAN-13 of the milk.
pub const MILK_EA: &str = "4012345000016";
/// Case GTIN-14 of the milk (12 units).
pub const MILK_CS: &str = "14012345000013";
/// Consumer-unit EAN-13 of the coffee.
pub const COFFEE_EA: &str = "4012345000023";
/// Case GTIN-14 of the coffee (6 units).
pub const COFFEE_CS: &str = "14012345000020";
/// Consumer-unit EAN-13 of the towels.
pub const TOWELS_EA: &str = "4012345000030";
/// Case GTIN-14 of the towels (24 units).
pub const TOWELS_CS: &str = "14012345000037";
/// EAN-13 of the drill.
pub const DRILL_EA: &str = "4012345000047";
/// EAN-13 of the vitamins.
pub const VITAMINS_EA: &str = "4012345000054";
/// Internal shelf label code of the towels (not a GTIN).
pub const TOWELS_INTERNAL: &str = "INT-TOWEL";

/// SSCC of the milk pallet on the sample ASN.
pub const MILK_PALLET: &str = "376123450000000016";

/// The sample ASN id.
pub const ASN: &str = "ASN-1001";

fn item(sku: &str, description: &str, tracking: Tracking, abc: AbcClass, cents: i64) -> Item {
    Item {
        sku: sku.into(),
        description: description.into(),
        base_unit: "EA".into(),
        tracking,
        min_shelf_life_days: 0,
        inspection_required: false,
        abc_class: abc,
        unit_value_cents: cents,
        putaway_zone: Some("A".into()),
    }
}

fn location(code: &str, zone: &str, kind: LocationKind, sequence: i64, check: &str) -> Location {
    Location {
        code: code.into(),
        zone: zone.into(),
        kind,
        status: LocationStatus::Active,
        pickable: matches!(kind, LocationKind::Storage | LocationKind::PickFace),
        pick_sequence: sequence,
        check_string: check.into(),
        max_units: None,
        replenish: None,
    }
}

fn barcode(code: &str, sku: &str, unit: &str) -> Barcode {
    Barcode {
        code: code.into(),
        sku: sku.into(),
        unit: unit.into(),
        quantity: 1,
    }
}

fn unit(sku: &str, unit: &str, factor: i64) -> UnitConversion {
    UnitConversion {
        sku: sku.into(),
        unit: unit.into(),
        factor,
    }
}

fn operator(id: &str, name: &str, role: Role) -> Operator {
    Operator {
        id: id.into(),
        name: name.into(),
        role,
        active: true,
    }
}

/// Items, units, barcodes, locations and operators of the sample warehouse.
///
/// Zone A holds ambient goods, zone C chilled ones. `A-01-05` is blocked. Operators `alice` and
/// `bob` scan; `sam` supervises.
pub fn warehouse() -> MasterData {
    let mut milk = item(MILK, "Oat milk 1 L", Tracking::LotExpiry, AbcClass::A, 189);
    milk.min_shelf_life_days = 30;
    milk.putaway_zone = Some("C".into());
    let mut vitamins = item(
        VITAMINS,
        "Vitamin C 60 tablets",
        Tracking::LotExpiry,
        AbcClass::B,
        1299,
    );
    vitamins.inspection_required = true;
    let mut blocked = location("A-01-05", "A", LocationKind::Storage, 50, "55");
    blocked.status = LocationStatus::Blocked;
    MasterData {
        items: vec![
            milk,
            item(
                COFFEE,
                "Coffee beans 500 g",
                Tracking::Lot,
                AbcClass::B,
                899,
            ),
            item(
                TOWELS,
                "Paper towels, 2-pack",
                Tracking::None,
                AbcClass::C,
                349,
            ),
            item(
                DRILL,
                "Cordless drill X1",
                Tracking::Serial,
                AbcClass::A,
                12900,
            ),
            vitamins,
        ],
        units: vec![
            unit(MILK, "CS", 12),
            unit(COFFEE, "CS", 6),
            unit(TOWELS, "CS", 24),
            unit(TOWELS, "PL", 480),
        ],
        barcodes: vec![
            barcode(MILK_EA, MILK, "EA"),
            barcode(MILK_CS, MILK, "CS"),
            barcode(COFFEE_EA, COFFEE, "EA"),
            barcode(COFFEE_CS, COFFEE, "CS"),
            barcode(TOWELS_EA, TOWELS, "EA"),
            barcode(TOWELS_CS, TOWELS, "CS"),
            barcode(TOWELS_INTERNAL, TOWELS, "EA"),
            barcode(DRILL_EA, DRILL, "EA"),
            barcode(VITAMINS_EA, VITAMINS, "EA"),
        ],
        locations: vec![
            location("DOCK-01", "DOCK", LocationKind::Dock, 1, "11"),
            location("DOCK-02", "DOCK", LocationKind::Dock, 2, "12"),
            location("A-01-01", "A", LocationKind::Storage, 10, "41"),
            location("A-01-02", "A", LocationKind::Storage, 20, "42"),
            location("A-01-03", "A", LocationKind::Storage, 30, "43"),
            location("A-01-04", "A", LocationKind::Storage, 40, "44"),
            blocked,
            location("C-01-01", "C", LocationKind::Storage, 60, "61"),
            location("C-01-02", "C", LocationKind::Storage, 70, "62"),
            location("P-01-01", "A", LocationKind::PickFace, 5, "71"),
            location("QA-01", "Q", LocationKind::Quarantine, 90, "91"),
            location("STAGE-01", "OUT", LocationKind::Staging, 100, "81"),
            location("RET-01", "RET", LocationKind::Returns, 110, "82"),
            location("DMG-01", "Q", LocationKind::Damaged, 120, "83"),
            location("SHIP-01", "OUT", LocationKind::Shipping, 130, "84"),
        ],
        operators: vec![
            operator("alice", "Alice Moreau", Role::Operator),
            operator("bob", "Bob Okafor", Role::Operator),
            operator("sam", "Sam Lindqvist", Role::Supervisor),
        ],
        credentials: Vec::new(),
    }
}

/// The sample operators' badges and PINs (operator, badge, PIN), as printed on the demo's cards.
pub const BADGES: &[(&str, &str, &str)] = &[
    ("alice", "BADGE-0001", "111111"),
    ("bob", "BADGE-0002", "222222"),
    ("sam", "BADGE-0003", "333333"),
];

/// The sample operators' credentials, hashed as the hub would (with fresh salts).
pub fn credentials() -> crate::Result<Vec<Credential>> {
    BADGES
        .iter()
        .map(|(operator, badge, pin)| {
            Ok(Credential {
                operator_id: (*operator).into(),
                badge: (*badge).into(),
                pin_hash: crate::credentials::hash_pin(operator, badge, pin)?,
            })
        })
        .collect()
}

/// The sample badges as an administrator imports them into the hub (plain PINs, hashed there).
pub fn badge_assignments() -> Vec<crate::sync::protocol::BadgeAssignment> {
    BADGES
        .iter()
        .map(
            |(operator, badge, pin)| crate::sync::protocol::BadgeAssignment {
                operator_id: (*operator).into(),
                badge: (*badge).into(),
                pin: (*pin).into(),
            },
        )
        .collect()
}

/// The badge and PIN of a sample operator.
///
/// # Panics
/// If `operator` is not one of [`BADGES`] (a mistake in a test or the demo).
pub fn badge_of(operator: &str) -> Approval {
    let (_, badge, pin) = BADGES
        .iter()
        .find(|(id, ..)| *id == operator)
        .unwrap_or_else(|| panic!("{operator} has no sample badge"));
    Approval::new(*badge, *pin)
}

/// The sample ASN from Nordic Foods: milk on a pallet with an SSCC, coffee, towels, vitamins.
pub fn asn() -> ExpectedReceipt {
    let line = |line_no: i64, sku: &str, quantity: i64, unit: &str| ExpectedLine {
        line_no,
        sku: sku.into(),
        quantity,
        unit: Some(unit.into()),
        lot: None,
        sscc: None,
    };
    let mut milk = line(1, MILK, 4, "CS");
    milk.lot = Some("L2611A".into());
    milk.sscc = Some(MILK_PALLET.into());
    ExpectedReceipt {
        receipt_id: ASN.into(),
        reference: "PO-7788".into(),
        supplier: "Nordic Foods".into(),
        lines: vec![
            milk,
            line(2, COFFEE, 24, "EA"),
            line(3, TOWELS, 4, "CS"),
            line(4, VITAMINS, 12, "EA"),
        ],
    }
}
