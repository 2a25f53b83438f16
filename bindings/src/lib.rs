//! dockhand-ffi: dockhand-core for Android (Kotlin), iOS (Swift) and Python through uniffi. A thin
//! shell — every rule lives in dockhand-core; this crate converts types and errors.
//!
//! Local commands are synchronous (they are fast: call them off the main thread); anything that
//! touches the network is async.

use std::sync::Arc;

use dockhand_core::receiving::{self, OpenBlindReceipt, ReceiveLine};
use dockhand_core::{ResolvedScan, ScannedGoods, Store, outbox};

uniffi::setup_scaffolding!();

/// What an app can do about a failure.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum DockhandError {
    /// Bad input: show the message, let the operator correct it.
    #[error("{message}")]
    Validation {
        /// Stable code, e.g. `wrong_check_string`.
        code: String,
        /// What was wrong, with the values.
        message: String,
    },
    /// Something named does not exist (barcode, location, task…).
    #[error("{message}")]
    NotFound {
        /// Stable code.
        code: String,
        /// What was not found.
        message: String,
    },
    /// Already done, or in a state that does not allow it.
    #[error("{message}")]
    Conflict {
        /// Stable code.
        code: String,
        /// Why.
        message: String,
    },
    /// A supervisor must approve.
    #[error("{message}")]
    NeedsSupervisor {
        /// Stable code.
        code: String,
        /// What needs approving.
        message: String,
    },
    /// The device database failed; nothing was recorded.
    #[error("{message}")]
    Storage {
        /// Stable code.
        code: String,
        /// What failed.
        message: String,
    },
}

impl From<dockhand_core::Error> for DockhandError {
    fn from(e: dockhand_core::Error) -> Self {
        use dockhand_core::ErrorKind;
        let (code, message) = (e.code().to_string(), e.to_string());
        match e.kind() {
            ErrorKind::Validation => Self::Validation { code, message },
            ErrorKind::NotFound => Self::NotFound { code, message },
            ErrorKind::Conflict => Self::Conflict { code, message },
            ErrorKind::NeedsSupervisor => Self::NeedsSupervisor { code, message },
            ErrorKind::Storage => Self::Storage { code, message },
        }
    }
}

/// What a scan means, for a screen.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ScanResult {
    /// `goods`, `pallet` or `location`.
    pub kind: String,
    /// Item SKU (goods).
    pub sku: Option<String>,
    /// The catalog code matched (goods).
    pub barcode: Option<String>,
    /// Pack unit (goods).
    pub unit: Option<String>,
    /// Base units per scan (goods).
    pub base_per_scan: Option<i64>,
    /// Lot on the label.
    pub lot: Option<String>,
    /// Expiry on the label, `YYYY-MM-DD`.
    pub expiry: Option<String>,
    /// Serial on the label.
    pub serial: Option<String>,
    /// SSCC (pallet, or goods on a pallet).
    pub sscc: Option<String>,
    /// Location code (location).
    pub location: Option<String>,
}

impl From<ResolvedScan> for ScanResult {
    fn from(scan: ResolvedScan) -> Self {
        let empty = Self {
            kind: String::new(),
            sku: None,
            barcode: None,
            unit: None,
            base_per_scan: None,
            lot: None,
            expiry: None,
            serial: None,
            sscc: None,
            location: None,
        };
        match scan {
            ResolvedScan::Goods {
                sku,
                barcode,
                unit,
                base_per_scan,
                lot,
                expiry,
                serial,
                sscc,
                ..
            } => Self {
                kind: "goods".into(),
                sku: Some(sku),
                barcode: Some(barcode),
                unit: Some(unit),
                base_per_scan: Some(base_per_scan),
                lot,
                expiry: expiry.map(|d| d.to_string()),
                serial,
                sscc,
                ..empty
            },
            ResolvedScan::Pallet { sscc } => Self {
                kind: "pallet".into(),
                sscc: Some(sscc),
                ..empty
            },
            ResolvedScan::Location { code } => Self {
                kind: "location".into(),
                location: Some(code),
                ..empty
            },
        }
    }
}

/// Goods as scanned or typed: the barcode, and what the label or the operator says.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Goods {
    /// GTIN, EAN, UPC, internal code, or the whole raw GS1 label.
    pub barcode: String,
    /// Lot.
    pub lot: Option<String>,
    /// Expiry, `YYYY-MM-DD`.
    pub expiry: Option<String>,
    /// Serial.
    pub serial: Option<String>,
}

fn invalid(code: &str, message: String) -> DockhandError {
    DockhandError::Validation {
        code: code.into(),
        message,
    }
}

fn op_id(text: &str) -> Result<uuid::Uuid, DockhandError> {
    uuid::Uuid::parse_str(text.trim()).map_err(|e| {
        invalid(
            "invalid_input",
            format!("operation id {text:?} is not a UUID: {e}"),
        )
    })
}

impl TryFrom<Goods> for ScannedGoods {
    type Error = DockhandError;
    fn try_from(g: Goods) -> Result<Self, DockhandError> {
        let expiry = g
            .expiry
            .as_deref()
            .map(|d| {
                chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|e| {
                    invalid(
                        "invalid_input",
                        format!("expiry {d:?} is not a date (YYYY-MM-DD): {e}"),
                    )
                })
            })
            .transpose()?;
        Ok(ScannedGoods {
            barcode: g.barcode,
            lot: g.lot,
            expiry,
            serial: g.serial,
        })
    }
}

/// A receive scan onto a dock.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReceiveRequest {
    /// A new UUID per operator action (a retry with the same id does nothing twice).
    pub op_id: String,
    /// Operator.
    pub operator: String,
    /// Receipt (ASN or blind receipt) id.
    pub receipt_id: String,
    /// Dock location code.
    pub dock: String,
    /// The goods.
    pub goods: Goods,
    /// Packs of the scanned barcode.
    pub quantity: i64,
    /// Licence plate, if the goods arrive on one.
    pub lpn: Option<String>,
    /// Supervisor approving an over-receipt or a short-dated lot.
    pub approved_by: Option<String>,
}

/// What a receive scan recorded.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Received {
    /// Receipt line credited.
    pub line_no: i64,
    /// Item SKU.
    pub sku: String,
    /// Base units received by this scan.
    pub base_quantity: i64,
    /// Lot ("" when untracked).
    pub lot: String,
    /// `received`, or `quarantined` with the reason.
    pub status: String,
    /// Why the goods are held.
    pub quarantine_reason: Option<String>,
    /// Base units received on the line so far.
    pub line_received: i64,
}

/// Events by delivery state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct OutboxCounts {
    /// Waiting for the hub.
    pub pending: i64,
    /// Accepted by the hub.
    pub acknowledged: i64,
    /// Refused by the hub: exceptions to resolve.
    pub rejected: i64,
}

/// One device's database.
#[derive(uniffi::Object)]
pub struct Device {
    store: Arc<Store>,
}

#[uniffi::export]
impl Device {
    /// Opens (creating when new) the device database at `path` for `device_id`.
    #[uniffi::constructor]
    pub fn open(path: String, device_id: String) -> Result<Arc<Self>, DockhandError> {
        Ok(Arc::new(Self {
            store: Arc::new(Store::open(path, &device_id)?),
        }))
    }

    /// Loads the built-in sample warehouse (items, barcodes, locations, operators) into an empty
    /// device: for the sample apps and their tests.
    pub fn load_sample_warehouse(&self) -> Result<(), DockhandError> {
        dockhand_core::catalog::upsert_master_data(
            &self.store,
            &dockhand_core::sample::warehouse(),
        )?;
        Ok(())
    }

    /// This device's id.
    pub fn device_id(&self) -> String {
        self.store.device_id().to_string()
    }

    /// What a scan means: goods, a pallet or a location (see `dockhand_core::resolve_scan`).
    pub fn resolve_scan(&self, raw: String) -> Result<ScanResult, DockhandError> {
        Ok(self
            .store
            .read(|c| dockhand_core::resolve_scan(c, &raw))?
            .into())
    }

    /// Opens a receipt for goods that arrived without an ASN.
    pub fn open_blind_receipt(
        &self,
        op_id: String,
        operator: String,
        receipt_id: String,
        reference: String,
        supplier: String,
    ) -> Result<(), DockhandError> {
        receiving::open_blind_receipt(
            &self.store,
            &OpenBlindReceipt {
                op_id: self::op_id(&op_id)?,
                operator,
                receipt_id,
                reference,
                supplier,
            },
        )?;
        Ok(())
    }

    /// Receives one scan onto a dock.
    pub fn receive(&self, request: ReceiveRequest) -> Result<Received, DockhandError> {
        let r = receiving::receive_line(
            &self.store,
            &ReceiveLine {
                op_id: op_id(&request.op_id)?,
                operator: request.operator,
                receipt_id: request.receipt_id,
                dock: request.dock,
                scan: request.goods.try_into()?,
                quantity: request.quantity,
                lpn: request.lpn,
                approved_by: request.approved_by,
            },
        )?;
        Ok(Received {
            line_no: r.line_no,
            sku: r.sku,
            base_quantity: r.base_quantity,
            lot: r.lot,
            status: r.status.to_string(),
            quarantine_reason: r.quarantine_reason,
            line_received: r.line_received,
        })
    }

    /// Events by delivery state.
    pub fn outbox_counts(&self) -> Result<OutboxCounts, DockhandError> {
        let (pending, rejected) = self.store.read(outbox::open_counts)?;
        let all = self.store.read(outbox::last_seq)?;
        Ok(OutboxCounts {
            pending,
            acknowledged: all - pending - rejected,
            rejected,
        })
    }
}
