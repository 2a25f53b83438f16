//! The exception workflow (crate::exceptions): the list, and a supervisor's resolve, dismiss and
//! retry.

use axum::Json;
use axum::extract::State;

use dockhand_protocol::exceptions::{ExceptionAction, RaisedException};

use super::{AppState, blocking};
use crate::auth::AdminAuth;
use crate::body::{JsonBody, PathParams, QueryParams};
use crate::error::HubResult;
use crate::store::HubStore;

/// `GET /v1/admin/exceptions/raised` asks for a site's exceptions, of one kind or state.
#[derive(serde::Deserialize)]
pub(super) struct RaisedQuery {
    site: Option<String>,
    kind: Option<String>,
    state: Option<String>,
}

/// `GET /v1/admin/exceptions/raised[?site=SITE][&kind=KIND][&state=open]`: what the hub raised
/// for a person to settle, oldest first.
pub(super) async fn raised(
    State(state): State<AppState>,
    _: AdminAuth,
    QueryParams(q): QueryParams<RaisedQuery>,
) -> HubResult<Json<Vec<RaisedException>>> {
    Ok(Json(
        blocking(&state, move |s| {
            let site = crate::store::site_named(
                q.site.as_deref(),
                &s.sites()?,
                "whose exceptions to show (?site=)",
            )?;
            crate::exceptions::list(s, &site, q.kind.as_deref(), q.state.as_deref())
        })
        .await?,
    ))
}

/// Path of an exception's actions.
#[derive(serde::Deserialize)]
pub(super) struct ExceptionPath {
    id: i64,
}

/// One of crate::exceptions' actions.
type Step = fn(&dyn HubStore, i64, &ExceptionAction, &str) -> HubResult<RaisedException>;

async fn act(
    state: &AppState,
    id: i64,
    action: ExceptionAction,
    step: Step,
) -> HubResult<Json<RaisedException>> {
    Ok(Json(
        blocking(state, move |s| step(s, id, &action, &crate::now_text())).await?,
    ))
}

/// `POST /v1/admin/exceptions/raised/{id}/resolve`: settles an exception with a note.
pub(super) async fn resolve(
    State(state): State<AppState>,
    _: AdminAuth,
    PathParams(path): PathParams<ExceptionPath>,
    JsonBody(action): JsonBody<ExceptionAction>,
) -> HubResult<Json<RaisedException>> {
    act(&state, path.id, action, crate::exceptions::resolve).await
}

/// `POST /v1/admin/exceptions/raised/{id}/dismiss`: settles an exception as needing nothing.
pub(super) async fn dismiss(
    State(state): State<AppState>,
    _: AdminAuth,
    PathParams(path): PathParams<ExceptionPath>,
    JsonBody(action): JsonBody<ExceptionAction>,
) -> HubResult<Json<RaisedException>> {
    act(&state, path.id, action, crate::exceptions::dismiss).await
}

/// `POST /v1/admin/exceptions/raised/{id}/retry`: judges a refused event again, or posts an ERP
/// refusal again (the exception settles once the ERP takes it).
pub(super) async fn retry(
    State(state): State<AppState>,
    _: AdminAuth,
    PathParams(path): PathParams<ExceptionPath>,
    JsonBody(action): JsonBody<ExceptionAction>,
) -> HubResult<Json<RaisedException>> {
    act(&state, path.id, action, crate::exceptions::retry).await
}
