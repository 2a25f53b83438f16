//! The HTTP API of docs/sync-api.yaml on axum. Storage calls run on tokio's blocking pool.

pub mod clock;
mod counts;
mod exceptions;
mod measures;
mod report;
mod sscc;
mod stock;
mod tasks;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};

use dockhand_protocol::sync::{
    ChangeKind, ChangesPage, DeviceStatus, DeviceToken, Envelope, EventsPage, Health,
    HubEventOrigin, HubException, Import, ImportResult, IntakeResult, KeyEnrolment, Registration,
};
use serde::Deserialize;

pub use crate::auth::token_hash;
use crate::auth::{self, AdminAuth, ClientAddress, DeviceAuth, check_device_id};
pub use crate::auth::{issue_token, new_token};
pub use crate::body::short_text;
use crate::body::{JsonBody, PathParams, QUOTE, QueryParams, RawBody, capped};
use crate::error::{HubError, HubResult};
use crate::server::ConnectionLimits;
use crate::store::{GrantMode, HubStore, ImportSource};
use crate::throttle::Throttle;

/// How the hub admits devices and administrators, and the sizes and rates it takes.
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
    /// Largest body of a batch of events, in bytes.
    pub max_events_body: usize,
    /// Largest single event of a batch, in bytes of JSON.
    pub max_event: usize,
    /// Largest admin import body, in bytes.
    pub max_import_body: usize,
    /// Failed authentications one address may make per minute before it is answered 429.
    pub auth_failures_per_minute: u32,
    /// Registration attempts one address may make per minute.
    pub registrations_per_minute: u32,
    /// Connections and time limits of the server.
    pub limits: ConnectionLimits,
    /// Serve HTTPS with this identity (`serve --tls-cert --tls-key`); `None`: plain HTTP, for
    /// loopback or behind a TLS-terminating reverse proxy.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// The console shows a device as offline once not heard from for this long.
    pub offline_after: Duration,
    /// A development hub's one-time console sign-in link (`serve --console-link NAME`).
    pub console_link: Option<crate::console::link::ConsoleLink>,
}

/// The largest registration body: an id, a name and a secret.
pub const MAX_REGISTRATION_BODY: usize = 4096;
/// The largest report of notes a device kept (50 notes of 500 characters, with room to spare).
pub const MAX_KEPT_LOCAL_BODY: usize = 128 * 1024;

impl Default for HubConfig {
    fn default() -> Self {
        Self {
            development: true,
            registration_secret: None,
            admin_token: None,
            token_ttl: Duration::from_secs(30 * 24 * 3600),
            max_batch: 1000,
            max_events_body: 16 * 1024 * 1024,
            max_event: 64 * 1024,
            max_import_body: 64 * 1024 * 1024,
            auth_failures_per_minute: 30,
            registrations_per_minute: 30,
            limits: ConnectionLimits::default(),
            tls: None,
            offline_after: Duration::from_secs(300),
            console_link: None,
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
    /// Failed authentications per address.
    pub auth_failures: Arc<Throttle>,
    /// Registrations per address.
    pub registrations: Arc<Throttle>,
    /// The device clocks last recorded.
    pub clocks: Arc<clock::Clocks>,
    /// What each device last said of itself.
    pub reports: Arc<report::Reports>,
    /// The console's live digests, computed at most once a second.
    pub pulses: Arc<crate::console::live::Pulses>,
    /// The accuracy page's figures, kept when they are slow to compute.
    pub overviews: Arc<crate::console::overview::Overviews>,
    /// The one-time sign-in link not yet used.
    pub links: Arc<crate::console::link::Links>,
}

impl AppState {
    /// The state of a hub on `store` under `config`.
    pub fn new(store: Arc<dyn HubStore>, config: HubConfig) -> Self {
        let minute = Duration::from_secs(60);
        Self {
            store,
            auth_failures: Arc::new(Throttle::new(
                "failed authentications",
                config.auth_failures_per_minute,
                minute,
            )),
            registrations: Arc::new(Throttle::new(
                "registrations",
                config.registrations_per_minute,
                minute,
            )),
            clocks: Arc::new(clock::Clocks::default()),
            reports: Arc::new(report::Reports::default()),
            pulses: Arc::new(crate::console::live::Pulses::default()),
            overviews: Arc::new(crate::console::overview::Overviews::default()),
            links: Arc::new(crate::console::link::Links::new(if config.development {
                config.console_link.clone()
            } else {
                None
            })),
            config: Arc::new(config),
        }
    }
}

pub use crate::now_text;

/// Runs a storage call on the blocking pool.
pub async fn blocking<T: Send + 'static>(
    state: &AppState,
    run: impl FnOnce(&dyn HubStore) -> HubResult<T> + Send + 'static,
) -> HubResult<T> {
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || run(store.as_ref()))
        .await
        .map_err(|e| HubError::Storage(format!("storage task failed: {e}")))?
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
    ClientAddress(address): ClientAddress,
    JsonBody(req): JsonBody<Registration>,
) -> HubResult<(StatusCode, Json<DeviceToken>)> {
    state.registrations.take(address)?;
    check_device_id(&req.device_id)?;
    let mode = if state.config.development {
        tracing::warn!(device = %req.device_id, "UNSAFE development mode: a device registered itself without a secret");
        GrantMode::Renew
    } else {
        let refused = match (&state.config.registration_secret, &req.registration_secret) {
            (Some(secret), Some(given)) if token_hash(secret) == token_hash(given) => None,
            (None, _) => Some(format!(
                "device {} cannot register itself on this hub; an administrator issues its token with `dockhand-hub device issue {}`",
                req.device_id, req.device_id
            )),
            _ => Some(format!(
                "device {} gave no or a wrong registration secret",
                req.device_id
            )),
        };
        if let Some(why) = refused {
            return Err(auth::failed(
                &state,
                address,
                "/v1/devices/register",
                HubError::RegistrationRefused(why),
            ));
        }
        if req.public_key.is_none() {
            return Err(HubError::BadRequest(format!(
                "device {} sent no public key; this hub verifies every event's signature (the app's dockhand registers with its key)",
                req.device_id
            )));
        }
        // The shared secret admits new handhelds only: taking over an existing id needs an admin.
        GrantMode::New
    };
    let ttl = state.config.token_ttl;
    let issued = blocking(&state, move |s| {
        issue_token(
            s,
            &req.device_id,
            &req.name,
            ttl,
            mode,
            req.public_key.as_deref(),
            req.site.as_deref(),
        )
    })
    .await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

/// A batch as sent, each event still raw: its size is checked before it is parsed.
#[derive(Deserialize)]
struct RawBatch {
    device_id: String,
    events: Vec<Box<serde_json::value::RawValue>>,
}

async fn push_events(
    State(state): State<AppState>,
    DeviceAuth(device_id): DeviceAuth,
    headers: HeaderMap,
    JsonBody(batch): JsonBody<RawBatch>,
) -> HubResult<Json<IntakeResult>> {
    clock::note(&state, &device_id, &headers).await?;
    report::note(&state, &device_id, &headers).await;
    if batch.events.len() > state.config.max_batch {
        return Err(HubError::BatchTooLarge {
            got: batch.events.len(),
            max: state.config.max_batch,
        });
    }
    if batch.device_id != device_id {
        return Err(HubError::WrongDevice {
            token_device: device_id,
            requested: short_text(&batch.device_id, 64),
        });
    }
    let mut events = Vec::with_capacity(batch.events.len());
    for (i, raw) in batch.events.iter().enumerate() {
        let size = raw.get().len();
        if size > state.config.max_event {
            return Err(HubError::TooLarge {
                what: format!("event {} of the batch", i + 1),
                size: Some(size),
                max: state.config.max_event,
            });
        }
        let event: Envelope =
            serde_json::from_str(raw.get()).map_err(|e| HubError::UnreadableBody {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                message: format!(
                    "event {} of the batch is not an event envelope: {}",
                    i + 1,
                    short_text(&e.to_string(), QUOTE)
                ),
            })?;
        if event.device_id != device_id {
            return Err(HubError::WrongDevice {
                token_device: device_id,
                requested: short_text(&event.device_id, 64),
            });
        }
        events.push(event);
    }
    if let Some(w) = events.windows(2).find(|w| w[1].seq <= w[0].seq) {
        return Err(HubError::BadRequest(format!(
            "events must be sent in increasing seq order; {} follows {}",
            w[1].seq, w[0].seq
        )));
    }
    let signed_only = !state.config.development;
    let result = blocking(&state, move |s| {
        s.intake(&device_id, &events, &now_text(), signed_only)
    })
    .await?;
    Ok(Json(result))
}

async fn enrol_key(
    State(state): State<AppState>,
    DeviceAuth(device_id): DeviceAuth,
    JsonBody(enrolment): JsonBody<KeyEnrolment>,
) -> HubResult<StatusCode> {
    let id = device_id.clone();
    blocking(&state, move |s| s.enrol_key(&id, &enrolment.public_key)).await?;
    tracing::info!(device = %device_id, "device key enrolled");
    Ok(StatusCode::NO_CONTENT)
}

/// Change kinds a device gets only when it asks for them (`?include=credential,task_claim,…`): kinds
/// added after the first devices shipped.
const OPT_IN_KINDS: [ChangeKind; 4] = [
    ChangeKind::Credential,
    ChangeKind::TaskClaim,
    ChangeKind::ReplenishmentTask,
    ChangeKind::HandlingUnit,
];

#[derive(Deserialize)]
pub(crate) struct PageQuery {
    pub(crate) cursor: Option<String>,
    pub(crate) limit: Option<usize>,
    /// Change kinds a device asks for beyond those every version applies ([`OPT_IN_KINDS`]).
    include: Option<String>,
    /// The site an administrator asks about (`/v1/admin/…`).
    pub(crate) site: Option<String>,
}

pub(crate) fn cursor_value(prefix: char, cursor: Option<&str>) -> HubResult<i64> {
    let Some(text) = cursor.filter(|c| !c.is_empty()) else {
        return Ok(0);
    };
    text.strip_prefix(prefix)
        .and_then(|n| n.parse::<i64>().ok())
        .filter(|n| *n >= 0)
        .ok_or_else(|| HubError::BadRequest(format!("cursor {text:?} is not one this hub issued")))
}

pub(crate) fn page_limit(limit: Option<usize>, default: usize, max: usize) -> HubResult<usize> {
    match limit.unwrap_or(default) {
        n if (1..=max).contains(&n) => Ok(n),
        n => Err(HubError::BadRequest(format!(
            "limit {n} is outside 1 to {max}"
        ))),
    }
}

async fn pull_changes(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    headers: HeaderMap,
    QueryParams(q): QueryParams<PageQuery>,
) -> HubResult<Json<ChangesPage>> {
    clock::note(&state, &device, &headers).await?;
    report::note(&state, &device, &headers).await;
    let after = cursor_value('c', q.cursor.as_deref())?;
    let limit = page_limit(q.limit, 1000, 10_000)?;
    let mut rows = blocking(&state, move |s| {
        // A device sees its site's rows and those every site shares.
        let site = s
            .device_site(&device)?
            .ok_or_else(|| crate::error::HubError::UnknownDevice(device.clone()))?;
        let rows = s.changes(&site, after, limit + 1)?;
        if rows.len() <= limit {
            // The last page of its pull (one write a sync, not a page): it pushed what it had
            // before pulling, so held counts may now go to the ERP.
            s.device_synced(&device, &crate::now_text())?;
        }
        Ok(rows)
    })
    .await?;
    let has_more = rows.len() > limit;
    rows.truncate(limit);
    let last = rows.last().map_or(after, |(seq, _)| *seq);
    // Devices of a version before badges (or claims) cannot read those changes: they skip past
    // them unless they ask for them.
    let asked: Vec<&str> = q.include.as_deref().unwrap_or("").split(',').collect();
    let sent = |kind: ChangeKind| !OPT_IN_KINDS.contains(&kind) || asked.contains(&kind.as_str());
    Ok(Json(ChangesPage {
        changes: rows
            .into_iter()
            .map(|(_, c)| c)
            .filter(|c| sent(c.kind))
            .collect(),
        next_cursor: format!("c{last}"),
        has_more,
    }))
}

async fn events_feed(
    State(state): State<AppState>,
    _: AdminAuth,
    QueryParams(q): QueryParams<PageQuery>,
) -> HubResult<Json<EventsPage>> {
    let after = cursor_value('f', q.cursor.as_deref())?;
    let limit = page_limit(q.limit, 500, 10_000)?;
    // A page is also cut at FEED_PAGE_BYTES of envelopes: a short page may have more after it.
    let (mut events, has_more) = blocking(&state, move |s| {
        // Every site's events unless one is asked for.
        let site = match q.site.as_deref() {
            Some(asked) => crate::store::site_named(Some(asked), &s.sites()?, "")?,
            None => String::new(),
        };
        let events = s.feed(&site, after, limit + 1)?;
        let more = match events.last() {
            _ if events.len() > limit => true,
            Some(last) => !s.feed(&site, last.hub_seq, 1)?.is_empty(),
            None => false,
        };
        Ok((events, more))
    })
    .await?;
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
    _: AdminAuth,
    JsonBody(data): JsonBody<Import>,
) -> HubResult<Json<ImportResult>> {
    let from = ImportSource {
        origin: HubEventOrigin::Import,
        name: "POST /admin/import",
    };
    Ok(Json(
        blocking(&state, move |s| s.import(&data, &from)).await?,
    ))
}

async fn exceptions(
    State(state): State<AppState>,
    _: AdminAuth,
) -> HubResult<Json<Vec<HubException>>> {
    Ok(Json(blocking(&state, |s| s.exceptions()).await?))
}

async fn devices(
    State(state): State<AppState>,
    _: AdminAuth,
) -> HubResult<Json<Vec<DeviceStatus>>> {
    Ok(Json(blocking(&state, |s| s.devices()).await?))
}

/// Path of a device's admin actions.
#[derive(Deserialize)]
struct DevicePath {
    device_id: String,
}

/// What revoking did.
#[derive(Debug, Clone, serde::Serialize, Deserialize)]
pub struct Revoked {
    /// The device.
    pub device_id: String,
    /// Tokens that stopped working.
    pub tokens_revoked: usize,
    /// Whether the device itself was revoked (not only its tokens).
    pub device_revoked: bool,
}

/// Optional body of an admin token grant.
#[derive(Deserialize, Default)]
struct GrantRequest {
    #[serde(default)]
    name: String,
    /// Replace a handheld: every older token of the id stops working.
    #[serde(default)]
    replace: bool,
    /// The device's public key (otherwise the device enrols it on first contact).
    #[serde(default)]
    public_key: Option<String>,
    /// The device's site (none: the one it has, or the hub's only site).
    #[serde(default)]
    site: Option<String>,
}

async fn accept_fork(
    State(state): State<AppState>,
    _: AdminAuth,
    PathParams(DevicePath { device_id }): PathParams<DevicePath>,
) -> HubResult<StatusCode> {
    let id = device_id.clone();
    blocking(&state, move |s| s.accept_fork(&id)).await?;
    tracing::warn!(device = %device_id, "a supervisor accepted the device's fork");
    Ok(StatusCode::NO_CONTENT)
}

/// Revokes a device (`whole`) or only its tokens.
async fn revoke(state: AppState, device_id: String, whole: bool) -> HubResult<Json<Revoked>> {
    let id = device_id.clone();
    let tokens_revoked = blocking(&state, move |s| {
        if whole {
            s.revoke_device(&id, &now_text())
        } else {
            s.revoke_tokens(&id)
        }
    })
    .await?;
    tracing::warn!(device = %device_id, tokens_revoked, device_revoked = whole, "revoked");
    Ok(Json(Revoked {
        device_id,
        tokens_revoked,
        device_revoked: whole,
    }))
}

async fn revoke_device(
    State(state): State<AppState>,
    _: AdminAuth,
    PathParams(DevicePath { device_id }): PathParams<DevicePath>,
) -> HubResult<Json<Revoked>> {
    revoke(state, device_id, true).await
}

async fn revoke_tokens(
    State(state): State<AppState>,
    _: AdminAuth,
    PathParams(DevicePath { device_id }): PathParams<DevicePath>,
) -> HubResult<Json<Revoked>> {
    revoke(state, device_id, false).await
}

async fn grant_token(
    State(state): State<AppState>,
    _: AdminAuth,
    PathParams(DevicePath { device_id }): PathParams<DevicePath>,
    RawBody(body): RawBody,
) -> HubResult<(StatusCode, Json<DeviceToken>)> {
    // The body is optional: no body is a new device with no name.
    let request: GrantRequest = if body.iter().all(u8::is_ascii_whitespace) {
        GrantRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| HubError::UnreadableBody {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: format!(
                "a token grant takes {{\"name\": …, \"replace\": true|false}}: {}",
                short_text(&e.to_string(), QUOTE)
            ),
        })?
    };
    let mode = if request.replace {
        GrantMode::Replace
    } else {
        GrantMode::New
    };
    let ttl = state.config.token_ttl;
    let issued = blocking(&state, move |s| {
        issue_token(
            s,
            &device_id,
            &request.name,
            ttl,
            mode,
            request.public_key.as_deref(),
            request.site.as_deref(),
        )
    })
    .await?;
    tracing::info!(device = %issued.device_id, replace = request.replace, "token issued by an administrator");
    Ok((StatusCode::CREATED, Json(issued)))
}

async fn no_route(uri: axum::http::Uri) -> HubError {
    HubError::NotFound(format!(
        "this hub has no endpoint {}",
        short_text(uri.path(), QUOTE)
    ))
}

async fn wrong_method(method: axum::http::Method, uri: axum::http::Uri) -> HubError {
    HubError::MethodNotAllowed(format!(
        "{method} is not an operation of {}",
        short_text(uri.path(), QUOTE)
    ))
}

/// The routes of docs/sync-api.yaml. Bodies are capped per route; device and admin endpoints
/// authenticate from the headers before their body is read.
pub fn router(state: AppState) -> Router {
    let config = state.config.clone();
    Router::new()
        .route("/health", get(health))
        .route(
            "/v1/devices/register",
            capped(post(register), MAX_REGISTRATION_BODY),
        )
        .route(
            "/v1/events",
            capped(post(push_events), config.max_events_body),
        )
        .route(
            "/v1/devices/key",
            capped(post(enrol_key), MAX_REGISTRATION_BODY),
        )
        .route("/v1/changes", get(pull_changes))
        .route("/v1/feed/events", get(events_feed))
        .route(
            "/v1/admin/import",
            capped(post(import), config.max_import_body),
        )
        .route("/v1/stock", get(stock::pull))
        .route("/v1/admin/stock", get(stock::view))
        .route("/v1/admin/exceptions", get(exceptions))
        .route("/v1/admin/exceptions/raised", get(exceptions::raised))
        .route(
            "/v1/admin/exceptions/raised/{id}/resolve",
            capped(post(exceptions::resolve), MAX_REGISTRATION_BODY),
        )
        .route(
            "/v1/admin/exceptions/raised/{id}/dismiss",
            capped(post(exceptions::dismiss), MAX_REGISTRATION_BODY),
        )
        .route(
            "/v1/admin/exceptions/raised/{id}/retry",
            capped(post(exceptions::retry), MAX_REGISTRATION_BODY),
        )
        .route("/v1/admin/counts/held", get(counts::held))
        .route("/v1/admin/counts/reconciled", get(counts::reconciled))
        .route(
            "/v1/admin/counts/release",
            capped(post(counts::release), MAX_REGISTRATION_BODY),
        )
        .route(
            "/v1/tasks/claim",
            capped(post(tasks::claim), MAX_REGISTRATION_BODY),
        )
        .route(
            "/v1/tasks/release",
            capped(post(tasks::release), MAX_REGISTRATION_BODY),
        )
        .route(
            "/v1/sscc/block",
            capped(post(sscc::block), MAX_REGISTRATION_BODY),
        )
        .route(
            "/v1/kept-local",
            capped(post(tasks::kept_local), MAX_KEPT_LOCAL_BODY),
        )
        .route("/v1/admin/tasks", get(tasks::list))
        .route(
            "/v1/admin/tasks/assign",
            capped(post(tasks::assign), MAX_REGISTRATION_BODY),
        )
        .route("/v1/admin/atp", get(measures::atp))
        .route("/v1/admin/kpis", get(measures::kpis))
        .route("/v1/admin/risk", get(measures::risk))
        .route(
            "/v1/admin/counts/risk",
            capped(post(measures::risk_counts), MAX_REGISTRATION_BODY),
        )
        .route("/v1/admin/devices", get(devices))
        .route(
            "/v1/admin/devices/{device_id}/revoke",
            capped(post(revoke_device), MAX_REGISTRATION_BODY),
        )
        .route(
            "/v1/admin/devices/{device_id}/revoke-tokens",
            capped(post(revoke_tokens), MAX_REGISTRATION_BODY),
        )
        .route(
            "/v1/admin/devices/{device_id}/token",
            capped(post(grant_token), MAX_REGISTRATION_BODY),
        )
        .route(
            "/v1/admin/devices/{device_id}/accept-fork",
            capped(post(accept_fork), MAX_REGISTRATION_BODY),
        )
        .merge(crate::console::routes())
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_REGISTRATION_BODY))
        .layer(axum::middleware::map_response(clock::with_hub_time))
        .with_state(state)
}
