//! Encrypted device databases (SQLCipher, feature `encryption`): unreadable without the key, a
//! wrong key refused with a sentence, the right key gives everything back. Without the feature, a
//! key is refused before any file is made.
#![allow(clippy::unwrap_used)]

use dockhand_core::{Store, StoreOptions};

#[cfg(not(feature = "encryption"))]
#[test]
fn a_build_without_encryption_refuses_a_key_and_makes_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db");
    let err = Store::open_with(
        &path,
        StoreOptions::new("HH-1").with_encryption_key("s3cret"),
    )
    .unwrap_err();
    assert_eq!(err.code(), "invalid_input");
    assert!(err.to_string().contains("no encryption"), "{err}");
    assert!(!path.exists());
}

#[cfg(feature = "encryption")]
#[test]
fn an_encrypted_database_opens_only_with_its_key() {
    use dockhand_core::{catalog, sample};
    let dir = tempfile::tempdir().unwrap();
    let (plain, secret) = (dir.path().join("plain.db"), dir.path().join("secret.db"));
    let key = "correct horse battery staple";
    for (path, options) in [
        (&plain, StoreOptions::new("HH-1")),
        (&secret, StoreOptions::new("HH-1").with_encryption_key(key)),
    ] {
        let store = Store::open_with(path, options).unwrap();
        catalog::upsert_master_data(&store, &sample::warehouse()).unwrap();
    }
    // The plain file shows SQLite's header and the catalog; the encrypted one shows neither.
    let bytes = |p: &std::path::Path| {
        let mut all = std::fs::read(p).unwrap();
        all.extend(std::fs::read(p.with_extension("db-wal")).unwrap_or_default());
        all
    };
    let contains =
        |hay: &[u8], needle: &str| hay.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(contains(&bytes(&plain), "SQLite format 3"));
    assert!(contains(&bytes(&plain), "Paper towels"));
    assert!(!contains(&bytes(&secret), "SQLite format 3"));
    assert!(!contains(&bytes(&secret), "Paper towels"));

    let before = std::fs::read(&secret).unwrap();
    let no_key = Store::open(&secret, "HH-1").unwrap_err();
    assert_eq!(no_key.code(), "database_unreadable");
    assert!(no_key.to_string().contains("needs its key"), "{no_key}");
    let wrong = Store::open_with(
        &secret,
        StoreOptions::new("HH-1").with_encryption_key("guess"),
    )
    .unwrap_err();
    assert!(
        wrong
            .to_string()
            .contains("encryption key does not open it"),
        "{wrong}"
    );
    assert_eq!(
        std::fs::read(&secret).unwrap(),
        before,
        "refused opens leave the file as it was"
    );

    let store =
        Store::open_with(&secret, StoreOptions::new("HH-1").with_encryption_key(key)).unwrap();
    let counts = store.read(catalog::counts).unwrap();
    assert_eq!(counts.items, sample::warehouse().items.len());
    assert!(store.verify_integrity().unwrap().is_ok());
}
