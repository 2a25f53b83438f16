//! Who is calling: device tokens and the admin token, checked from the headers before any body is
//! read, with failures counted per client address and logged (never the token itself); and the
//! rules for issuing a device its token.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use chrono::{DateTime, SecondsFormat, Utc};
use dockhand_protocol::sync::DeviceToken;
use sha2::{Digest, Sha256};

use crate::api::{AppState, blocking};
use crate::error::{HubError, HubResult};
use crate::store::{GrantMode, HubStore, TokenGrant};

pub use dockhand_protocol::sync::MAX_DEVICE_ID;
/// The longest device name, in characters.
pub const MAX_DEVICE_NAME: usize = 100;
/// The longest token lifetime: one year.
pub const MAX_TOKEN_TTL: Duration = Duration::from_secs(366 * 24 * 3600);

/// The SHA-256 a token is stored as.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new random token.
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    hex::encode(bytes)
}

/// Whether `id` may name a device (the protocol's rule, as a 400 answer).
pub fn check_device_id(id: &str) -> HubResult<()> {
    dockhand_protocol::sync::check_device_id(id).map_err(|e| match e {
        dockhand_protocol::ProtocolError::Invalid { reason, .. } => {
            HubError::BadRequest(format!("device id {reason}"))
        }
        other => HubError::BadRequest(other.to_string()),
    })
}

fn check_name(name: &str) -> HubResult<()> {
    let chars = name.chars().count();
    if chars > MAX_DEVICE_NAME || name.chars().any(char::is_control) {
        return Err(HubError::BadRequest(format!(
            "device name {:?} must have at most {MAX_DEVICE_NAME} characters and no control characters",
            crate::body::short_text(name, 40)
        )));
    }
    Ok(())
}

/// Issues a token for `device_id` valid for `ttl` (at most [`MAX_TOKEN_TTL`]), as `mode` allows,
/// recording the device's `public_key` when given.
pub fn issue_token(
    store: &dyn HubStore,
    device_id: &str,
    name: &str,
    ttl: Duration,
    mode: GrantMode,
    public_key: Option<&str>,
    site: Option<&str>,
) -> HubResult<DeviceToken> {
    check_device_id(device_id)?;
    check_name(name)?;
    if let Some(key) = public_key
        && !dockhand_protocol::envelope::is_public_key(key)
    {
        return Err(HubError::BadPublicKey(crate::body::short_text(key, 80)));
    }
    if ttl.is_zero() || ttl > MAX_TOKEN_TTL {
        return Err(HubError::BadRequest(format!(
            "a token lifetime of {} hours is outside 1 to {} hours",
            ttl.as_secs() / 3600,
            MAX_TOKEN_TTL.as_secs() / 3600
        )));
    }
    let token = new_token();
    let now = Utc::now();
    let ttl = chrono::Duration::from_std(ttl)
        .map_err(|e| HubError::BadRequest(format!("token lifetime: {e}")))?;
    let expires_at = (now + ttl).to_rfc3339_opts(SecondsFormat::Millis, true);
    store.register(&TokenGrant {
        device_id: device_id.into(),
        name: name.into(),
        token_hash: token_hash(&token),
        expires_at: expires_at.clone(),
        // Nanoseconds: the newest tokens are kept by this order, and grants come faster than ms.
        issued_at: now.to_rfc3339_opts(SecondsFormat::Nanos, true),
        mode,
        public_key: public_key.map(str::to_string),
        site: site.map(str::to_string),
    })?;
    Ok(DeviceToken {
        device_id: device_id.into(),
        token,
        expires_at,
    })
}

/// The client's address (unspecified when the router runs without a listener, as in tests).
pub fn client_address(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip())
}

/// The bearer token of the request (the scheme in any case, as RFC 9110 allows).
fn bearer(headers: &HeaderMap) -> HubResult<String> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(HubError::TokenMissing)?;
    let (scheme, token) = value.split_once(' ').ok_or(HubError::TokenMissing)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(HubError::TokenMissing);
    }
    Ok(token.to_string())
}

/// The device a request's token belongs to, if it is valid now.
async fn device_of(state: &AppState, headers: &HeaderMap) -> HubResult<String> {
    let token = bearer(headers)?;
    if token.len() > 256 {
        return Err(HubError::TokenInvalid);
    }
    let hash = token_hash(&token);
    let (device_id, expires_at) = blocking(state, move |s| s.token(&hash))
        .await?
        .ok_or(HubError::TokenInvalid)?;
    let expiry = DateTime::parse_from_rfc3339(&expires_at)
        .map_err(|e| HubError::Storage(format!("token expiry {expires_at}: {e}")))?;
    if expiry <= Utc::now() {
        return Err(HubError::TokenExpired {
            device_id,
            expired_at: expires_at,
        });
    }
    Ok(device_id)
}

/// Counts and logs a failed authentication; other errors (storage) pass through uncounted.
pub fn failed(state: &AppState, address: IpAddr, path: &str, error: HubError) -> HubError {
    if matches!(
        error,
        HubError::TokenMissing
            | HubError::TokenInvalid
            | HubError::TokenExpired { .. }
            | HubError::AdminOnly
            | HubError::RegistrationRefused(_)
    ) {
        state.auth_failures.count(address);
        tracing::warn!(
            peer = %address,
            path = %crate::body::short_text(path, 80),
            code = error.code(),
            "authentication failed"
        );
    }
    error
}

/// A request from a device with a valid token: its id.
pub struct DeviceAuth(pub String);

impl FromRequestParts<AppState> for DeviceAuth {
    type Rejection = HubError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> HubResult<Self> {
        let address = client_address(parts);
        state.auth_failures.check(address)?;
        match device_of(state, &parts.headers).await {
            Ok(device) => Ok(DeviceAuth(device)),
            Err(e) => Err(failed(state, address, parts.uri.path(), e)),
        }
    }
}

/// A request with the admin token (any request in development mode without one).
pub struct AdminAuth;

impl FromRequestParts<AppState> for AdminAuth {
    type Rejection = HubError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> HubResult<Self> {
        let address = client_address(parts);
        state.auth_failures.check(address)?;
        let verdict = match &state.config.admin_token {
            None if state.config.development => Ok(AdminAuth),
            None => Err(HubError::AdminOnly),
            // Compared as hashes: the time taken says nothing about how much of it matched.
            Some(expected) => match bearer(&parts.headers) {
                Ok(given) if token_hash(&given) == token_hash(expected) => Ok(AdminAuth),
                _ => Err(HubError::AdminOnly),
            },
        };
        verdict.map_err(|e| failed(state, address, parts.uri.path(), e))
    }
}

/// The caller's address, for handlers that throttle unauthenticated requests (registration).
pub struct ClientAddress(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = HubError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> HubResult<Self> {
        Ok(ClientAddress(client_address(parts)))
    }
}
