//! Who is at the handheld: sign-in with badge scan and PIN, and supervisors' approvals. The rules
//! (lockout, four eyes, who may approve) are dockhand-core's.

use std::sync::Arc;

use dockhand_core::credentials;

use crate::Device;
use crate::error::DockhandError;

/// A badge scanned and a PIN typed, to approve something on this handheld. An object, not a
/// record: the generated Kotlin and Swift print records' fields (`toString`, `description`), and
/// the PIN must never be printed.
#[derive(uniffi::Object)]
pub struct Approval {
    badge: String,
    pin: String,
}

#[uniffi::export]
impl Approval {
    /// Badge and PIN, as scanned and typed.
    #[uniffi::constructor]
    pub fn new(badge: String, pin: String) -> Arc<Self> {
        Arc::new(Self { badge, pin })
    }

    /// The badge.
    pub fn badge(&self) -> String {
        self.badge.clone()
    }
}

impl std::fmt::Debug for Approval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Approval")
            .field("badge", &self.badge)
            .finish_non_exhaustive()
    }
}

impl PartialEq for Approval {
    fn eq(&self, other: &Self) -> bool {
        self.badge == other.badge && self.pin == other.pin
    }
}

impl Eq for Approval {}

impl From<&Approval> for credentials::Approval {
    fn from(a: &Approval) -> Self {
        credentials::Approval::new(a.badge.clone(), a.pin.clone())
    }
}

#[uniffi::export]
impl Device {
    /// Signs the badge's owner in (whoever was signed in is signed out). Once the hub has sent
    /// badges, every command must name the operator signed in. A wrong PIN is a validation
    /// error saying how many attempts are left; too many lock the badge for a while.
    pub fn sign_in(
        &self,
        badge: String,
        pin: String,
    ) -> Result<dockhand_core::catalog::Operator, DockhandError> {
        Ok(credentials::sign_in(&self.store, &badge, &pin)?)
    }

    /// Signs out whoever is signed in; returns their operator id.
    pub fn sign_out(&self) -> Result<Option<String>, DockhandError> {
        Ok(credentials::sign_out(&self.store)?)
    }

    /// Who is signed in, if anyone.
    pub fn signed_in(&self) -> Result<Option<dockhand_core::catalog::Operator>, DockhandError> {
        Ok(credentials::signed_in(&self.store)?)
    }
}
