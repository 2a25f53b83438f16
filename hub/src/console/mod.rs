//! The supervisor's console: the hub's own web pages under `/console`, served by `dockhand-hub
//! serve` from the one binary. Pages are rendered on the server from askama templates compiled
//! into the binary (checked at build time, HTML-escaped by default); the stylesheet and one small
//! script are compiled in too, so a site cut off from the internet still has its console. The
//! script only keeps an open page current: it asks `/console/pulse` every second and, when what
//! the page shows has changed, fetches the page again and swaps its content.
//!
//! Accounts ([`accounts`]) are supervisors, who act, and viewers, who read. Sessions
//! ([`session`]) are HttpOnly, SameSite=Strict cookies, Secure behind TLS; every form carries the
//! session's token; every action is recorded with who and when.

pub mod accounts;
mod accuracy;
mod assets;
mod epcis;
mod erp;
mod events;
mod exceptions;
mod floor;
pub mod link;
pub mod live;
pub mod overview;
pub mod page;
pub mod session;
mod signin;
mod stock;
mod tasks;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::de::DeserializeOwned;

use crate::api::AppState;
use crate::body::{QUOTE, short_text};
use page::ConsoleError;

/// The longest form the console takes, in bytes (a note of 500 characters and its fields).
pub const MAX_FORM: usize = 8 * 1024;

/// The console's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console", get(floor::page))
        .route("/console/", get(floor::page))
        .route("/console/signin", get(signin::form).post(signin::submit))
        .route("/console/signin/link", get(link::follow))
        .route("/console/signout", post(signin::sign_out))
        .route("/console/pulse", get(live::pulse))
        .route("/console/devices/{device_id}/revoke", post(floor::revoke))
        .route("/console/exceptions", get(exceptions::page))
        .route("/console/exceptions/{id}", post(exceptions::act))
        .route("/console/tasks", get(tasks::page))
        .route("/console/tasks/assign", post(tasks::assign))
        .route("/console/erp", get(erp::page))
        .route("/console/erp/release", post(erp::release))
        .route("/console/accuracy", get(accuracy::page))
        .route("/console/accuracy/risk-counts", post(accuracy::risk_counts))
        .route("/console/stock", get(stock::page))
        .route("/console/events", get(events::page))
        .route("/console/events/{id}", get(events::detail))
        .route("/console/epcis", get(epcis::download))
        .route("/console/assets/{file}", get(assets::serve))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_FORM))
}

/// A form body, refused with a console page when it cannot be read.
pub struct FormOf<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for FormOf<T> {
    type Rejection = ConsoleError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ConsoleError> {
        match Form::<T>::from_request(req, state).await {
            Ok(Form(value)) => Ok(FormOf(value)),
            Err(rejection) => Err(ConsoleError::page(
                rejection.status(),
                format!(
                    "the form could not be read: {}",
                    short_text(&rejection.body_text(), 2 * QUOTE)
                ),
            )),
        }
    }
}

/// A query string, refused with a console page when it cannot be read.
pub struct QueryOf<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryOf<T> {
    type Rejection = ConsoleError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ConsoleError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(QueryOf(value)),
            Err(rejection) => Err(ConsoleError::page(
                StatusCode::BAD_REQUEST,
                format!(
                    "the address could not be read: {}",
                    short_text(&rejection.body_text(), 2 * QUOTE)
                ),
            )),
        }
    }
}

/// What a search box asked: trimmed, at most `max` characters.
pub(crate) fn asked(q: Option<&str>, max: usize) -> String {
    q.unwrap_or_default().trim().chars().take(max).collect()
}

/// The site a page shows: the one asked for, else the hub's first; with every site.
pub fn site_shown(
    store: &dyn crate::store::HubStore,
    asked: Option<&str>,
) -> crate::error::HubResult<(String, Vec<String>)> {
    let sites = store.sites()?;
    let site = match asked.filter(|s| !s.is_empty()) {
        Some(s) if sites.iter().any(|k| k == s) => s.to_string(),
        Some(s) => {
            return Err(crate::error::HubError::NotFound(format!(
                "this hub has no site {:?}; its sites are {}",
                short_text(s, 40),
                sites.join(", ")
            )));
        }
        None if sites.iter().any(|k| k == crate::store::FIRST_SITE) => {
            crate::store::FIRST_SITE.to_string()
        }
        None => sites.first().cloned().unwrap_or_default(),
    };
    Ok((site, sites))
}

#[cfg(test)]
mod tests {
    use super::asked;

    #[test]
    fn a_search_box_is_trimmed_and_cut() {
        assert_eq!(asked(Some("  A-01-04 \n"), 120), "A-01-04");
        assert_eq!(asked(Some("ééé"), 2), "éé");
        assert_eq!(asked(None, 5), "");
    }
}
