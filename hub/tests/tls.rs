//! TLS at both ends of the hub: HTTPS served with its own certificate, and PostgreSQL reached over
//! TLS with libpq's sslmode (the test server lets role `tlsonly` in over TLS only).
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use dockhand_hub::HubConfig;
use dockhand_hub::postgres::PostgresStore;

/// A CA and a certificate it signed for localhost and 127.0.0.1, as PEM files in `dir`.
fn certificates(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf, String) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "dockhand test CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let params =
        rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .unwrap();
    let cert = params.signed_by(&key, &issuer).unwrap();
    let cert_path = dir.join("hub.crt");
    let key_path = dir.join("hub.key");
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    (cert_path, key_path, ca.pem())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_serves_https_with_its_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, ca) = certificates(dir.path());
    let config = HubConfig {
        tls: Some(dockhand_hub::tls::server_config(&cert, &key).unwrap()),
        ..HubConfig::default()
    };
    let hub = common::start("sqlite", config).await.unwrap();
    let https = hub.url.replace("http://127.0.0.1", "https://localhost");
    let trusting = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca.as_bytes()).unwrap())
        .build()
        .unwrap();
    let health = trusting
        .get(format!("{https}/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    // A client that does not trust the certificate, and one that speaks plain HTTP, get nothing.
    let stranger = reqwest::Client::new()
        .get(format!("{https}/health"))
        .send()
        .await;
    assert!(stranger.is_err());
    let plain = reqwest::Client::new()
        .get(format!("{}/health", hub.url))
        .send()
        .await;
    assert!(plain.is_err(), "{plain:?}");
    // A device syncs over it like over plain HTTP.
    let device = common::device("HH-T", 20, 8);
    let events = common::envelopes(&device);
    let token: dockhand_core::sync::protocol::DeviceToken = trusting
        .post(format!("{https}/v1/devices/register"))
        .json(&serde_json::json!({"device_id": "HH-T", "public_key": device.public_key()}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let result: dockhand_core::sync::protocol::IntakeResult = trusting
        .post(format!("{https}/v1/events"))
        .bearer_auth(&token.token)
        .json(&serde_json::json!({"device_id": "HH-T", "events": events}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(result.contiguous_seq, events.len() as i64);
}

#[test]
fn a_bad_certificate_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    let err = dockhand_hub::tls::server_config(&empty, &empty)
        .unwrap_err()
        .to_string();
    assert!(err.contains("empty.pem holds no PEM certificate"), "{err}");
}

/// The test server's URL for `role` and `database` with `query`.
fn url(base: &str, role: &str, database: &str, query: &str) -> String {
    let rest = base.split_once('@').unwrap().1;
    let host_port = rest.split('/').next().unwrap();
    let host_port = host_port.replace("127.0.0.1", "localhost");
    format!("postgres://{role}@{host_port}/{database}?{query}")
}

#[test]
fn the_hub_reaches_postgresql_over_tls_and_verifies_its_certificate() {
    let (Ok(base), Ok(ca)) = (
        std::env::var("DOCKHAND_TEST_POSTGRES"),
        std::env::var("DOCKHAND_TEST_POSTGRES_CA"),
    ) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs this against the TLS-enabled test server (scripts/postgres-test-server.sh)"
        );
        return;
    };
    let database = common::fresh_postgres_url(&base);
    let name = database.rsplit('/').next().unwrap().to_string();
    // Role tlsonly is refused without TLS: getting in proves the connection is encrypted.
    let plain = PostgresStore::connect(&url(&base, "tlsonly", &name, "sslmode=disable"));
    assert!(plain.err().unwrap().to_string().contains("no encryption"));
    for query in [
        "sslmode=require".to_string(),
        format!("sslmode=verify-ca&sslrootcert={ca}"),
        format!("sslmode=verify-full&sslrootcert={ca}"),
    ] {
        let store: Arc<dyn dockhand_hub::HubStore> =
            Arc::new(PostgresStore::connect(&url(&base, "tlsonly", &name, &query)).unwrap());
        store.ping().unwrap();
    }
    // verify-full against the wrong authority: refused, with the reason.
    let dir = tempfile::tempdir().unwrap();
    let (_, _, other_ca) = certificates(dir.path());
    let other = dir.path().join("other-ca.pem");
    std::fs::write(&other, other_ca).unwrap();
    let refused = PostgresStore::connect(&url(
        &base,
        "tlsonly",
        &name,
        &format!("sslmode=verify-full&sslrootcert={}", other.display()),
    ))
    .err()
    .unwrap()
    .to_string();
    assert!(
        refused.contains("error performing TLS handshake: invalid peer certificate"),
        "{refused}"
    );
}
