//! The HTTP API of docs/sync-api.yaml on axum. Storage calls run on tokio's blocking pool.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, SecondsFormat, Utc};
use dockhand_core::sync::protocol::{
    ChangesPage, DeviceStatus, DeviceToken, EventBatch, EventsPage, Health, HubException, Import,
    ImportResult, IntakeResult, Registration, StockLine,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::{HubError, HubResult};
use crate::store::HubStore;

/// How the hub admits devices and administrators.
#[derive(Debug, Clone)]
pub struct HubConfig {
    /// Development mode: any device may register itself (unsafe outside a test bench).
    pub development: bool,
    /// Production: the secret a device must present to register itself (`None`: only
    /// `dockhand-hub device issue` creates tokens).
    pub registration_secret: Option<String>,
    /// The admin token for admin endpoints (`None` in development: open).
    pub admin_token: Option<String>,
    /// How long a device token is valid.
    pub token_ttl: Duration,
    /// Most events in one batch.
    pub max_batch: usize,
}

impl Default for HubConfig {
    fn default() -> Self {
        Self {
            development: true,
            registration_secret: None,
            admin_token: None,
            token_ttl: Duration::from_secs(30 * 24 * 3600),
            max_batch: 1000,
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// Storage.
    pub store: Arc<dyn HubStore>,
    /// Admission rules.
    pub config: Arc<HubConfig>,
}

/// UTC now as the hub stores times.
pub fn now_text() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The SHA-256 a token is stored as.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new random token.
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    hex::encode(bytes)
}

/// Issues a token for a device (registering it), valid for `ttl`.
pub fn issue_token(
    store: &dyn HubStore,
    device_id: &str,
    name: &str,
    ttl: Duration,
) -> HubResult<DeviceToken> {
    let device_id = device_id.trim();
    if device_id.is_empty() || device_id.len() > 64 {
        return Err(HubError::BadRequest(format!(
            "device id {device_id:?} must have 1 to 64 characters"
        )));
    }
    let token = new_token();
    let ttl = chrono::Duration::from_std(ttl)
        .map_err(|e| HubError::BadRequest(format!("token lifetime: {e}")))?;
    let expires_at = (Utc::now() + ttl).to_rfc3339_opts(SecondsFormat::Millis, true);
    store.register(
        device_id,
        name,
        &token_hash(&token),
        &expires_at,
        &now_text(),
    )?;
    Ok(DeviceToken {
        device_id: device_id.into(),
        token,
        expires_at,
    })
}

async fn blocking<T: Send + 'static>(
    state: &AppState,
    run: impl FnOnce(&dyn HubStore) -> HubResult<T> + Send + 'static,
) -> HubResult<T> {
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || run(store.as_ref()))
        .await
        .map_err(|e| HubError::Storage(format!("storage task failed: {e}")))?
}

fn bearer(headers: &HeaderMap) -> HubResult<String> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(HubError::TokenMissing)?;
    value
        .strip_prefix("Bearer ")
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .ok_or(HubError::TokenMissing)
}

/// The device a request's token belongs to, if it is valid now.
async fn device_of(state: &AppState, headers: &HeaderMap) -> HubResult<String> {
    let hash = token_hash(&bearer(headers)?);
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

fn admin(state: &AppState, headers: &HeaderMap) -> HubResult<()> {
    match &state.config.admin_token {
        None if state.config.development => Ok(()),
        None => Err(HubError::AdminOnly),
        Some(expected) => match bearer(headers) {
            Ok(given) if token_hash(&given) == token_hash(expected) => Ok(()),
            _ => Err(HubError::AdminOnly),
        },
    }
}

async fn health(State(state): State<AppState>) -> HubResult<Json<Health>> {
    blocking(&state, |s| s.ping()).await?;
    Ok(Json(Health {
        status: "ok".into(),
        backend: state.store.backend().into(),
        mode: if state.config.development {
            "development"
        } else {
            "production"
        }
        .into(),
        version: env!("CARGO_PKG_VERSION").into(),
    }))
}

async fn register(
    State(state): State<AppState>,
    Json(req): Json<Registration>,
) -> HubResult<(StatusCode, Json<DeviceToken>)> {
    if !state.config.development {
        match (&state.config.registration_secret, &req.registration_secret) {
            (Some(secret), Some(given)) if token_hash(secret) == token_hash(given) => {}
            (None, _) => {
                return Err(HubError::RegistrationRefused(format!(
                    "device {} cannot register itself on this hub; an administrator issues its token with `dockhand-hub device issue {}`",
                    req.device_id, req.device_id
                )));
            }
            _ => {
                return Err(HubError::RegistrationRefused(format!(
                    "device {} gave no or a wrong registration secret",
                    req.device_id
                )));
            }
        }
    } else {
        tracing::warn!(device = %req.device_id, "UNSAFE development mode: a device registered itself without a secret");
    }
    let ttl = state.config.token_ttl;
    let issued = blocking(&state, move |s| {
        issue_token(s, &req.device_id, &req.name, ttl)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

async fn push_events(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(batch): Json<EventBatch>,
) -> HubResult<Json<IntakeResult>> {
    let device_id = device_of(&state, &headers).await?;
    if batch.events.len() > state.config.max_batch {
        return Err(HubError::BatchTooLarge {
            got: batch.events.len(),
            max: state.config.max_batch,
        });
    }
    if let Some(other) = std::iter::once(&batch.device_id)
        .chain(batch.events.iter().map(|e| &e.device_id))
        .find(|d| **d != device_id)
    {
        return Err(HubError::WrongDevice {
            token_device: device_id,
            requested: other.clone(),
        });
    }
    if let Some(w) = batch.events.windows(2).find(|w| w[1].seq <= w[0].seq) {
        return Err(HubError::BadRequest(format!(
            "events must be sent in increasing seq order; {} follows {}",
            w[1].seq, w[0].seq
        )));
    }
    let result = blocking(&state, move |s| {
        s.intake(&device_id, &batch.events, &now_text())
    })
    .await?;
    Ok(Json(result))
}

#[derive(Deserialize)]
struct PageQuery {
    cursor: Option<String>,
    limit: Option<usize>,
}

fn cursor_value(prefix: char, cursor: Option<&str>) -> HubResult<i64> {
    let Some(text) = cursor.filter(|c| !c.is_empty()) else {
        return Ok(0);
    };
    text.strip_prefix(prefix)
        .and_then(|n| n.parse::<i64>().ok())
        .filter(|n| *n >= 0)
        .ok_or_else(|| HubError::BadRequest(format!("cursor {text:?} is not one this hub issued")))
}

fn page_limit(limit: Option<usize>, default: usize) -> HubResult<usize> {
    match limit.unwrap_or(default) {
        n @ 1..=10_000 => Ok(n),
        n => Err(HubError::BadRequest(format!(
            "limit {n} is outside 1 to 10000"
        ))),
    }
}

async fn pull_changes(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> HubResult<Json<ChangesPage>> {
    device_of(&state, &headers).await?;
    let after = cursor_value('c', q.cursor.as_deref())?;
    let limit = page_limit(q.limit, 1000)?;
    let mut rows = blocking(&state, move |s| s.changes(after, limit + 1)).await?;
    let has_more = rows.len() > limit;
    rows.truncate(limit);
    let last = rows.last().map_or(after, |(seq, _)| *seq);
    Ok(Json(ChangesPage {
        changes: rows.into_iter().map(|(_, c)| c).collect(),
        next_cursor: format!("c{last}"),
        has_more,
    }))
}

async fn events_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> HubResult<Json<EventsPage>> {
    admin(&state, &headers)?;
    let after = cursor_value('f', q.cursor.as_deref())?;
    let limit = page_limit(q.limit, 500)?;
    let mut events = blocking(&state, move |s| s.feed(after, limit + 1)).await?;
    let has_more = events.len() > limit;
    events.truncate(limit);
    let last = events.last().map_or(after, |e| e.hub_seq);
    Ok(Json(EventsPage {
        events,
        next_cursor: format!("f{last}"),
        has_more,
    }))
}

async fn import(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(data): Json<Import>,
) -> HubResult<Json<ImportResult>> {
    admin(&state, &headers)?;
    Ok(Json(blocking(&state, move |s| s.import(&data)).await?))
}

async fn stock(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> HubResult<Json<Vec<StockLine>>> {
    admin(&state, &headers)?;
    Ok(Json(blocking(&state, |s| s.stock()).await?))
}

async fn exceptions(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> HubResult<Json<Vec<HubException>>> {
    admin(&state, &headers)?;
    Ok(Json(blocking(&state, |s| s.exceptions()).await?))
}

async fn devices(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> HubResult<Json<Vec<DeviceStatus>>> {
    admin(&state, &headers)?;
    Ok(Json(blocking(&state, |s| s.devices()).await?))
}

/// The routes of docs/sync-api.yaml.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/v1/devices/register", post(register))
        .route("/v1/events", post(push_events))
        .route("/v1/changes", get(pull_changes))
        .route("/v1/feed/events", get(events_feed))
        .route("/v1/admin/import", post(import))
        .route("/v1/admin/stock", get(stock))
        .route("/v1/admin/exceptions", get(exceptions))
        .route("/v1/admin/devices", get(devices))
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024))
        .with_state(state)
}
