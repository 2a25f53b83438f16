//! Why a value breaks the contract.

/// A value the contract does not allow, with the field and the values involved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// A field was malformed.
    #[error("{field} is invalid: {reason}")]
    Invalid {
        /// The field.
        field: String,
        /// What is wrong with it, with the value (a short prefix of a long one).
        reason: String,
    },
    /// A rule of this crate itself failed (a bug, not bad input).
    #[error("internal error: {0}")]
    Internal(String),
}

impl ProtocolError {
    /// A malformed field.
    pub fn invalid(field: &str, reason: impl Into<String>) -> Self {
        ProtocolError::Invalid {
            field: field.to_string(),
            reason: reason.into(),
        }
    }
}

/// At most the first `max` characters of `text`, with `…` when cut: what an error quotes of a
/// value that may be long.
pub fn prefix(text: &str, max: usize) -> String {
    let mut shown: String = text.chars().take(max).collect();
    if shown.len() < text.len() {
        shown.push('…');
    }
    shown
}
