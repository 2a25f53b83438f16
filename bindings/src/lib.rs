//! dockhand-ffi: dockhand-core for Android (Kotlin), iOS (Swift) and Python through uniffi. A thin
//! shell — every rule lives in dockhand-core; this crate converts types and errors.
//!
//! A [`Device`] is one handheld's database. Local commands and queries are synchronous (they are
//! fast: call them off the main thread); [`SyncClient::sync_now`] touches the network and is async.
//! Failures arrive as one [`DockhandError`] whose variant says what the app can do.

use std::sync::Arc;

use dockhand_core::identity::EventSigner as CoreSigner;
use dockhand_core::{Store, StoreOptions};

mod error;
mod inputs;
mod keys;
mod labels;
mod packing;
mod queries;
mod replenishment;
mod session;
mod sync;
mod types;
mod workflows;

pub use error::DockhandError;
pub use inputs::{CountedGoods, Goods, InspectionRequest, NewPickLine, NewPickTask, PickRequest};
pub use inputs::{PutawayRequest, ReceiveRequest, ReturnRequest, ReturnedGoods};
use keys::AppSigner;
pub use keys::{EventSigner, change_database_key, generate_database_key};
pub use queries::{IntegritySummary, OutboxEvent, ScanResult};
pub use session::Approval;
pub use sync::{Subscription, SyncClient, SyncObserver, SyncReport, SyncSettings, TokenProvider};
pub use workflows::Voided;

uniffi::setup_scaffolding!();

/// One device's database.
#[derive(uniffi::Object)]
pub struct Device {
    pub(crate) store: Arc<Store>,
}

impl Device {
    fn with_options(path: String, options: StoreOptions) -> Result<Arc<Self>, DockhandError> {
        Ok(Arc::new(Self {
            store: Arc::new(Store::open_with(path, options)?),
        }))
    }
}

#[uniffi::export]
impl Device {
    /// Opens (creating when new) the encrypted device database at `path` for `device_id`. The
    /// key is 64 hex digits (a random 256-bit key: make it once with [`generate_database_key`]
    /// and keep it in the Android Keystore / iOS Keychain) or a passphrase of 16 characters or
    /// more. A wrong key, or a file made for another device, is refused (storage error) and the
    /// file left as it was. `signer`: the app's keystore signs events instead of a key kept in
    /// the (encrypted) database.
    #[uniffi::constructor(default(signer = None))]
    pub fn open(
        path: String,
        device_id: String,
        encryption_key: String,
        signer: Option<Arc<dyn EventSigner>>,
    ) -> Result<Arc<Self>, DockhandError> {
        let mut options = StoreOptions::new(device_id).with_encryption_key(encryption_key);
        if let Some(signer) = signer {
            options.signer = Some(Arc::new(AppSigner::new(signer)?) as Arc<dyn CoreSigner>);
        }
        Self::with_options(path, options)
    }

    /// Opens (creating when new) a PLAIN device database: anyone who copies the file reads
    /// stock, operators and the device's signing key. For development and tests only; a
    /// production app uses [`Device::open`] with a key.
    #[uniffi::constructor]
    pub fn open_unencrypted_for_development(
        path: String,
        device_id: String,
    ) -> Result<Arc<Self>, DockhandError> {
        Self::with_options(path, StoreOptions::new(device_id))
    }

    /// Loads the built-in sample warehouse into a device: master data (items, barcodes,
    /// locations, operators with their badges) and the sample ASN `ASN-1001`. For the sample apps
    /// and their tests: sign in with a sample badge (alice `BADGE-0001` PIN 111111, bob
    /// `BADGE-0002` 222222, supervisor sam `BADGE-0003` 333333) before running commands.
    pub fn load_sample_warehouse(&self) -> Result<(), DockhandError> {
        use dockhand_core::{catalog, receiving, sample};
        let mut data = sample::warehouse();
        data.credentials = sample::credentials()?;
        catalog::upsert_master_data(&self.store, &data)?;
        receiving::load_expected_receipts(&self.store, &[sample::asn()])?;
        Ok(())
    }

    /// This device's id.
    pub fn device_id(&self) -> String {
        self.store.device_id().to_string()
    }

    /// The device's Ed25519 public key (64 hex digits). Every event is signed with the device's
    /// key; registration sends this so that the hub can verify them. Show it to an administrator
    /// who issues the device's token by hand (`dockhand-hub device issue ID --public-key …`).
    pub fn public_key(&self) -> String {
        self.store.public_key().unwrap_or_default()
    }

    /// Closes the database file now, so the app may move, back up or delete it. Every later call
    /// on this device, and the sync of a `SyncClient` made from it, fails with a storage error of
    /// code `device_closed`; closing twice changes nothing. (Kotlin: `closeDatabase()`, since
    /// Kotlin's own `close()` releases the handle.)
    pub fn close(&self) -> Result<(), DockhandError> {
        Ok(self.store.close()?)
    }
}
