//! The device's signing identity: an Ed25519 key pair made when its database is created, whose
//! private half never leaves the device.
//!
//! Every event's `hash` is signed as it is appended to the outbox; the hub holds the device's
//! public key from its enrolment and refuses an event that is unsigned or wrongly signed. A bearer
//! token or the registration secret is then not enough to forge a device's history: that takes
//! the device's key.
//!
//! The key lives in the device database (encrypted with it when the database is), or in the
//! platform's keystore through an [`EventSigner`] the app supplies (Android Keystore, iOS
//! Keychain): then the database holds only the public key. What is signed is the ASCII text of
//! the event's `hash` (64 lowercase hex digits); the signature travels as 128 hex digits.

use std::sync::Arc;

use ed25519_dalek::{Signer as _, SigningKey};
use rusqlite::{Connection, OptionalExtension};

use crate::error::{Error, Result};

/// Signs event hashes with a key the app keeps (e.g. in the platform keystore).
pub trait EventSigner: Send + Sync {
    /// The Ed25519 public key, 32 bytes.
    fn public_key(&self) -> [u8; 32];
    /// The Ed25519 signature of `message` (64 bytes), or why the keystore could not sign.
    fn sign(&self, message: &[u8]) -> std::result::Result<[u8; 64], String>;
}

/// Where this device's signatures come from.
#[derive(Clone)]
pub(crate) enum Signer {
    /// The key stored in the device database.
    Local(Box<SigningKey>),
    /// The app's keystore.
    Platform(Arc<dyn EventSigner>),
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Signer::Local(_) => write!(f, "Signer::Local({})", self.public_key_hex()),
            Signer::Platform(_) => write!(f, "Signer::Platform({})", self.public_key_hex()),
        }
    }
}

impl Signer {
    /// The public key as 64 hex digits.
    pub(crate) fn public_key_hex(&self) -> String {
        match self {
            Signer::Local(key) => hex::encode(key.verifying_key().as_bytes()),
            Signer::Platform(signer) => hex::encode(signer.public_key()),
        }
    }

    /// The signature of an event hash, as 128 hex digits.
    pub(crate) fn sign_hash(&self, hash: &str) -> Result<String> {
        let bytes = match self {
            Signer::Local(key) => key.sign(hash.as_bytes()).to_bytes(),
            Signer::Platform(signer) => signer.sign(hash.as_bytes()).map_err(|reason| {
                Error::invalid(
                    "event signature",
                    format!("the keystore could not sign: {reason}"),
                )
            })?,
        };
        Ok(hex::encode(bytes))
    }
}

/// The device's signer: the key recorded in the database (made now when there is none), or the
/// app's `platform` signer, whose public key must be the recorded one once there is one.
pub(crate) fn load_or_create(
    conn: &Connection,
    platform: Option<Arc<dyn EventSigner>>,
    now: &str,
) -> Result<Signer> {
    let recorded: Option<(Option<Vec<u8>>, String)> = conn
        .query_row(
            "SELECT secret_key, public_key FROM device_key WHERE singleton = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match (recorded, platform) {
        (Some((_, public)), Some(platform)) => {
            let offered = hex::encode(platform.public_key());
            if offered != public {
                return Err(Error::invalid(
                    "device key",
                    format!(
                        "the keystore's public key {}… is not this database's {}…: the database belongs to another installation",
                        &offered[..12],
                        public.get(..12).unwrap_or(&public)
                    ),
                ));
            }
            Ok(Signer::Platform(platform))
        }
        (Some((Some(secret), public)), None) => {
            let bytes: [u8; 32] = secret.as_slice().try_into().map_err(|_| {
                Error::invalid("device key", "the stored private key is not 32 bytes")
            })?;
            let key = SigningKey::from_bytes(&bytes);
            if hex::encode(key.verifying_key().as_bytes()) != public {
                return Err(Error::invalid(
                    "device key",
                    "the stored private key does not match the stored public key",
                ));
            }
            Ok(Signer::Local(Box::new(key)))
        }
        (Some((None, _)), None) => Err(Error::invalid(
            "device key",
            "this database's key is in the platform keystore: open it with the app's signer",
        )),
        (None, Some(platform)) => {
            conn.execute(
                "INSERT INTO device_key (singleton, secret_key, public_key, created_at)
                 VALUES (1, NULL, ?1, ?2)",
                (hex::encode(platform.public_key()), now),
            )?;
            Ok(Signer::Platform(platform))
        }
        (None, None) => {
            let key = SigningKey::from_bytes(&rand::random::<[u8; 32]>());
            conn.execute(
                "INSERT INTO device_key (singleton, secret_key, public_key, created_at)
                 VALUES (1, ?1, ?2, ?3)",
                (
                    key.to_bytes().to_vec(),
                    hex::encode(key.verifying_key().as_bytes()),
                    now,
                ),
            )?;
            Ok(Signer::Local(Box::new(key)))
        }
    }
}

/// Signs the events recorded before devices signed (a database from an older dockhand): pending
/// ones only, since only they will still be sent.
pub(crate) fn sign_unsigned(conn: &Connection, signer: &Signer) -> Result<usize> {
    let unsigned: Vec<(i64, String)> = conn
        .prepare("SELECT seq, hash FROM outbox WHERE signature IS NULL AND state = 'pending'")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (seq, hash) in &unsigned {
        conn.execute(
            "UPDATE outbox SET signature = ?2 WHERE seq = ?1",
            (seq, signer.sign_hash(hash)?),
        )?;
    }
    Ok(unsigned.len())
}

pub use dockhand_protocol::envelope::{is_public_key, verify_signature as verify};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_for_its_hash_and_key() {
        let key = Signer::Local(Box::new(SigningKey::from_bytes(&[7; 32])));
        let other = Signer::Local(Box::new(SigningKey::from_bytes(&[8; 32])));
        let hash = "ab".repeat(32);
        let signature = key.sign_hash(&hash).unwrap_or_default();
        assert_eq!(signature.len(), 128);
        assert_eq!(verify(&key.public_key_hex(), &hash, &signature), Ok(()));
        assert!(verify(&other.public_key_hex(), &hash, &signature).is_err());
        assert!(verify(&key.public_key_hex(), &"cd".repeat(32), &signature).is_err());
        assert!(verify(&key.public_key_hex(), &hash, "00").is_err());
        assert!(is_public_key(&key.public_key_hex()));
        assert!(!is_public_key("zz"));
    }
}
