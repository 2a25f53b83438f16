//! Operators' badges and PINs: imported with plain PINs, kept and sent only as Argon2id hashes, and
//! usable on a device that pulled them — on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used)]

mod common;

use dockhand_core::credentials::{self, Credential};
use dockhand_core::sync::protocol::{
    BadgeAssignment, ChangeKind, ChangesPage, Import, ImportResult, Problem,
};
use dockhand_core::{Error, Store, StoreOptions, catalog, sample};
use dockhand_hub::HubConfig;

fn badge(operator: &str, badge: &str, pin: &str) -> BadgeAssignment {
    BadgeAssignment {
        operator_id: operator.into(),
        badge: badge.into(),
        pin: pin.into(),
    }
}

fn with_badges(badges: Vec<BadgeAssignment>) -> Import {
    Import {
        master: sample::warehouse(),
        badges,
        ..Import::default()
    }
}

async fn import_raw(hub: &common::TestHub, data: &Import) -> reqwest::Response {
    hub.client
        .post(format!("{}/v1/admin/import", hub.url))
        .json(data)
        .send()
        .await
        .unwrap()
}

/// Every change, as a device of this version pulls them (`include=credential`) or as one of an
/// earlier version does.
async fn pulled(
    hub: &common::TestHub,
    token: &str,
    with_badges: bool,
) -> Vec<dockhand_core::sync::protocol::Change> {
    let include = if with_badges {
        "&include=credential"
    } else {
        ""
    };
    let page: ChangesPage = hub
        .client
        .get(format!("{}/v1/changes?limit=1000{include}", hub.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!page.has_more);
    page.changes
}

async fn all_changes(
    hub: &common::TestHub,
    token: &str,
) -> Vec<dockhand_core::sync::protocol::Change> {
    pulled(hub, token, true).await
}

on_both_backends!(
    badges_are_hashed_on_import_and_sign_a_device_in,
    HubConfig::default(),
    |hub| {
        let pins = [("alice", "BADGE-A", "471100"), ("sam", "BADGE-S", "805310")];
        let first: ImportResult = hub
            .import(&with_badges(
                pins.iter().map(|(o, b, p)| badge(o, b, p)).collect(),
            ))
            .await;
        let w = sample::warehouse();
        let rows = w.items.len() + w.units.len() + w.barcodes.len() + w.locations.len();
        assert_eq!(first.changed, rows + w.operators.len() + pins.len());
        let token = hub.register("HH-B").await;
        let changes = all_changes(&hub, &token).await;
        let sent: Vec<Credential> = changes
            .iter()
            .filter(|c| c.kind == ChangeKind::Credential)
            .map(|c| serde_json::from_value(c.data.clone()).unwrap())
            .collect();
        assert_eq!(sent.len(), 2);
        for (c, (operator, badge, pin)) in sent.iter().zip(pins) {
            assert_eq!(
                (c.operator_id.as_str(), c.badge.as_str()),
                (operator, badge)
            );
            assert!(c.pin_hash.starts_with("$argon2id$"), "{}", c.pin_hash);
            assert!(credentials::pin_matches(operator, &c.pin_hash, pin).unwrap());
        }
        // No plain PIN anywhere in what the hub sends.
        let wire = serde_json::to_string(&changes).unwrap();
        assert!(!wire.contains("471100") && !wire.contains("805310"));
        // A device of a version before badges is not sent them, and still gets the rest.
        let old = pulled(&hub, &token, false).await;
        assert_eq!(old.len(), changes.len() - 2);
        assert!(old.iter().all(|c| c.kind != ChangeKind::Credential));

        // The same PINs again: nothing changes (no new salt, no new change for devices).
        let again: ImportResult = hub
            .import(&with_badges(
                pins.iter().map(|(o, b, p)| badge(o, b, p)).collect(),
            ))
            .await;
        assert_eq!(again.changed, 0);
        // A new PIN for sam is one change.
        let new_pin: ImportResult = hub
            .import(&Import {
                badges: vec![badge("sam", "BADGE-S", "135700")],
                ..Import::default()
            })
            .await;
        assert_eq!((new_pin.changed, new_pin.unchanged), (1, 0));

        // Bad rows are refused with the reason, and nothing of the import is kept.
        let before = all_changes(&hub, &token).await.len();
        for (row, words) in [
            (
                badge("alice", "BADGE-A", "12ab"),
                vec!["alice", "6 to 12 digits"],
            ),
            (
                badge("nobody", "BADGE-N", "123456"),
                vec!["nobody", "no such operator"],
            ),
            (
                badge("bob", " BADGE-B", "123456"),
                vec!["bob", "surrounding spaces"],
            ),
            (badge("bob", "", "123456"), vec!["bob", "badge"]),
        ] {
            let response = import_raw(
                &hub,
                &Import {
                    badges: vec![badge("bob", "BADGE-OK", "246800"), row],
                    ..Import::default()
                },
            )
            .await;
            assert_eq!(response.status(), 400);
            let problem: Problem = response.json().await.unwrap();
            for word in words {
                assert!(
                    problem.message.contains(word),
                    "{word}: {}",
                    problem.message
                );
            }
            assert!(!problem.message.contains("123456"), "{}", problem.message);
        }
        // Hashes made elsewhere: never costlier than the hub's own.
        for (m, words) in [
            ("4194304", "exceed what a handheld computes"),
            ("32768", "exceed the hub's own"),
        ] {
            let mut costly = Import::default();
            costly.master.credentials = vec![Credential {
                operator_id: "bob".into(),
                badge: "BADGE-B".into(),
                pin_hash: format!(
                    "$argon2id$v=19$m={m},t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
                ),
            }];
            let response = import_raw(&hub, &costly).await;
            assert_eq!(response.status(), 400);
            let problem: Problem = response.json().await.unwrap();
            assert!(problem.message.contains(words), "{}", problem.message);
        }
        // One badge, one operator: sam's badge is not given to bob unless sam gets another.
        let taken = import_raw(
            &hub,
            &Import {
                badges: vec![badge("bob", "BADGE-S", "246800")],
                ..Import::default()
            },
        )
        .await;
        assert_eq!(taken.status(), 400);
        let problem: Problem = taken.json().await.unwrap();
        assert!(
            problem.message.contains("BADGE-S is operator sam's"),
            "{}",
            problem.message
        );
        let twice = import_raw(
            &hub,
            &Import {
                badges: vec![
                    badge("bob", "BADGE-X", "246800"),
                    badge("alice", "BADGE-X", "246801"),
                ],
                ..Import::default()
            },
        )
        .await;
        assert_eq!(twice.status(), 400);
        // A PIN sent as a JSON number (its leading zeros lost) is refused without echoing it.
        let number = hub
            .client
            .post(format!("{}/v1/admin/import", hub.url))
            .json(&serde_json::json!({"badges": [{"operator_id": "bob", "badge": "BADGE-B", "pin": 97531864}]}))
            .send()
            .await
            .unwrap();
        assert_eq!(number.status(), 422);
        let problem: Problem = number.json().await.unwrap();
        assert!(
            problem.message.contains("must each be JSON text"),
            "{}",
            problem.message
        );
        assert!(!problem.message.contains("97531864"), "{}", problem.message);
        assert_eq!(all_changes(&hub, &token).await.len(), before);
        // Swapping two badges in one import is fine.
        let swapped: ImportResult = hub
            .import(&Import {
                badges: vec![
                    badge("alice", "BADGE-S", "471100"),
                    badge("sam", "BADGE-A", "135700"),
                ],
                ..Import::default()
            })
            .await;
        assert_eq!(swapped.changed, 2);
        let back: ImportResult = hub
            .import(&Import {
                badges: vec![
                    badge("alice", "BADGE-A", "471100"),
                    badge("sam", "BADGE-S", "135700"),
                ],
                ..Import::default()
            })
            .await;
        assert_eq!(back.changed, 2);

        // A device that pulled them: sam signs in with his new PIN; alice's wrong PIN is refused.
        let device = Store::open_in_memory(StoreOptions::new("HH-B")).unwrap();
        let page = ChangesPage {
            changes: all_changes(&hub, &token).await,
            next_cursor: String::new(),
            has_more: false,
        };
        dockhand_core::sync::apply_changes(&device, &page).unwrap();
        assert!(matches!(
            credentials::sign_in(&device, "BADGE-S", "805310"),
            Err(Error::WrongPin { .. })
        ));
        assert_eq!(
            credentials::sign_in(&device, "BADGE-S", "135700")
                .unwrap()
                .id,
            "sam"
        );
        assert_eq!(
            credentials::signed_in(&device)
                .unwrap()
                .map(|o| o.id)
                .as_deref(),
            Some("sam")
        );
        assert_eq!(
            credentials::sign_in(&device, "BADGE-A", "471100")
                .unwrap()
                .id,
            "alice"
        );
        assert_eq!(device.read(catalog::counts).unwrap().operators, 3);
    }
);
