//! The hub's errors: a stable code, an HTTP status and a sentence with the values.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use dockhand_protocol::sync::Problem;

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
    /// A body, or one event in it, over its size limit.
    #[error("{}", too_large(what, *size, *max))]
    TooLarge {
        /// What was too large, e.g. "the request body".
        what: String,
        /// Its size, when known (a body is not read past the limit).
        size: Option<usize>,
        /// The limit.
        max: usize,
    },
    /// A body the endpoint cannot read (not JSON, wrong fields, wrong content type).
    #[error("{message}")]
    UnreadableBody {
        /// 400, 415 or 422.
        status: StatusCode,
        /// What was wrong.
        message: String,
    },
    /// Too many failed attempts from one address.
    #[error("too many {what} from {address}; wait {retry_after} s")]
    TooManyAttempts {
        /// e.g. "failed authentications".
        what: &'static str,
        /// The client address.
        address: String,
        /// Seconds until it may try again.
        retry_after: u64,
    },
    /// A registration of a device id that is already registered (production).
    #[error(
        "device {0} is already registered; replacing a handheld needs an administrator: `dockhand-hub device issue {0} --replace`"
    )]
    DeviceExists(String),
    /// A revoked device.
    #[error("device {0} was revoked on this hub; an administrator must issue it anew")]
    DeviceRevoked(String),
    /// Production: a device without a recorded public key pushed events.
    #[error(
        "device {0} has not told this hub its public key, so its events cannot be verified; the app enrols it (POST /v1/devices/key) and sends them again"
    )]
    DeviceKeyMissing(String),
    /// A device that has a key offered another.
    #[error(
        "device {device_id} already has key {recorded}… on this hub; a new key comes only with an administrator's replacement of the handheld"
    )]
    KeyRecorded {
        /// The device.
        device_id: String,
        /// The first digits of the recorded key.
        recorded: String,
    },
    /// Not a public key.
    #[error("{0:?} is not an Ed25519 public key (64 hex digits)")]
    BadPublicKey(String),
    /// A supervisor's action on a device in another state.
    #[error("{0}")]
    DeviceState(String),
    /// A device the hub does not know.
    #[error("device {0} is not registered on this hub")]
    UnknownDevice(String),
    /// No such endpoint.
    #[error("{0}")]
    NotFound(String),
    /// No task of that kind and id at the site.
    #[error("{0}")]
    NoSuchTask(String),
    /// Another device holds the task.
    #[error("{0}")]
    TaskClaimed(String),
    /// The task is done or cancelled.
    #[error("{0}")]
    TaskClosed(String),
    /// No exception of that number.
    #[error("{0}")]
    NoSuchException(String),
    /// The exception cannot take the action (settled already, nothing to retry, refused again).
    #[error("{message}")]
    ExceptionState {
        /// `exception_settled`, `nothing_to_retry`, `still_refused`.
        code: &'static str,
        /// Why.
        message: String,
    },
    /// The endpoint does not take this method.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// The request took longer than the hub allows.
    #[error("the request took longer than {seconds} s and was abandoned")]
    RequestTimeout {
        /// The limit.
        seconds: u64,
    },
    /// The site cannot hand out SSCC serials: no company prefix, or none left.
    #[error("{message}")]
    SsccUnavailable {
        /// `no_company_prefix`, `sscc_exhausted`.
        code: &'static str,
        /// Why, and what to do.
        message: String,
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
            HubError::TooLarge { .. } => "too_large",
            HubError::UnreadableBody { .. } => "unreadable_body",
            HubError::TooManyAttempts { .. } => "too_many_attempts",
            HubError::DeviceExists(_) => "device_exists",
            HubError::DeviceRevoked(_) => "device_revoked",
            HubError::UnknownDevice(_) => "unknown_device",
            HubError::DeviceKeyMissing(_) => "device_key_missing",
            HubError::KeyRecorded { .. } => "device_key_recorded",
            HubError::BadPublicKey(_) => "bad_public_key",
            HubError::DeviceState(_) => "device_state",
            HubError::NotFound(_) => "not_found",
            HubError::NoSuchTask(_) => "no_such_task",
            HubError::TaskClaimed(_) => "task_claimed",
            HubError::TaskClosed(_) => "task_closed",
            HubError::NoSuchException(_) => "no_such_exception",
            HubError::ExceptionState { code, .. } | HubError::SsccUnavailable { code, .. } => code,
            HubError::MethodNotAllowed(_) => "method_not_allowed",
            HubError::RequestTimeout { .. } => "request_timeout",
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
            HubError::WrongDevice { .. }
            | HubError::RegistrationRefused(_)
            | HubError::DeviceRevoked(_) => StatusCode::FORBIDDEN,
            HubError::BatchTooLarge { .. } | HubError::TooLarge { .. } => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            HubError::UnreadableBody { status, .. } => *status,
            HubError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            HubError::DeviceExists(_)
            | HubError::DeviceKeyMissing(_)
            | HubError::KeyRecorded { .. }
            | HubError::DeviceState(_)
            | HubError::TaskClaimed(_)
            | HubError::TaskClosed(_)
            | HubError::ExceptionState { .. }
            | HubError::SsccUnavailable { .. } => StatusCode::CONFLICT,
            HubError::BadPublicKey(_) => StatusCode::BAD_REQUEST,
            HubError::UnknownDevice(_)
            | HubError::NotFound(_)
            | HubError::NoSuchTask(_)
            | HubError::NoSuchException(_) => StatusCode::NOT_FOUND,
            HubError::RequestTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            HubError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            HubError::Storage(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

fn too_large(what: &str, size: Option<usize>, max: usize) -> String {
    match size {
        Some(size) => format!("{what} is {size} bytes; the hub takes at most {max}"),
        None => format!("{what} is over {max} bytes, the most the hub takes"),
    }
}

impl From<rusqlite::Error> for HubError {
    fn from(e: rusqlite::Error) -> Self {
        HubError::Storage(e.to_string())
    }
}

impl From<tokio_postgres::Error> for HubError {
    fn from(e: tokio_postgres::Error) -> Self {
        HubError::Storage(postgres_message(&e))
    }
}

/// A PostgreSQL error with the server's own words (its Display says only "db error").
pub fn postgres_message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

/// A stored event the contract does not read (what the hub took, it took valid).
impl From<dockhand_protocol::ProtocolError> for HubError {
    fn from(e: dockhand_protocol::ProtocolError) -> Self {
        HubError::Storage(format!("stored event: {e}"))
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
        let mut response = (self.status(), axum::Json(body)).into_response();
        response.headers_mut().insert(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/problem+json"),
        );
        if let HubError::TooManyAttempts { retry_after, .. } = self {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, retry_after.into());
        }
        response
    }
}

/// Result of hub operations.
pub type HubResult<T> = std::result::Result<T, HubError>;
