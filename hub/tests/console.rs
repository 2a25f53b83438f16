//! The supervisor's console (issue 15): signing in and out, sessions, form tokens, roles, the
//! lock after wrong passwords, the floor and the exceptions pages and their actions, escaping.
//! Against a real hub on loopback, on both backends, with a client that keeps cookies as a
//! browser does (and follows no redirect, so each answer is seen).
#![allow(clippy::unwrap_used)]

mod common;

use common::browser::{Browser, PASSWORD, account};
use common::handheld::Handheld;
use common::towels;
use dockhand_core::protocol::exceptions::RaisedException;
use dockhand_core::sample;
use dockhand_core::sync::protocol::Import;
use dockhand_hub::HubConfig;
use dockhand_hub::console::accounts;
use dockhand_hub::store::ConsoleSession;

/// The exceptions page's digest once its pulse answers the same (the page is fetched again when
/// something changed in between).
async fn settled_digest(b: &mut Browser) -> String {
    for _ in 0..5 {
        let page = b.get("/console/exceptions").await;
        let m = "data-digest=\"";
        let at = page.body.find(m).unwrap() + m.len();
        let digest = page.body[at..at + page.body[at..].find('"').unwrap()].to_string();
        let wanted = format!("{{\"digest\":\"{digest}\"}}");
        for _ in 0..15 {
            if b.get("/console/pulse?page=Exceptions&site=main").await.body == wanted {
                return digest;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }
    panic!("the exceptions page's pulse never answered the page's digest")
}

async fn raised(hub: &common::TestHub) -> Vec<RaisedException> {
    hub.admin_get("/v1/admin/exceptions/raised").await
}

/// A handheld whose receipt and putaway of towels the hub refused (its catalog lacks them).
async fn refused_handheld(hub: &common::TestHub) -> Handheld {
    hub.import(&Import {
        master: common::without_towels(sample::warehouse()),
        ..Import::default()
    })
    .await;
    let h08 = Handheld::new(hub, "handheld-08").await;
    towels::receive_and_put_away(&h08.store, "DOOR-1", 6);
    assert!(h08.sync().await.rejected >= 2);
    h08
}

on_both_backends!(
    a_supervisor_signs_in_resolves_an_exception_and_signs_out,
    HubConfig::default(),
    |hub| {
        account(&hub, "anna", accounts::SUPERVISOR).await;
        let _h08 = refused_handheld(&hub).await;
        let mut b = Browser::new(&hub);

        // Not signed in: every page sends the browser to sign in, and back after.
        let first = b.get("/console/exceptions?state=open").await;
        assert_eq!(first.status, 303);
        assert_eq!(
            first.location,
            "/console/signin?next=%2Fconsole%2Fexceptions%3Fstate%3Dopen"
        );

        // A wrong password: 401, a sentence, no session.
        let wrong = b.sign_in("anna", "not the password").await;
        assert_eq!(wrong.status, 401);
        assert!(
            wrong.body.contains("wrong account name or password"),
            "{}",
            wrong.body
        );
        assert!(!b.cookies.contains_key("dockhand_console"));

        // The right one: a session cookie the page's scripts cannot read, then the page asked.
        let signed = b.sign_in("anna", PASSWORD).await;
        assert_eq!(signed.status, 303, "{}", signed.body);
        assert_eq!(signed.location, "/console/exceptions");
        let cookie = signed
            .set_cookies
            .iter()
            .find(|c| c.starts_with("dockhand_console="))
            .unwrap();
        for part in ["HttpOnly", "SameSite=Strict", "Path=/console"] {
            assert!(cookie.contains(part), "{cookie}");
        }
        assert!(
            !cookie.contains("Secure"),
            "plain HTTP on loopback: {cookie}"
        );

        let floor = b.get("/console").await;
        assert_eq!(floor.status, 200);
        assert!(floor.body.contains("handheld-08"));
        assert!(floor.body.contains("anna · supervisor"));
        assert!(floor.csp.contains("default-src 'self'"), "{}", floor.csp);

        let open = raised(&hub).await;
        let refused = open.iter().find(|e| e.state == "open").unwrap();
        let page = b.get("/console/exceptions").await;
        assert!(page.body.contains(&format!("exception-{}", refused.id)));
        assert!(page.body.contains(&refused.event_ids[0]));
        let action = format!("/console/exceptions/{}", refused.id);

        // A form without the session's token: refused, nothing settled.
        let forged = b
            .post(&action, &[("action", "resolve"), ("note", "checked")])
            .await;
        assert_eq!(forged.status, 403);
        assert!(
            forged.body.contains("no valid console token"),
            "{}",
            forged.body
        );
        let csrf = b.csrf().await;
        let bad_token = b
            .post(
                &action,
                &[("csrf", "0000"), ("action", "resolve"), ("note", "checked")],
            )
            .await;
        assert_eq!(bad_token.status, 403);
        // Resolving needs a note.
        let no_note = b
            .post(&action, &[("csrf", &csrf), ("action", "resolve")])
            .await;
        assert_eq!(no_note.status, 400, "{}", no_note.body);
        assert!(no_note.body.contains("note"), "{}", no_note.body);
        let unchanged = raised(&hub).await;
        assert_eq!(
            unchanged.iter().find(|e| e.id == refused.id).unwrap().state,
            "open"
        );

        // Resolved, by the signed-in supervisor, with the note.
        let note = "towels added to the catalog <script>alert(1)</script> & re-sent";
        let done = b
            .post(
                &action,
                &[("csrf", &csrf), ("action", "resolve"), ("note", note)],
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
        let confirmed = b.get(&done.location).await;
        assert!(
            confirmed
                .body
                .contains(&format!("Exception {} resolved.", refused.id))
        );
        assert_eq!(
            done.location,
            format!("/console/exceptions?done=resolved&id={}", refused.id)
        );
        let settled = raised(&hub).await;
        let settled = settled.iter().find(|e| e.id == refused.id).unwrap();
        assert_eq!(settled.state, "resolved");
        assert_eq!(settled.settled_by.as_deref(), Some("anna"));
        assert_eq!(settled.note.as_deref(), Some(note));

        // The note is shown as text, never run.
        let shown = b.get("/console/exceptions?state=resolved").await;
        assert!(
            shown.body.contains("resolved by anna at "),
            "{}",
            shown.body
        );
        assert!(
            shown
                .body
                .contains("&#60;script&#62;alert(1)&#60;/script&#62; &#38; re-sent"),
            "{}",
            shown.body
        );
        assert!(!shown.body.contains("<script>alert(1)"));

        // Every action recorded with who and when.
        let store = hub.store.clone();
        let actions = tokio::task::spawn_blocking(move || store.console_actions(50).unwrap())
            .await
            .unwrap();
        let said: Vec<(String, String, String)> = actions
            .iter()
            .rev()
            .map(|a| (a.user.clone(), a.action.clone(), a.outcome.clone()))
            .collect();
        assert_eq!(said[0].1, "sign_in_refused");
        assert_eq!(said[1], ("anna".into(), "sign_in".into(), "done".into()));
        assert!(
            said.iter()
                .any(|(u, a, o)| u == "anna" && a == "resolve" && o == "done")
        );
        assert!(
            said.iter()
                .any(|(_, a, o)| a == "resolve" && o.contains("no valid console token"))
        );

        // Signing out ends the session: the old cookie no longer opens a page.
        let kept = b.cookies.get("dockhand_console").cloned().unwrap();
        let out = b.post("/console/signout", &[("csrf", &csrf)]).await;
        assert_eq!(out.status, 303);
        assert!(!b.cookies.contains_key("dockhand_console"));
        b.cookies.insert("dockhand_console".into(), kept);
        let after = b.get("/console").await;
        assert_eq!(after.status, 303);
        assert!(after.location.ends_with("&why=ended"), "{}", after.location);
        let page = b.get(&after.location).await;
        assert!(
            page.body.contains("your session has ended"),
            "{}",
            page.body
        );
    }
);

on_both_backends!(
    a_viewer_reads_every_page_and_acts_on_none,
    HubConfig::default(),
    |hub| {
        account(&hub, "victor", accounts::VIEWER).await;
        let h08 = refused_handheld(&hub).await;
        let mut b = Browser::new(&hub);
        assert_eq!(b.sign_in("victor", PASSWORD).await.status, 303);
        let floor = b.get("/console").await;
        assert_eq!(floor.status, 200);
        assert!(floor.body.contains("handheld-08"));
        assert!(
            !floor.body.contains(">Revoke<"),
            "a viewer is offered no action"
        );
        let exceptions = b.get("/console/exceptions").await;
        assert!(!exceptions.body.contains("value=\"resolve\""));

        let csrf = b.csrf().await;
        let revoke = b
            .post("/console/devices/handheld-08/revoke", &[("csrf", &csrf)])
            .await;
        assert_eq!(revoke.status, 403);
        assert!(
            revoke
                .body
                .contains("victor is signed in as a viewer: to revoke a device needs a supervisor"),
            "{}",
            revoke.body
        );
        // The device was not revoked: it still syncs.
        h08.sync().await;
        let id = raised(&hub).await[0].id;
        let dismiss = b
            .post(
                &format!("/console/exceptions/{id}"),
                &[("csrf", &csrf), ("action", "dismiss")],
            )
            .await;
        assert_eq!(dismiss.status, 403);
        assert_eq!(raised(&hub).await[0].state, "open");
        for (path, fields, what) in [
            (
                "/console/tasks/assign",
                vec![
                    ("task_kind", "pick"),
                    ("task_id", "T1"),
                    ("device_id", "handheld-08"),
                ],
                "assign a task",
            ),
            ("/console/erp/release", vec![], "release held counts"),
            (
                "/console/accuracy/risk-counts",
                vec![("top", "3")],
                "create counts",
            ),
        ] {
            let mut form = fields;
            form.push(("csrf", &csrf));
            let refused = b.post(path, &form).await;
            assert_eq!(refused.status, 403, "{path}");
            let sentence = format!("victor is signed in as a viewer: to {what} needs a supervisor");
            assert!(refused.body.contains(&sentence), "{}", refused.body);
        }
    }
);

on_both_backends!(
    a_supervisor_revokes_a_device_and_its_token_stops_at_once,
    HubConfig::default(),
    |hub| {
        account(&hub, "anna", accounts::SUPERVISOR).await;
        let h08 = refused_handheld(&hub).await;
        // What the handheld said of itself with its sync: the floor's columns.
        let devices: Vec<dockhand_core::sync::protocol::DeviceStatus> =
            hub.admin_get("/v1/admin/devices").await;
        let h08_status = devices
            .iter()
            .find(|d| d.device_id == "handheld-08")
            .unwrap();
        assert_eq!(
            h08_status.app.as_deref(),
            Some(concat!("dockhand ", env!("CARGO_PKG_VERSION")))
        );
        assert_eq!(h08_status.pending, Some(0));
        assert!(h08_status.reported_at.is_some());
        let mut b = Browser::new(&hub);
        b.sign_in("anna", PASSWORD).await;
        let floor = b.get("/console").await;
        assert!(
            floor
                .body
                .contains(concat!("dockhand ", env!("CARGO_PKG_VERSION")))
        );
        let csrf = b.csrf().await;
        let unknown = b
            .post("/console/devices/handheld-99/revoke", &[("csrf", &csrf)])
            .await;
        assert_eq!(unknown.status, 404, "{}", unknown.body);
        assert!(unknown.body.contains("handheld-99"), "{}", unknown.body);
        let revoked = b
            .post(
                "/console/devices/handheld-08/revoke",
                &[("csrf", &csrf), ("site", "main")],
            )
            .await;
        assert_eq!(revoked.status, 303, "{}", revoked.body);
        let floor = b.get(&revoked.location).await;
        assert!(
            floor.body.contains("handheld-08 is revoked"),
            "{}",
            floor.body
        );
        assert!(floor.body.contains("badge revoked"));
        let refused = h08.engine.sync_now().await.unwrap_err();
        assert!(
            refused.to_string().contains("401")
                || refused.to_string().to_lowercase().contains("token"),
            "{refused}"
        );
    }
);

on_both_backends!(
    five_wrong_passwords_lock_an_account_until_an_administrator_resets_it,
    HubConfig::default(),
    |hub| {
        account(&hub, "anna", accounts::SUPERVISOR).await;
        let mut b = Browser::new(&hub);
        let said = |body: &str| {
            let m = "class=\"problem\" role=\"alert\">";
            let s = body.find(m).unwrap() + m.len();
            body[s..s + body[s..].find('<').unwrap()].to_string()
        };
        let first = b.sign_in("anna", "guess guess guess").await;
        assert_eq!(first.status, 401);
        let wrong = said(&first.body);
        assert!(
            wrong.starts_with("wrong account name or password"),
            "{wrong}"
        );
        for _ in 1..accounts::LOCK_AFTER {
            assert_eq!(b.sign_in("anna", "guess guess guess").await.status, 401);
        }
        // Locked: the right password does not open it either, and the answer is the one a wrong
        // password or an unknown name gets (the page does not tell which accounts exist).
        let right = b.sign_in("anna", PASSWORD).await;
        assert_eq!(right.status, 401);
        assert_eq!(said(&right.body), wrong);
        assert!(!b.cookies.contains_key("dockhand_console"));
        let nobody = b.sign_in("nobody", PASSWORD).await;
        assert_eq!((nobody.status, said(&nobody.body)), (401, wrong.clone()));
        // Someone typing anna's name elsewhere does not keep her out: the lock is for the
        // address the wrong passwords came from.
        let mut at_her_desk = Browser::at(&hub, "127.0.0.2");
        assert_eq!(at_her_desk.sign_in("anna", PASSWORD).await.status, 303);
        assert_eq!(b.sign_in("anna", PASSWORD).await.status, 401);
        // The record says what it was.
        let store = hub.store.clone();
        let actions = tokio::task::spawn_blocking(move || store.console_actions(20).unwrap())
            .await
            .unwrap();
        let locked = actions
            .iter()
            .find(|a| a.action == "sign_in_refused" && a.note.is_empty() && a.target == "127.0.0.1")
            .unwrap();
        assert!(
            locked
                .outcome
                .starts_with("locked after 5 wrong passwords until "),
            "{actions:?}"
        );
        assert_eq!(
            (actions[0].action.as_str(), actions[0].target.as_str()),
            ("sign_in_refused", "127.0.0.1")
        );
        assert_eq!(
            (actions[1].action.as_str(), actions[1].target.as_str()),
            ("sign_in", "127.0.0.2")
        );
        let store = hub.store.clone();
        tokio::task::spawn_blocking(move || {
            assert!(
                accounts::put_user(store.as_ref(), "anna", "supervisor", PASSWORD, true).unwrap()
            );
        })
        .await
        .unwrap();
        assert_eq!(b.sign_in("anna", PASSWORD).await.status, 303);
    }
);

on_both_backends!(
    an_ended_session_and_a_forged_sign_in_form_are_refused_with_a_sentence,
    HubConfig::default(),
    |hub| {
        account(&hub, "anna", accounts::SUPERVISOR).await;
        // A session that ended an hour ago.
        let token = "a".repeat(64);
        let store = hub.store.clone();
        tokio::task::spawn_blocking(move || {
            store
                .open_console_session(
                    &dockhand_hub::api::token_hash(&"a".repeat(64)),
                    &ConsoleSession {
                        user: "anna".into(),
                        role: String::new(),
                        csrf: "c".repeat(64),
                        created_at: "2026-01-01T06:00:00.000Z".into(),
                        last_seen: "2026-01-01T06:00:00.000Z".into(),
                        expires_at: "2026-01-01T18:00:00.000Z".into(),
                    },
                )
                .unwrap();
        })
        .await
        .unwrap();
        let mut b = Browser::new(&hub);
        b.cookies.insert("dockhand_console".into(), token);
        let page = b.get("/console/exceptions").await;
        assert_eq!(page.status, 303);
        assert!(page.location.ends_with("&why=expired"), "{}", page.location);
        let post = b
            .post(
                "/console/exceptions/1",
                &[("csrf", &"c".repeat(64)), ("action", "dismiss")],
            )
            .await;
        assert_eq!(post.status, 401, "{}", post.body);
        assert!(post.body.contains("sign in"), "{}", post.body);

        // A session in use (seen just now) still ends 12 hours after sign-in.
        let store = hub.store.clone();
        let recent = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        tokio::task::spawn_blocking(move || {
            store
                .open_console_session(
                    &dockhand_hub::api::token_hash(&"b".repeat(64)),
                    &ConsoleSession {
                        user: "anna".into(),
                        role: String::new(),
                        csrf: "d".repeat(64),
                        created_at: "2026-01-01T06:00:00.000Z".into(),
                        last_seen: recent,
                        expires_at: "2026-01-01T18:00:00.000Z".into(),
                    },
                )
                .unwrap();
        })
        .await
        .unwrap();
        let mut used = Browser::new(&hub);
        used.cookies
            .insert("dockhand_console".into(), "b".repeat(64));
        let page = used.get("/console").await;
        assert!(page.location.ends_with("&why=expired"), "{}", page.location);

        // The sign-in page says only its own sentences, and leads only into the console.
        let mut stranger = Browser::new(&hub);
        let page = stranger
            .get("/console/signin?why=The%20hub%20moved%3A%20sign%20in%20at%20evil.example")
            .await;
        assert!(!page.body.contains("evil.example"), "{}", page.body);
        let page = stranger
            .get("/console/signin?next=/console%0d%0aX:%201")
            .await;
        assert!(
            page.body.contains("name=\"next\" value=\"/console\""),
            "{}",
            page.body
        );

        // A sign-in form posted from elsewhere (no form cookie): refused.
        let forged = stranger
            .post(
                "/console/signin",
                &[("form", "x"), ("name", "anna"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(forged.status, 403);
        assert!(forged.body.contains("no valid token"), "{}", forged.body);
        assert!(!stranger.cookies.contains_key("dockhand_console"));
        // An address outside the console is never where a sign-in leads.
        let page = stranger.get("/console/signin?next=//evil.example/").await;
        assert!(
            page.body.contains("name=\"next\" value=\"/console\""),
            "{}",
            page.body
        );
    }
);

on_both_backends!(
    an_open_page_s_digest_changes_when_an_exception_is_raised,
    HubConfig::default(),
    |hub| {
        account(&hub, "anna", accounts::SUPERVISOR).await;
        hub.import(&Import {
            master: common::without_towels(sample::warehouse()),
            ..Import::default()
        })
        .await;
        let h08 = Handheld::new(&hub, "handheld-08").await;
        h08.sync().await;
        let mut b = Browser::new(&hub);
        b.sign_in("anna", PASSWORD).await;
        let page = b.get("/console/exceptions").await;
        assert!(page.body.contains("0 open exceptions"));
        // The pulse answers the digest the page was rendered with (computed at most once a
        // second, and with the minute: asked again until the two agree).
        let before = settled_digest(&mut b).await;
        towels::receive_and_put_away(&h08.store, "DOOR-1", 6);
        h08.sync().await;
        let page = b.get("/console/exceptions").await;
        assert!(page.body.contains("2 open exceptions"), "{}", page.body);
        let after = settled_digest(&mut b).await;
        assert_ne!(after, before);
        // Files of the console: the two it has, nothing else.
        assert_eq!(b.get("/console/assets/console.js").await.status, 200);
        let missing = b.get("/console/assets/..%2Fmain.rs").await;
        assert_eq!(missing.status, 404);
    }
);

/// The secret of the link a developer's hub prints for anna (`serve --console-link anna`).
const LINK: &str = "a-development-link-secret";

on_both_backends!(
    a_development_hub_s_sign_in_link_signs_in_once,
    HubConfig {
        console_link: Some(dockhand_hub::console::link::ConsoleLink {
            user: "anna".into(),
            token_hash: dockhand_hub::auth::token_hash(LINK),
        }),
        ..HubConfig::default()
    },
    |hub| {
        account(&hub, "anna", accounts::SUPERVISOR).await;
        let mut b = Browser::new(&hub);
        let link = format!("/console/signin/link?token={LINK}");
        let followed = b.get(&link).await;
        assert_eq!(followed.status, 303, "{}", followed.body);
        assert_eq!(followed.location, "/console");
        assert!(b.cookies.contains_key("dockhand_console"));
        let floor = b.get("/console").await;
        assert_eq!(floor.status, 200);
        assert!(floor.body.contains("anna · supervisor"));

        // Once only: a second use (a forwarded mail, a browser's history) is refused.
        let mut other = Browser::new(&hub);
        let again = other.get(&link).await;
        assert_eq!(again.status, 401);
        assert!(
            again.body.contains("this sign-in link was used already"),
            "{}",
            again.body
        );
        assert!(!other.cookies.contains_key("dockhand_console"));
        let store = hub.store.clone();
        let actions = tokio::task::spawn_blocking(move || store.console_actions(5).unwrap())
            .await
            .unwrap();
        assert!(
            actions
                .iter()
                .any(|a| a.action == "sign_in_link" && a.user == "anna")
        );
    }
);
