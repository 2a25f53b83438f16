//! Stock: the site's buckets found by what a person scans or types (a location, an item, a
//! barcode, a lot or a licence plate), by status, with the item's available-to-promise.

use axum::extract::State;
use axum::response::Response;
use dockhand_protocol::master::{Barcode, Item};
use dockhand_protocol::measures::SiteAtp;
use dockhand_protocol::sync::{ChangeKind, StockLine};

use super::QueryOf;
use super::live::frame;
use super::page::{Chrome, ConsoleError, page as render};
use super::session::Signed;
use crate::api::{AppState, blocking};
use crate::body::short_text;
use crate::error::HubResult;
use crate::store::{HubStore, StockBy};

/// Most buckets one search shows.
pub const MAX_BUCKETS: usize = 500;
/// Longest search text.
const MAX_QUERY: usize = 120;
/// The statuses, as the filter offers them.
const STATUSES: [&str; 7] = [
    "available",
    "received",
    "in_transit",
    "quarantined",
    "damaged",
    "return_pending",
    "",
];

/// What a search found, in one table.
#[derive(Debug, Clone)]
pub struct Found {
    /// How the text was read: "location A-01-04", "item SKU-1 (barcode 4006381333931)".
    pub read_as: String,
    /// Its buckets.
    pub lines: Vec<StockLine>,
    /// Whether more matched than are shown.
    pub more: bool,
}

/// An item's row: its name and available-to-promise.
#[derive(Debug, Clone)]
pub struct ItemFacts {
    /// SKU.
    pub sku: String,
    /// Its description.
    pub description: String,
    /// Available to promise at the site.
    pub atp: Option<SiteAtp>,
}

#[derive(askama::Template)]
#[template(path = "console/stock.html")]
struct StockPage {
    chrome: Chrome,
    q: String,
    status: String,
    statuses: Vec<(&'static str, bool)>,
    found: Vec<Found>,
    items: Vec<ItemFacts>,
    searched: bool,
}

/// The page's query.
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct StockQuery {
    site: Option<String>,
    q: Option<String>,
    status: Option<String>,
}

/// The items a scanned or typed code stands for, through the catalog's barcodes: the code as
/// given, and a GTIN's other lengths (an EAN-13 scanned, its GTIN-14 stored, or the reverse).
fn barcode_items(store: &dyn HubStore, site: &str, code: &str) -> HubResult<Vec<String>> {
    let kind = ChangeKind::Barcode.as_str();
    let mut forms = vec![code.to_string()];
    if code.chars().all(|c| c.is_ascii_digit()) && [8, 12, 13, 14].contains(&code.len()) {
        let bare = code.trim_start_matches('0');
        for len in [8, 12, 13, 14] {
            if bare.len() <= len {
                forms.push(format!("{bare:0>len$}"));
            }
        }
    }
    forms.dedup();
    let mut skus = Vec::new();
    for form in forms {
        if let Some(data) = store.master_row(site, kind, &form)?
            && let Ok(b) = serde_json::from_str::<Barcode>(&data)
            && !skus.contains(&b.sku)
        {
            skus.push(b.sku);
        }
    }
    Ok(skus)
}

/// Searches the site's stock for `text` read every way it can be, with the items concerned.
fn search(
    store: &dyn HubStore,
    site: &str,
    text: &str,
    status: &str,
) -> HubResult<(Vec<Found>, Vec<ItemFacts>)> {
    // Master rows are read as they are, without taking the site's transaction.
    let by_barcode = barcode_items(store, site, text)?;
    let mut descriptions = Vec::new();
    for sku in by_barcode.iter().map(String::as_str).chain([text]) {
        if let Some(data) = store.master_row(site, ChangeKind::Item.as_str(), sku)?
            && let Ok(item) = serde_json::from_str::<Item>(&data)
        {
            descriptions.push((item.sku, item.description));
        }
    }
    let mut found = Vec::new();
    let mut look = |by: StockBy, value: &str, read_as: String| -> HubResult<()> {
        let mut lines = store.stock_by(site, (by, value), status, MAX_BUCKETS + 1)?;
        if !lines.is_empty() {
            let more = lines.len() > MAX_BUCKETS;
            lines.truncate(MAX_BUCKETS);
            found.push(Found {
                read_as,
                lines,
                more,
            });
        }
        Ok(())
    };
    look(StockBy::Location, text, format!("location {text}"))?;
    look(StockBy::Sku, text, format!("item {text}"))?;
    for sku in &by_barcode {
        if sku != text {
            look(StockBy::Sku, sku, format!("item {sku} (barcode {text})"))?;
        }
    }
    look(StockBy::Lot, text, format!("lot {text}"))?;
    let plate = dockhand_protocol::sscc::plate_from_scan(text);
    look(StockBy::Lpn, &plate, format!("licence plate {plate}"))?;
    let mut items = Vec::new();
    descriptions.dedup();
    for (sku, description) in descriptions {
        let atp = crate::measures::atp(store, site, Some(&sku))?
            .into_iter()
            .next();
        items.push(ItemFacts {
            sku,
            description,
            atp,
        });
    }
    Ok((found, items))
}

/// `GET /console/stock?q=…&status=…`.
pub(super) async fn page(
    State(state): State<AppState>,
    signed: Signed,
    QueryOf(q): QueryOf<StockQuery>,
) -> Result<Response, ConsoleError> {
    let text = super::asked(q.q.as_deref(), MAX_QUERY);
    let status = q
        .status
        .clone()
        .filter(|s| STATUSES.contains(&s.as_str()))
        .unwrap_or_default();
    let offline_after = state.config.offline_after;
    let asked = text.clone();
    let wanted = status.clone();
    let (chrome, found, items) = blocking(&state, move |s| {
        let (chrome, _) = frame(s, &signed, "Stock", q.site.as_deref(), offline_after)?;
        let (found, items) = if asked.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            search(s, &chrome.site, &asked, &wanted)?
        };
        Ok((chrome, found, items))
    })
    .await?;
    render(&StockPage {
        chrome,
        q: short_text(&text, MAX_QUERY),
        statuses: STATUSES.iter().map(|s| (*s, *s == status)).collect(),
        status,
        found,
        items,
        searched: !text.is_empty(),
    })
}
