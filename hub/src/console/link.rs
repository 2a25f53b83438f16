//! A development hub's one-time sign-in link: `dockhand-hub serve --console-link NAME` prints a
//! link that signs NAME in once, within ten minutes, without typing a password (a developer's
//! test bench, a demo). The link's secret lives only in the serving process (its SHA-256 in
//! memory, never in the database) and is spent by its first use, good or bad; a hub in production
//! mode offers none.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;

use super::QueryOf;
use super::page::{ConsoleError, secured};
use super::session::{self, COOKIE, SESSION_FOR, over_tls, record};
use crate::api::AppState;
use crate::auth::{ClientAddress, new_token, token_hash};

/// How long a printed link signs in.
pub const LINK_FOR: Duration = Duration::from_secs(10 * 60);

/// The link a hub was started with: for whom, its secret's hash, until when.
#[derive(Debug, Clone)]
pub struct ConsoleLink {
    /// The account it signs in.
    pub user: String,
    /// SHA-256 of its secret (hex).
    pub token_hash: String,
}

/// The link not yet used, and when it runs out.
#[derive(Debug, Default)]
pub struct Links {
    open: Mutex<Option<(ConsoleLink, Instant)>>,
}

impl Links {
    /// A hub's links: the one it was started with, for [`LINK_FOR`].
    pub fn new(link: Option<ConsoleLink>) -> Self {
        Self {
            open: Mutex::new(link.map(|l| (l, Instant::now() + LINK_FOR))),
        }
    }

    /// Spends the link: the account it signs in when `token` is its secret and it has not run
    /// out. Any use spends it.
    fn spend(&self, token: &str) -> Option<String> {
        let (link, until) = self.open.lock().ok()?.take()?;
        (Instant::now() < until && token_hash(token) == link.token_hash).then_some(link.user)
    }
}

/// A new link for `user`: the secret to print, and the link the hub keeps.
pub fn new_link(user: &str) -> (String, ConsoleLink) {
    let token = new_token();
    let link = ConsoleLink {
        user: user.to_string(),
        token_hash: token_hash(&token),
    };
    (token, link)
}

/// The link's query.
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct LinkQuery {
    token: Option<String>,
}

/// `GET /console/signin/link?token=…`.
pub(super) async fn follow(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    QueryOf(q): QueryOf<LinkQuery>,
) -> Result<Response, ConsoleError> {
    state.auth_failures.check(address)?;
    let Some(user) = state.links.spend(q.token.as_deref().unwrap_or_default()) else {
        crate::auth::failed(
            &state,
            address,
            "/console/signin/link",
            crate::error::HubError::TokenInvalid,
        );
        return Err(ConsoleError::page(
            StatusCode::UNAUTHORIZED,
            "this sign-in link was used already, ran out (it serves once, for 10 minutes after \
             the hub started) or is not this hub's: sign in with your password",
        ));
    };
    let token = session::open(&state, &user, Utc::now()).await?;
    record(
        &state,
        &user,
        "sign_in_link",
        &address.to_string(),
        "",
        "done",
    )
    .await;
    let cookie = session::set_cookie(
        COOKIE,
        Some(&token),
        SESSION_FOR,
        over_tls(&state, &headers),
    );
    Ok(session::with_cookie(
        secured(Redirect::to("/console").into_response()),
        &cookie,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_signs_in_once_and_any_wrong_use_spends_it() {
        let (token, link) = new_link("anna");
        let links = Links::new(Some(link.clone()));
        assert_eq!(links.spend(&token).as_deref(), Some("anna"));
        assert_eq!(links.spend(&token), None, "used already");

        let links = Links::new(Some(link));
        assert_eq!(links.spend("a guess"), None);
        assert_eq!(links.spend(&token), None, "a wrong try spends it");

        assert_eq!(Links::new(None).spend(&token), None);
    }
}
