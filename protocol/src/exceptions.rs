//! Exceptions the hub raises for a person to settle (`GET /v1/admin/exceptions/raised`): a task two
//! handhelds worked, and (as the workflow grows) every other kind a supervisor acts on.

use serde::{Deserialize, Serialize};

/// The kind of a task two devices worked (both sets of work stand).
pub const DOUBLE_WORKED: &str = "double_worked";
/// The kind of an event the hub refused.
pub const REFUSED_EVENT: &str = "refused_event";
/// The kind of an event the ERP refused after the hub accepted it.
pub const ERP_REFUSED: &str = "erp_refused";
/// The kind of an event that took a bucket of the hub's stock below zero.
pub const STOCK_BELOW_ZERO: &str = "stock_below_zero";
/// The kind of what a device kept as its operator left it while the hub sent something else (a
/// task being worked, an item's settings its stock depends on).
pub const KEPT_LOCAL: &str = "kept_local";
/// Every kind, in the order a supervisor reads them.
pub const KINDS: [&str; 5] = [
    REFUSED_EVENT,
    STOCK_BELOW_ZERO,
    DOUBLE_WORKED,
    KEPT_LOCAL,
    ERP_REFUSED,
];

/// The most notes one `POST /v1/kept-local` carries.
pub const MAX_KEPT_LOCAL_NOTES: usize = 50;
/// The longest note, in characters (a device cuts a longer one).
pub const MAX_KEPT_LOCAL_TEXT: usize = 500;

/// `POST /v1/kept-local`: what a device kept as its operator left it, each said once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptLocalReport {
    /// At most [`MAX_KEPT_LOCAL_NOTES`].
    pub notes: Vec<KeptLocalNote>,
}

/// One thing a device kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptLocalNote {
    /// When the device kept it (its clock, RFC 3339).
    pub at: String,
    /// What it kept, in a sentence (or a task's or receipt's id).
    pub what: String,
}

/// The answer: the notes taken (a note told again, the same words at the same time, raises no
/// second exception), and a sentence for each note refused (blank, too long, several lines, a
/// time that does not read); a refused note is not sent again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptLocalAnswer {
    /// Notes taken.
    pub taken: usize,
    /// Why each refused note was.
    #[serde(default)]
    pub refused: Vec<String>,
}

/// An exception open for a person.
pub const OPEN: &str = "open";
/// Settled with a note: the cause was dealt with.
pub const RESOLVED: &str = "resolved";
/// Settled by a supervisor as needing nothing.
pub const DISMISSED: &str = "dismissed";
/// Settled by a retry that the hub (or the ERP) accepted.
pub const RETRIED: &str = "retried";

/// `POST /v1/admin/exceptions/raised/{id}/resolve`, `/dismiss` and `/retry`: who acts, and their
/// note (required to resolve).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionAction {
    /// Who (recorded with the exception).
    pub by: String,
    /// What was done or found.
    #[serde(default)]
    pub note: Option<String>,
}

/// An exception as the hub keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RaisedException {
    /// Its number at the hub.
    pub id: i64,
    /// The site.
    pub site: String,
    /// What kind (`refused_event`, `erp_refused`, `stock_below_zero`, `double_worked`,
    /// `kept_local`).
    pub kind: String,
    /// The refusal's code, where there is one (`unknown_sku`…).
    #[serde(default)]
    pub code: String,
    /// What it is about: a task (`pick/T1`)…
    pub subject: String,
    /// The device whose event raised it.
    pub device_id: String,
    /// The events it concerns.
    pub event_ids: Vec<String>,
    /// The sentence.
    pub reason: String,
    /// When (hub's clock).
    pub raised_at: String,
    /// `open` until a person settles it.
    pub state: String,
    /// The note it was settled with.
    #[serde(default)]
    pub note: Option<String>,
    /// Who settled it.
    #[serde(default)]
    pub settled_by: Option<String>,
    /// When.
    #[serde(default)]
    pub settled_at: Option<String>,
}
