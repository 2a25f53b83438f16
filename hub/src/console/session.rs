//! Signed-in browsers: the session cookie (HttpOnly, SameSite=Strict, Secure behind TLS), its
//! idle and absolute ends, the form token every form carries, and the record of who did what.

use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use chrono::{DateTime, SecondsFormat, Utc};

use super::page::ConsoleError;
use crate::api::{AppState, blocking};
use crate::auth::{new_token, token_hash};
use crate::body::short_text;
use crate::store::{ConsoleAction, ConsoleSession};

/// The session cookie.
pub const COOKIE: &str = "dockhand_console";
/// The sign-in form's own token (a cookie and the same value in the form: nobody else's page can
/// sign a browser in to an account of theirs).
pub const FORM_COOKIE: &str = "dockhand_console_form";
/// The header the console's script sends when it fetches an open page again by itself.
pub const REFRESH_HEADER: &str = "x-console-refresh";

/// Why the sign-in page is shown, as a code in its address (`?why=`): the page says the sentence,
/// so no one can put words of their own on it with a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInWhy {
    /// The session is gone: signed out elsewhere, or the account changed or removed.
    Ended,
    /// The session ran out: 12 hours after sign-in, or 2 hours without use.
    Expired,
    /// Signed out here.
    SignedOut,
}

impl SignInWhy {
    /// The code in the address.
    pub fn code(self) -> &'static str {
        match self {
            SignInWhy::Ended => "ended",
            SignInWhy::Expired => "expired",
            SignInWhy::SignedOut => "signed_out",
        }
    }

    /// The code read back; anything else is no reason.
    pub fn parse(code: &str) -> Option<Self> {
        [SignInWhy::Ended, SignInWhy::Expired, SignInWhy::SignedOut]
            .into_iter()
            .find(|w| w.code() == code)
    }

    /// What the sign-in page says.
    pub fn sentence(self) -> &'static str {
        match self {
            SignInWhy::Ended => {
                "your session has ended (signed out elsewhere, or the account was changed): sign \
                 in again"
            }
            SignInWhy::Expired => {
                "your session expired (12 hours after signing in, or 2 hours without use): sign in \
                 again"
            }
            SignInWhy::SignedOut => "signed out",
        }
    }
}

/// A session ends this long after sign-in, used or not: one shift.
pub const SESSION_FOR: Duration = Duration::from_secs(12 * 3600);
/// A session ends after this long without a request.
pub const IDLE_FOR: Duration = Duration::from_secs(2 * 3600);
/// Requests within this long of the last one noted are not noted again (one write a minute).
const TOUCH_EVERY: chrono::Duration = chrono::Duration::seconds(60);

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn after(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    t + chrono::Duration::from_std(d).unwrap_or_default()
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Whether the browser reached the hub over TLS: the hub serves it, or a proxy in front says so.
pub fn over_tls(state: &AppState, headers: &HeaderMap) -> bool {
    state.config.tls.is_some()
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// A `Set-Cookie` value for the console's path; `None` clears it.
pub fn set_cookie(name: &str, value: Option<&str>, max_age: Duration, secure: bool) -> String {
    let (value, max_age) = match value {
        Some(v) => (v, max_age.as_secs()),
        None => ("", 0),
    };
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/console; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}")
}

/// `response` with `Set-Cookie: value` added.
pub fn with_cookie(
    mut response: axum::response::Response,
    value: &str,
) -> axum::response::Response {
    if let Ok(v) = axum::http::HeaderValue::from_str(value) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// Opens a session for `user` (role `role`): the cookie's value and the stored session.
pub async fn open(
    state: &AppState,
    user: &str,
    now: DateTime<Utc>,
) -> Result<String, ConsoleError> {
    let token = new_token();
    let session = ConsoleSession {
        user: user.into(),
        role: String::new(),
        csrf: new_token(),
        created_at: stamp(now),
        last_seen: stamp(now),
        expires_at: stamp(after(now, SESSION_FOR)),
    };
    let hash = token_hash(&token);
    blocking(state, move |s| s.open_console_session(&hash, &session)).await?;
    Ok(token)
}

/// A signed-in request: who, in what role, with which form token.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The account.
    pub user: String,
    /// `supervisor` or `viewer`.
    pub role: String,
    /// The token this session's forms carry.
    pub csrf: String,
    /// The cookie's hash (to end the session).
    pub token_hash: String,
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = ConsoleError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ConsoleError> {
        let next = parts
            .uri
            .path_and_query()
            .map_or("/console".to_string(), |p| p.as_str().to_string());
        // A page asked for goes to the sign-in page with a reason's code (never a text of the
        // request's making shown there); a form posted is answered 401 with a sentence.
        let gone = |why: Option<SignInWhy>| {
            if parts.method == Method::GET || parts.method == Method::HEAD {
                ConsoleError::SignIn { next, why }
            } else {
                ConsoleError::page(
                    StatusCode::UNAUTHORIZED,
                    why.map_or(
                        "you are not signed in to the console: sign in, then try again",
                        SignInWhy::sentence,
                    ),
                )
            }
        };
        let Some(token) = cookie(&parts.headers, COOKIE).filter(|t| t.len() <= 128) else {
            return Err(gone(None));
        };
        let hash = token_hash(&token);
        let found = {
            let hash = hash.clone();
            blocking(state, move |s| s.console_session(&hash)).await?
        };
        let Some(session) = found else {
            return Err(gone(Some(SignInWhy::Ended)));
        };
        let now = Utc::now();
        let idle_end = DateTime::parse_from_rfc3339(&session.last_seen)
            .map(|t| after(t.with_timezone(&Utc), IDLE_FOR))
            .unwrap_or(now);
        let end = DateTime::parse_from_rfc3339(&session.expires_at)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(now)
            .min(idle_end);
        if end <= now {
            let ended = hash.clone();
            blocking(state, move |s| s.end_console_session(&ended)).await?;
            return Err(gone(Some(SignInWhy::Expired)));
        }
        let seen = DateTime::parse_from_rfc3339(&session.last_seen)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(now);
        // An open page keeping itself current (its live check, and the page fetched again when
        // that changed) is not someone using the console: it does not keep an idle session alive.
        let by_itself =
            parts.uri.path() == "/console/pulse" || parts.headers.contains_key(REFRESH_HEADER);
        if now - seen >= TOUCH_EVERY && !by_itself {
            let touched = hash.clone();
            let at = stamp(now);
            blocking(state, move |s| s.touch_console_session(&touched, &at)).await?;
        }
        Ok(Signed {
            user: session.user,
            role: session.role,
            csrf: session.csrf,
            token_hash: hash,
        })
    }
}

impl Signed {
    /// Refuses a form whose token is missing or not this session's (403), and records it.
    pub async fn check_form(
        &self,
        state: &AppState,
        given: Option<&str>,
        action: &str,
        target: &str,
    ) -> Result<(), ConsoleError> {
        let ok = given.is_some_and(|g| token_hash(g) == token_hash(&self.csrf));
        if ok {
            return Ok(());
        }
        let sentence = "this form carried no valid console token (it may be from an older page or \
                        from another site): reload the page and try again";
        record(state, &self.user, action, target, "", sentence).await;
        Err(ConsoleError::page(StatusCode::FORBIDDEN, sentence))
    }

    /// Refuses a viewer an action (403, with what it needs), and records it.
    pub async fn supervisor(
        &self,
        state: &AppState,
        what: &str,
        action: &str,
        target: &str,
    ) -> Result<(), ConsoleError> {
        if self.role == super::accounts::SUPERVISOR {
            return Ok(());
        }
        let sentence = format!(
            "{} is signed in as a {}: to {what} needs a supervisor",
            self.user, self.role
        );
        record(state, &self.user, action, target, "", &sentence).await;
        Err(ConsoleError::page(StatusCode::FORBIDDEN, sentence))
    }
}

/// Records an action's outcome (`done`, or the sentence it was refused with) for the signed-in
/// account, and hands the outcome on.
pub async fn recorded<T>(
    state: &AppState,
    signed: &Signed,
    (action, target, note): (&str, &str, &str),
    outcome: crate::error::HubResult<T>,
) -> Result<T, ConsoleError> {
    let said = match &outcome {
        Ok(_) => "done".to_string(),
        Err(e) => e.to_string(),
    };
    record(state, &signed.user, action, target, note, &said).await;
    Ok(outcome?)
}

/// The answer to a done action: back to `to` (a console path with its query), on `site` when
/// the form named one.
pub fn back(to: String, site: Option<String>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut to = to;
    if let Some(site) = site.filter(|s| !s.is_empty()) {
        to.push_str(&format!("&site={}", super::page::urlencode(&site)));
    }
    super::page::secured(axum::response::Redirect::to(&to).into_response())
}

/// Records what `user` did (or was refused) at the console; a failure to record is logged, not
/// shown (the action itself has its own outcome).
pub async fn record(
    state: &AppState,
    user: &str,
    action: &str,
    target: &str,
    note: &str,
    outcome: &str,
) {
    let a = ConsoleAction {
        at: crate::now_text(),
        user: short_text(user, 64),
        action: short_text(action, 40),
        target: short_text(target, 200),
        note: short_text(note, 600),
        outcome: short_text(outcome, 600),
    };
    if let Err(e) = blocking(state, move |s| s.record_console_action(&a)).await {
        tracing::error!(error = %e, "could not record a console action");
    }
}
