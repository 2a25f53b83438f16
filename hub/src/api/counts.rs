//! Counts held back from the ERP until every device of the site has synced past them: the list,
//! and a supervisor's release (crate::reconcile).

use axum::Json;
use axum::extract::State;

use dockhand_protocol::sync::{CountReconciled, CountRelease, HeldCount};

use super::{AppState, PageQuery, blocking};
use crate::auth::AdminAuth;
use crate::body::{JsonBody, QueryParams};
use crate::error::HubResult;
use crate::store::site_named;

/// `GET /v1/admin/counts/held[?site=SITE]`: the site's count lines held from the ERP, oldest
/// first.
pub(super) async fn held(
    State(state): State<AppState>,
    _: AdminAuth,
    QueryParams(q): QueryParams<PageQuery>,
) -> HubResult<Json<Vec<HeldCount>>> {
    Ok(Json(
        blocking(&state, move |s| {
            let site = site_named(
                q.site.as_deref(),
                &s.sites()?,
                "whose counts to show (?site=)",
            )?;
            s.held_counts(&site)
        })
        .await?,
    ))
}

/// `GET /v1/admin/counts/reconciled[?site=SITE]`: the corrections the hub booked on the site's
/// counts, oldest first.
pub(super) async fn reconciled(
    State(state): State<AppState>,
    _: AdminAuth,
    QueryParams(q): QueryParams<PageQuery>,
) -> HubResult<Json<Vec<CountReconciled>>> {
    Ok(Json(
        blocking(&state, move |s| {
            let site = site_named(
                q.site.as_deref(),
                &s.sites()?,
                "whose counts to show (?site=)",
            )?;
            s.reconciled_counts(&site)
        })
        .await?,
    ))
}

/// `POST /v1/admin/counts/release`: sends a site's held count lines (of one task, or all) to the
/// ERP now; answers the lines released.
pub(super) async fn release(
    State(state): State<AppState>,
    _: AdminAuth,
    JsonBody(asked): JsonBody<CountRelease>,
) -> HubResult<Json<Vec<HeldCount>>> {
    let by = crate::body::name_field("released_by", &asked.released_by, "who releases the counts")?;
    let released = blocking(&state, move |s| {
        let site = site_named(
            asked.site.as_deref(),
            &s.sites()?,
            "whose counts to release (\"site\")",
        )?;
        crate::reconcile::release_by_supervisor(
            s,
            &site,
            asked.task_id.as_deref(),
            &by,
            &crate::now_text(),
        )
    })
    .await?;
    Ok(Json(released))
}
