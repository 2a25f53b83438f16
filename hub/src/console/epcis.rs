//! The site's events of a period as one EPCIS 2.0 document (JSON-LD), for a trading partner or an
//! audit. A period is what the hub accepted from its first day to its last (UTC, both included),
//! by the hub's clock: a handheld's events count in the period they reached the hub, so
//! consecutive periods miss none and repeat none, however late a handheld synced. The mapping is
//! the devices' own ([`dockhand_protocol::epcis`]).

use std::collections::HashMap;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use dockhand_protocol::Envelope;
use dockhand_protocol::epcis::{self, EpcisSource};
use dockhand_protocol::master::{Barcode, Item};
use dockhand_protocol::sync::ChangeKind;

use super::QueryOf;
use super::page::{ConsoleError, secured};
use super::session::Signed;
use crate::api::{AppState, blocking};
use crate::body::short_text;
use crate::error::{HubError, HubResult};
use crate::store::HubStore;

/// The longest period one download covers, in days.
pub const MAX_DAYS: u64 = 92;
/// The most events one download carries.
pub const MAX_EXPORT: i64 = 200_000;

/// Downloads prepared at once.
static PREPARING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// `?from=YYYY-MM-DD&to=YYYY-MM-DD`.
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct PeriodQuery {
    site: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// The first and last day of a period, checked: from `from` 00:00 to the end of `to` (UTC).
fn period(from: Option<&str>, to: Option<&str>) -> Result<(NaiveDate, NaiveDate), String> {
    let day = |name: &str, text: Option<&str>| -> Result<NaiveDate, String> {
        let text = text.map(str::trim).unwrap_or_default();
        if text.is_empty() {
            return Err(format!("the period needs its {name} day (YYYY-MM-DD)"));
        }
        NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
            format!(
                "the {name} day {:?} is not a date such as 2026-12-01",
                short_text(text, 20)
            )
        })
    };
    let (first, last) = (day("first", from)?, day("last", to)?);
    if last.checked_add_days(chrono::Days::new(1)).is_none() {
        return Err(format!("the last day {last} is past the calendar's end"));
    }
    if last < first {
        return Err(format!(
            "the period ends ({last}) before it starts ({first})"
        ));
    }
    let days = last.signed_duration_since(first).num_days() + 1;
    if u64::try_from(days).unwrap_or(u64::MAX) > MAX_DAYS {
        return Err(format!(
            "the period from {first} to {last} is {days} days; one download covers at most \
             {MAX_DAYS}"
        ));
    }
    Ok((first, last))
}

/// The hub's store as the export's source: GTINs from the catalog every site shares, a void's
/// original from the events.
struct Hub<'s> {
    store: &'s dyn HubStore,
    gtins: HashMap<String, String>,
}

impl<'s> Hub<'s> {
    /// Reads each item's GTIN once: the longest GS1 barcode of its base unit.
    fn new(store: &'s dyn HubStore) -> HubResult<Self> {
        let base_units: HashMap<String, String> = store
            .shared_master(ChangeKind::Item.as_str())?
            .into_iter()
            .filter_map(|(_, data)| serde_json::from_str::<Item>(&data).ok())
            .map(|item| (item.sku, item.base_unit))
            .collect();
        // The device's choice: of the base unit's GS1 barcodes, the longest, then the first.
        let mut chosen: HashMap<String, (usize, String, String)> = HashMap::new();
        for (_, data) in store.shared_master(ChangeKind::Barcode.as_str())? {
            let Ok(barcode) = serde_json::from_str::<Barcode>(&data) else {
                continue;
            };
            if base_units.get(&barcode.sku) != Some(&barcode.unit) {
                continue;
            }
            let Some(gtin) = dockhand_protocol::gs1::gtin14(&barcode.code) else {
                continue;
            };
            let rank = (barcode.code.len(), barcode.code, gtin);
            match chosen.get(&barcode.sku) {
                Some((len, code, _))
                    if (*len, std::cmp::Reverse(code)) >= (rank.0, std::cmp::Reverse(&rank.1)) => {}
                _ => {
                    chosen.insert(barcode.sku, rank);
                }
            }
        }
        let gtins = chosen
            .into_iter()
            .map(|(sku, (_, _, gtin))| (sku, gtin))
            .collect();
        Ok(Self { store, gtins })
    }
}

impl EpcisSource for Hub<'_> {
    type Error = HubError;

    fn gtin(&mut self, sku: &str) -> HubResult<Option<String>> {
        Ok(self.gtins.get(sku).cloned())
    }

    fn event(&mut self, event_id: uuid::Uuid) -> HubResult<Option<Envelope>> {
        match self.store.event_by_id(&event_id.to_string())? {
            Some(row) => Ok(Some(serde_json::from_str(&row.envelope)?)),
            None => Ok(None),
        }
    }
}

/// `GET /console/epcis?from=…&to=…`: the download.
pub(super) async fn download(
    State(state): State<AppState>,
    _signed: Signed,
    QueryOf(q): QueryOf<PeriodQuery>,
) -> Result<Response, ConsoleError> {
    let (first, last) = period(q.from.as_deref(), q.to.as_deref())
        .map_err(|why| ConsoleError::page(StatusCode::BAD_REQUEST, why))?;
    let start = format!("{first}T00:00:00.000Z");
    let end = format!(
        "{}T00:00:00.000Z",
        last.checked_add_days(chrono::Days::new(1)).unwrap_or(last)
    );
    // A download holds its events in memory a few times over: one is prepared at a time.
    let Ok(_one) = PREPARING.try_acquire() else {
        return Err(ConsoleError::page(
            StatusCode::TOO_MANY_REQUESTS,
            "another EPCIS download is being prepared: try again in a few seconds",
        ));
    };
    let created = crate::now_text();
    let (site, document) = blocking(&state, move |s| {
        let (site, _) = super::site_shown(s, q.site.as_deref())?;
        let envelopes = s.accepted_between(&site, &start, &end, MAX_EXPORT + 1)?;
        if i64::try_from(envelopes.len()).unwrap_or(i64::MAX) > MAX_EXPORT {
            return Err(HubError::BadRequest(format!(
                "site {site} accepted more than {MAX_EXPORT} events from {first} to {last}: \
                 download a shorter period"
            )));
        }
        let events = envelopes
            .iter()
            .map(|text| serde_json::from_str::<Envelope>(text))
            .collect::<Result<Vec<_>, _>>()?;
        let document = epcis::document(
            &mut Hub::new(s)?,
            &events,
            &format!("dockhand-hub site {site}"),
            &created,
        )?;
        Ok((site, document))
    })
    .await?;
    let body = serde_json::to_vec_pretty(&document)
        .map_err(|e| ConsoleError::page(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let file = format!("epcis-{}-{first}-to-{last}.json", file_safe(&site));
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/ld+json"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(secured(response))
}

/// A site's name as part of a file name.
fn file_safe(site: &str) -> String {
    site.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_is_two_days_in_order_and_not_too_long() {
        let ok = period(Some("2026-12-01"), Some("2026-12-04"));
        assert_eq!(
            ok.map(|(a, b)| (a.to_string(), b.to_string())),
            Ok(("2026-12-01".into(), "2026-12-04".into()))
        );
        let err = |from, to| period(from, to).err().unwrap_or_default();
        assert_eq!(
            err(None, Some("2026-12-04")),
            "the period needs its first day (YYYY-MM-DD)"
        );
        assert!(err(Some("04/12/2026"), Some("2026-12-04")).contains("not a date"));
        assert!(err(Some("2026-12-04"), Some("2026-12-01")).contains("ends (2026-12-01) before"));
        assert!(err(Some("2026-01-01"), Some("2026-12-31")).contains("365 days"));
        assert!(err(Some("+262142-12-30"), Some("+262142-12-31")).contains("calendar's end"));
    }

    #[test]
    fn a_site_is_named_safely_in_the_file_name() {
        assert_eq!(file_safe("north/2 \"x\""), "north_2__x_");
    }
}
