//! A site measured across every handheld (crate::measures): available to promise, KPIs, the count
//! risk ranking and count tasks for the riskiest locations.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Duration, FixedOffset};

use dockhand_protocol::master::CountTaskRequest;
use dockhand_protocol::measures::{Kpis, RiskCounts, RiskRanking, SiteAtp};

use super::{AppState, blocking};
use crate::auth::AdminAuth;
use crate::body::{JsonBody, QueryParams, short_text};
use crate::error::{HubError, HubResult};
use crate::store::site_named;

/// The query of the measures' endpoints.
#[derive(serde::Deserialize)]
pub(super) struct MeasureQuery {
    site: Option<String>,
    sku: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// A moment of a query (RFC 3339), or the sentence for one that is not.
fn moment(name: &str, text: Option<&str>) -> HubResult<Option<DateTime<FixedOffset>>> {
    text.map(|t| {
        DateTime::parse_from_rfc3339(t).map_err(|e| {
            HubError::BadRequest(format!(
                "{name} {:?} is not a date and time such as 2026-12-04T06:00:00+01:00: {e}",
                short_text(t, 40)
            ))
        })
    })
    .transpose()
}

fn now() -> DateTime<FixedOffset> {
    chrono::Utc::now().fixed_offset()
}

/// `GET /v1/admin/atp[?site=SITE][&sku=SKU]`: available to promise of the site's items.
pub(super) async fn atp(
    State(state): State<AppState>,
    _: AdminAuth,
    QueryParams(q): QueryParams<MeasureQuery>,
) -> HubResult<Json<Vec<SiteAtp>>> {
    Ok(Json(
        blocking(&state, move |s| {
            let site = site_named(q.site.as_deref(), &s.sites()?, "whose stock (?site=)")?;
            crate::measures::atp(s, &site, q.sku.as_deref())
        })
        .await?,
    ))
}

/// `GET /v1/admin/kpis[?site=SITE][&from=…][&to=…]`: the site's KPIs for a period (the last 7
/// days to now unless given), with the risk ranking at its end.
pub(super) async fn kpis(
    State(state): State<AppState>,
    _: AdminAuth,
    QueryParams(q): QueryParams<MeasureQuery>,
) -> HubResult<Json<Kpis>> {
    let to = moment("to", q.to.as_deref())?.unwrap_or_else(now);
    let from = moment("from", q.from.as_deref())?.unwrap_or(to - Duration::days(7));
    Ok(Json(
        blocking(&state, move |s| {
            let site = site_named(q.site.as_deref(), &s.sites()?, "whose KPIs (?site=)")?;
            crate::measures::kpis(s, &site, from, to)
        })
        .await?,
    ))
}

/// `GET /v1/admin/risk[?site=SITE]`: the site's locations and items, most at risk first.
pub(super) async fn risk(
    State(state): State<AppState>,
    _: AdminAuth,
    QueryParams(q): QueryParams<MeasureQuery>,
) -> HubResult<Json<RiskRanking>> {
    Ok(Json(
        blocking(&state, move |s| {
            let site = site_named(q.site.as_deref(), &s.sites()?, "whose ranking (?site=)")?;
            crate::measures::risk(s, &site, now())
        })
        .await?,
    ))
}

/// `POST /v1/admin/counts/risk`: count tasks for the riskiest locations, published to the site's
/// devices; answers the tasks made.
pub(super) async fn risk_counts(
    State(state): State<AppState>,
    _: AdminAuth,
    JsonBody(asked): JsonBody<RiskCounts>,
) -> HubResult<Json<Vec<CountTaskRequest>>> {
    Ok(Json(
        blocking(&state, move |s| {
            let site = site_named(
                asked.site.as_deref(),
                &s.sites()?,
                "whose locations to count (\"site\")",
            )?;
            crate::measures::risk_counts(s, &site, asked.top, &asked.by, now())
        })
        .await?,
    ))
}
