//! SSCCs minted offline (issue 16, item 1): the hub hands each handheld blocks of serial
//! references under its site's GS1 Company Prefix, and two handhelds minting offline never mint
//! the same SSCC. Against a real hub on loopback, on both backends.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashSet;

use common::handheld::Handheld;
use dockhand_core::protocol::gs1::has_valid_check_digit;
use dockhand_core::protocol::sscc::{BLOCK, MAX_BLOCK, SsccBlock, SsccBlockRequest};
use dockhand_core::{Error, sscc};
use dockhand_hub::HubConfig;

/// Asks the hub for a block as device `token` holds, answering (status, body).
async fn ask(hub: &common::TestHub, token: &str, wanted: u64) -> (u16, serde_json::Value) {
    let answer = reqwest::Client::new()
        .post(format!("{}/v1/sscc/block", hub.url))
        .bearer_auth(token)
        .json(&SsccBlockRequest { wanted })
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.json().await.unwrap())
}

/// Mints until the device says it has none left: the SSCCs minted, and the refusal.
fn mint_all(h: &Handheld) -> (Vec<String>, Error) {
    let mut minted = Vec::new();
    loop {
        match sscc::mint(&h.store) {
            Ok(code) => minted.push(code),
            Err(e) => return (minted, e),
        }
    }
}

on_both_backends!(
    two_handhelds_minting_offline_never_mint_the_same_sscc,
    HubConfig::default(),
    |hub| {
        // Before the site has a company prefix, a handheld syncs without serials and says why
        // when asked for a label.
        let h07 = Handheld::new(&hub, "handheld-07").await;
        h07.sync().await;
        let refused = sscc::mint(&h07.store).unwrap_err();
        assert!(
            refused.to_string().contains(
                "this handheld has minted every SSCC the hub gave it (0 in all): sync with the hub"
            ),
            "{refused}"
        );
        let token = hub.register("handheld-06").await;
        let (status, body) = ask(&hub, &token, 10).await;
        assert_eq!(status, 409);
        assert_eq!(body["code"], "no_company_prefix");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("set it with `dockhand-hub site prefix main PREFIX`")
        );

        hub.set_sscc_prefix("4012345", 3).await;
        // A handheld the hub refused does not ask again for a minute: its frequent syncs cost
        // the hub no request.
        h07.sync().await;
        assert_eq!(h07.store.read(sscc::remaining).unwrap(), 0);
        let h08 = Handheld::new(&hub, "handheld-08").await;
        let h09 = Handheld::new(&hub, "handheld-09").await;
        h08.sync().await;
        h09.sync().await;
        for h in [&h08, &h09] {
            assert_eq!(h.store.read(sscc::remaining).unwrap(), BLOCK);
        }

        // Offline, each mints all it holds: 20,000 SSCCs, none twice, each 18 digits under the
        // site's prefix with a valid check digit.
        let (from_08, stop_08) = mint_all(&h08);
        let (from_09, _) = mint_all(&h09);
        assert_eq!(
            (from_08.len(), from_09.len()),
            (BLOCK as usize, BLOCK as usize)
        );
        let all: HashSet<&String> = from_08.iter().chain(&from_09).collect();
        assert_eq!(all.len(), 2 * BLOCK as usize, "an SSCC was minted twice");
        assert!(
            all.iter()
                .all(|c| c.len() == 18 && c.starts_with("34012345") && has_valid_check_digit(c))
        );
        assert!(
            stop_08.to_string().contains(&format!(
                "has minted every SSCC the hub gave it ({BLOCK} in all, under company prefix \
                 4012345): sync with the hub to get more serial references"
            )),
            "{stop_08}"
        );
        // A refused mint changes nothing; the next sync brings a new block.
        assert_eq!(h08.store.read(sscc::remaining).unwrap(), 0);
        h08.sync().await;
        assert_eq!(h08.store.read(sscc::remaining).unwrap(), BLOCK);
        let next = sscc::mint(&h08.store).unwrap();
        assert!(!all.contains(&next));
    }
);

on_both_backends!(
    a_company_prefix_hands_out_each_serial_once_and_says_when_none_are_left,
    HubConfig::default(),
    |hub| {
        let token = hub.register("handheld-07").await;
        for wanted in [0, MAX_BLOCK + 1] {
            let (status, body) = ask(&hub, &token, wanted).await;
            assert_eq!(status, 400);
            assert!(
                body["message"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("wanted {wanted} serial references: ask for 1 to")),
                "{body}"
            );
        }
        // A 10-digit prefix leaves 6 digits: 1,000,000 serial references.
        hub.set_sscc_prefix("4012345678", 0).await;
        let mut last = None;
        for _ in 0..10 {
            let (status, body) = ask(&hub, &token, MAX_BLOCK).await;
            assert_eq!(status, 200, "{body}");
            let block: SsccBlock = serde_json::from_value(body).unwrap();
            assert_eq!(block.first, last.map_or(0, |l: u64| l + 1));
            assert_eq!(block.size(), MAX_BLOCK);
            last = Some(block.last);
        }
        assert_eq!(last, Some(999_999));
        let (status, body) = ask(&hub, &token, 1).await;
        assert_eq!(status, 409);
        assert_eq!(body["code"], "sscc_exhausted");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("give site main another extension digit"),
            "{body}"
        );
        // Another extension digit starts again.
        hub.set_sscc_prefix("4012345678", 1).await;
        let (status, body) = ask(&hub, &token, 5).await;
        assert_eq!(status, 200);
        assert_eq!(
            (body["extension"].clone(), body["first"].clone()),
            (1.into(), 0.into())
        );
    }
);
