//! dockhand-ffi: dockhand-core for Android (Kotlin), iOS (Swift) and Python through uniffi. A thin
//! shell — every rule lives in dockhand-core; this crate converts types and errors.
//!
//! A [`Device`] is one handheld's database. Local commands and queries are synchronous (they are
//! fast: call them off the main thread); [`SyncClient::sync_now`] touches the network and is async.
//! Failures arrive as one [`DockhandError`] whose variant says what the app can do.

use std::sync::Arc;

use dockhand_core::{Store, StoreOptions};

mod error;
mod inputs;
mod queries;
mod sync;
mod types;
mod workflows;

pub use error::DockhandError;
pub use inputs::{CountedGoods, Goods, InspectionRequest, NewPickLine, NewPickTask, PickRequest};
pub use inputs::{PutawayRequest, ReceiveRequest, ReturnRequest, ReturnedGoods};
pub use queries::{IntegritySummary, OutboxEvent, ScanResult};
pub use sync::{Subscription, SyncClient, SyncObserver, SyncReport, SyncSettings, TokenProvider};
pub use workflows::Voided;

uniffi::setup_scaffolding!();

/// One device's database.
#[derive(uniffi::Object)]
pub struct Device {
    pub(crate) store: Arc<Store>,
}

#[uniffi::export]
impl Device {
    /// Opens (creating when new) the device database at `path` for `device_id`. A file made for
    /// another device is refused (storage error), and left as it was. With `encryption_key` the
    /// file is encrypted (SQLCipher; keep the key in the Android Keystore / iOS Keychain) and the
    /// same key opens it again; a library built without the `encryption` feature refuses a key.
    #[uniffi::constructor(default(encryption_key = None))]
    pub fn open(
        path: String,
        device_id: String,
        encryption_key: Option<String>,
    ) -> Result<Arc<Self>, DockhandError> {
        let mut options = StoreOptions::new(device_id);
        options.encryption_key = encryption_key;
        Ok(Arc::new(Self {
            store: Arc::new(Store::open_with(path, options)?),
        }))
    }

    /// Loads the built-in sample warehouse into a device: master data (items, barcodes,
    /// locations, operators) and the sample ASN `ASN-1001`. For the sample apps and their tests.
    pub fn load_sample_warehouse(&self) -> Result<(), DockhandError> {
        use dockhand_core::{catalog, receiving, sample};
        catalog::upsert_master_data(&self.store, &sample::warehouse())?;
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
}
