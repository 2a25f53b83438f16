//! Who works which task (crate::tasks): a device's claim and release, a supervisor's assignment,
//! and the site's task list; and what a device kept as its operator left it.

use axum::Json;
use axum::extract::State;

use dockhand_protocol::exceptions::{KeptLocalAnswer, KeptLocalReport};
use dockhand_protocol::tasks::{AssignRequest, ClaimRequest, TaskClaim, TaskListing};

use super::{AppState, PageQuery, blocking};
use crate::auth::{AdminAuth, DeviceAuth};
use crate::body::{JsonBody, QueryParams};
use crate::error::HubResult;
use crate::store::HubStore;

/// A device's decision on a task, made by `decide` in the store's thread with the hub's time.
async fn device_decides(
    state: &AppState,
    device: String,
    asked: ClaimRequest,
    decide: fn(&dyn HubStore, &str, &ClaimRequest, &str) -> HubResult<TaskClaim>,
) -> HubResult<Json<TaskClaim>> {
    Ok(Json(
        blocking(state, move |s| {
            decide(s, &device, &asked, &crate::now_text())
        })
        .await?,
    ))
}

/// `POST /v1/tasks/claim`: the asking device takes a task of its site (first claim wins).
pub(super) async fn claim(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    JsonBody(asked): JsonBody<ClaimRequest>,
) -> HubResult<Json<TaskClaim>> {
    device_decides(&state, device, asked, crate::tasks::claim).await
}

/// `POST /v1/tasks/release`: the asking device gives back a task it holds.
pub(super) async fn release(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    JsonBody(asked): JsonBody<ClaimRequest>,
) -> HubResult<Json<TaskClaim>> {
    device_decides(&state, device, asked, crate::tasks::release).await
}

/// `POST /v1/kept-local`: what the asking device kept as its operator left it, raised as
/// exceptions.
pub(super) async fn kept_local(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    JsonBody(report): JsonBody<KeptLocalReport>,
) -> HubResult<Json<KeptLocalAnswer>> {
    Ok(Json(
        blocking(&state, move |s| {
            crate::exceptions::kept_local(s, &device, &report, &crate::now_text())
        })
        .await?,
    ))
}

/// `POST /v1/admin/tasks/assign`: a supervisor gives a task to a device, takes it from its holder,
/// or frees it.
pub(super) async fn assign(
    State(state): State<AppState>,
    _: AdminAuth,
    JsonBody(asked): JsonBody<AssignRequest>,
) -> HubResult<Json<TaskClaim>> {
    Ok(Json(
        blocking(&state, move |s| {
            crate::tasks::assign(s, &asked, &crate::now_text())
        })
        .await?,
    ))
}

/// `GET /v1/admin/tasks[?site=SITE]`: the site's pick and count tasks, how far each is and who
/// holds it.
pub(super) async fn list(
    State(state): State<AppState>,
    _: AdminAuth,
    QueryParams(q): QueryParams<PageQuery>,
) -> HubResult<Json<Vec<TaskListing>>> {
    Ok(Json(
        blocking(&state, move |s| {
            let site = crate::store::site_named(
                q.site.as_deref(),
                &s.sites()?,
                "whose tasks to show (?site=)",
            )?;
            crate::tasks::list(s, &site)
        })
        .await?,
    ))
}
