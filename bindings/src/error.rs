//! The one error type an app catches, and the parsing of text inputs (ids, dates) into the core's
//! types with a validation error naming the value.

use chrono::{DateTime, FixedOffset, NaiveDate};
use dockhand_core::sync::engine::SyncError;
use uuid::Uuid;

/// What an app can do about a failure. Every variant carries a stable `code` to branch on and a
/// `reason`: the sentence to show a person, with the values involved. (Not `message`: Kotlin
/// exceptions already have one.)
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum DockhandError {
    /// Bad input: show the message, let the operator correct it.
    #[error("{reason}")]
    Validation {
        /// Stable code, e.g. `wrong_check_string`.
        code: String,
        /// What was wrong, with the values.
        reason: String,
    },
    /// Something named does not exist (barcode, location, task…).
    #[error("{reason}")]
    NotFound {
        /// Stable code.
        code: String,
        /// What was not found.
        reason: String,
    },
    /// Already done, or in a state that does not allow it.
    #[error("{reason}")]
    Conflict {
        /// Stable code.
        code: String,
        /// Why.
        reason: String,
    },
    /// A supervisor must approve.
    #[error("{reason}")]
    NeedsSupervisor {
        /// Stable code.
        code: String,
        /// What needs approving.
        reason: String,
    },
    /// The device database failed; nothing was recorded.
    #[error("{reason}")]
    Storage {
        /// Stable code.
        code: String,
        /// What failed.
        reason: String,
    },
    /// The hub could not be reached or refused the sync; the work stays on the device.
    #[error("{reason}")]
    Network {
        /// `unreachable`, `hub_error`, `unauthorized` or `stuck`.
        code: String,
        /// What happened.
        reason: String,
        /// Whether retrying later may fix it (no route, timeout, 5xx).
        transient: bool,
    },
}

impl From<dockhand_core::Error> for DockhandError {
    fn from(e: dockhand_core::Error) -> Self {
        use dockhand_core::ErrorKind;
        let (code, reason) = (e.code().to_string(), e.to_string());
        match e.kind() {
            ErrorKind::Validation => Self::Validation { code, reason },
            ErrorKind::NotFound => Self::NotFound { code, reason },
            ErrorKind::Conflict => Self::Conflict { code, reason },
            ErrorKind::NeedsSupervisor => Self::NeedsSupervisor { code, reason },
            ErrorKind::Storage => Self::Storage { code, reason },
        }
    }
}

impl From<SyncError> for DockhandError {
    fn from(e: SyncError) -> Self {
        let transient = e.is_transient();
        let reason = e.to_string();
        let code = match e {
            SyncError::Store(_) => {
                return Self::Storage {
                    code: "storage".into(),
                    reason,
                };
            }
            SyncError::Unreachable { .. } => "unreachable",
            SyncError::Hub { .. } => "hub_error",
            SyncError::Unauthorized(_) => "unauthorized",
            SyncError::Stuck(_) => "stuck",
        };
        Self::Network {
            code: code.into(),
            reason,
            transient,
        }
    }
}

pub(crate) fn invalid(reason: String) -> DockhandError {
    DockhandError::Validation {
        code: "invalid_input".into(),
        reason,
    }
}

/// An operation id: a UUID the app makes per operator action.
pub(crate) fn op_id(text: &str) -> Result<Uuid, DockhandError> {
    uuid(text, "operation id")
}

pub(crate) fn uuid(text: &str, what: &str) -> Result<Uuid, DockhandError> {
    Uuid::parse_str(text.trim()).map_err(|e| invalid(format!("{what} {text:?} is not a UUID: {e}")))
}

/// A calendar date, `YYYY-MM-DD`.
pub(crate) fn date(text: &str, what: &str) -> Result<NaiveDate, DockhandError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|e| invalid(format!("{what} {text:?} is not a date (YYYY-MM-DD): {e}")))
}

/// A moment with its offset, RFC 3339 (`2026-11-27T14:05:00+01:00`).
pub(crate) fn moment(text: &str, what: &str) -> Result<DateTime<FixedOffset>, DockhandError> {
    DateTime::parse_from_rfc3339(text.trim()).map_err(|e| {
        invalid(format!(
            "{what} {text:?} is not a date and time with offset (RFC 3339): {e}"
        ))
    })
}

/// A count that must fit the core's `usize`.
pub(crate) fn how_many(n: u32) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}
