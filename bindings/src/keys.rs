//! Keys an app keeps in its platform keystore: the database key ([`generate_database_key`],
//! [`change_database_key`]) and, optionally, the device's signing key behind an [`EventSigner`].

use std::sync::Arc;

use dockhand_core::identity::EventSigner as CoreSigner;

use crate::error::DockhandError;

/// The app's keystore, signing the hash of every event this device records with the device's
/// Ed25519 key (Android Keystore on Android 13+, a Keychain-held CryptoKit key on iOS). Called
/// inside the write transaction of every command: it must answer at once, without a prompt.
#[uniffi::export(with_foreign)]
pub trait EventSigner: Send + Sync {
    /// The Ed25519 public key: 32 bytes.
    fn public_key(&self) -> Vec<u8>;
    /// The Ed25519 signature of `message`: 64 bytes. An error refuses the command (nothing is
    /// recorded) with the error's reason.
    fn sign(&self, message: Vec<u8>) -> Result<Vec<u8>, DockhandError>;
}

/// The app's signer seen by the core: lengths checked once for the key, on every signature.
pub(crate) struct AppSigner {
    signer: Arc<dyn EventSigner>,
    public_key: [u8; 32],
}

impl AppSigner {
    pub(crate) fn new(signer: Arc<dyn EventSigner>) -> Result<Self, DockhandError> {
        let key = signer.public_key();
        let public_key =
            <[u8; 32]>::try_from(key.as_slice()).map_err(|_| DockhandError::Validation {
                code: "invalid_public_key".into(),
                reason: format!(
                    "the app's EventSigner gave a public key of {} bytes; Ed25519 keys are 32",
                    key.len()
                ),
            })?;
        Ok(Self { signer, public_key })
    }
}

impl CoreSigner for AppSigner {
    fn public_key(&self) -> [u8; 32] {
        self.public_key
    }

    fn sign(&self, message: &[u8]) -> Result<[u8; 64], String> {
        let signature = self
            .signer
            .sign(message.to_vec())
            .map_err(|e| e.to_string())?;
        <[u8; 64]>::try_from(signature.as_slice()).map_err(|_| {
            format!(
                "the app's EventSigner gave a signature of {} bytes; Ed25519 signatures are 64",
                signature.len()
            )
        })
    }
}

/// A new random database key (64 hex digits) for [`crate::Device::open`]. Make it once per
/// device and keep it in the platform keystore: without it the database cannot be read.
#[uniffi::export]
pub fn generate_database_key() -> String {
    dockhand_core::keys::generate_key()
}

/// Encrypts the database at `path` with `new_key` (`current_key` none: it is plain now, e.g.
/// made by an earlier app version) or changes its key. Close every [`crate::Device`] on the file
/// first. The file is replaced only once the re-encrypted copy is complete and checked: a wrong
/// current key, a database in use or a crash leaves it as it was.
#[uniffi::export]
pub fn change_database_key(
    path: String,
    current_key: Option<String>,
    new_key: String,
) -> Result<(), DockhandError> {
    dockhand_core::keys::change_key(
        std::path::Path::new(&path),
        current_key.as_deref(),
        Some(&new_key),
    )?;
    Ok(())
}
