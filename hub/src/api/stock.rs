//! The hub's stock: the admin's view, and the pages devices pull into their own view.

use axum::Json;
use axum::extract::State;
use std::collections::BTreeSet;

use dockhand_protocol::sync::{LotExpiry, StockLine, StockPage};

use super::{AppState, PageQuery, blocking, cursor_value, page_limit};
use crate::auth::{AdminAuth, DeviceAuth};
use crate::body::QueryParams;
use crate::error::HubResult;

/// Buckets per page unless the device asks for another size, and the most it may ask for.
pub const STOCK_PAGE: usize = 5_000;
/// See [`STOCK_PAGE`].
pub const MAX_STOCK_PAGE: usize = 20_000;

/// `GET /v1/admin/stock[?site=SITE]`: every non-zero bucket of the site (a hub of several sites
/// needs it named).
pub(super) async fn view(
    State(state): State<AppState>,
    _: AdminAuth,
    QueryParams(q): QueryParams<PageQuery>,
) -> HubResult<Json<Vec<StockLine>>> {
    Ok(Json(
        blocking(&state, move |s| {
            let site = crate::store::site_named(
                q.site.as_deref(),
                &s.sites()?,
                "whose stock to show (?site=)",
            )?;
            s.stock(&site)
        })
        .await?,
    ))
}

/// `GET /v1/stock`: the buckets changed after the cursor, with how far the hub has applied the
/// asking device's own events.
pub(super) async fn pull(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    QueryParams(q): QueryParams<PageQuery>,
) -> HubResult<Json<StockPage>> {
    let after = cursor_value('s', q.cursor.as_deref())?;
    let limit = page_limit(q.limit, STOCK_PAGE, MAX_STOCK_PAGE)?;
    let (mut rows, applied_seq) = blocking(&state, move |s| {
        if after == 0 {
            // From the start: this device works on the site's stock.
            s.stock_pulled(&device, &crate::now_text())?;
        }
        s.stock_changes(&device, after, limit + 1)
    })
    .await?;
    let has_more = rows.len() > limit;
    rows.truncate(limit);
    let last = rows.last().map_or(after, |c| c.number);
    let mut lots = BTreeSet::new();
    for change in &rows {
        // Stored by the hub from typed dates: one that does not read is left out, not sent.
        if let Some(expiry) = change.expiry.as_deref().and_then(|e| e.parse().ok()) {
            lots.insert(LotExpiry {
                sku: change.line.sku.clone(),
                lot: change.line.lot.clone(),
                expiry,
            });
        }
    }
    Ok(Json(StockPage {
        lines: rows.into_iter().map(|c| c.line).collect(),
        next_cursor: format!("s{last}"),
        has_more,
        lots: lots.into_iter().collect(),
        applied_seq,
    }))
}
