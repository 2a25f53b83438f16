//! The hub's errors: a stable code, an HTTP status and a sentence with the values.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use dockhand_core::sync::protocol::Problem;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// The request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// No bearer token.
    #[error("this request needs a bearer token (Authorization: Bearer …)")]
    TokenMissing,
    /// A token the hub never issued (or one it revoked).
    #[error("the bearer token is not one this hub issued")]
    TokenInvalid,
    /// An expired token.
    #[error("the token of device {device_id} expired at {expired_at}")]
    TokenExpired {
        /// Its device.
        device_id: String,
        /// When.
        expired_at: String,
    },
    /// A valid token of another device.
    #[error("the token belongs to device {token_device}, not to {requested}")]
    WrongDevice {
        /// The token's device.
        token_device: String,
        /// The device named in the request.
        requested: String,
    },
    /// The admin token is required and was not given or is wrong.
    #[error("this endpoint needs the hub's admin token")]
    AdminOnly,
    /// Registration refused (production mode without the secret).
    #[error("{0}")]
    RegistrationRefused(String),
    /// Too many events in one batch.
    #[error("a batch may hold at most {max} events, this one has {got}")]
    BatchTooLarge {
        /// Events sent.
        got: usize,
        /// The limit.
        max: usize,
    },
    /// The database failed.
    #[error("hub storage error: {0}")]
    Storage(String),
}

impl HubError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            HubError::BadRequest(_) => "bad_request",
            HubError::TokenMissing => "token_missing",
            HubError::TokenInvalid => "token_invalid",
            HubError::TokenExpired { .. } => "token_expired",
            HubError::WrongDevice { .. } => "wrong_device",
            HubError::AdminOnly => "admin_only",
            HubError::RegistrationRefused(_) => "registration_refused",
            HubError::BatchTooLarge { .. } => "batch_too_large",
            HubError::Storage(_) => "storage",
        }
    }

    /// HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            HubError::BadRequest(_) => StatusCode::BAD_REQUEST,
            HubError::TokenMissing
            | HubError::TokenInvalid
            | HubError::TokenExpired { .. }
            | HubError::AdminOnly => StatusCode::UNAUTHORIZED,
            HubError::WrongDevice { .. } | HubError::RegistrationRefused(_) => {
                StatusCode::FORBIDDEN
            }
            HubError::BatchTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            HubError::Storage(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl From<rusqlite::Error> for HubError {
    fn from(e: rusqlite::Error) -> Self {
        HubError::Storage(e.to_string())
    }
}

impl From<postgres::Error> for HubError {
    fn from(e: postgres::Error) -> Self {
        HubError::Storage(postgres_message(&e))
    }
}

/// A PostgreSQL error with the server's own words (its Display says only "db error").
pub fn postgres_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

impl From<serde_json::Error> for HubError {
    fn from(e: serde_json::Error) -> Self {
        HubError::Storage(format!("stored JSON: {e}"))
    }
}

impl IntoResponse for HubError {
    fn into_response(self) -> Response {
        if matches!(self, HubError::Storage(_)) {
            tracing::error!(error = %self, "request failed");
        }
        let body = Problem {
            code: self.code().into(),
            message: self.to_string(),
        };
        (self.status(), axum::Json(body)).into_response()
    }
}

/// Result of hub operations.
pub type HubResult<T> = std::result::Result<T, HubError>;
