//! Signing in and out.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;

use super::accounts::{self, SignIn};
use super::page::{ConsoleError, clock, page, secured};
use super::session::{
    self, COOKIE, FORM_COOKIE, SESSION_FOR, SignInWhy, Signed, cookie, over_tls, record,
};
use super::{FormOf, QueryOf};
use crate::api::{AppState, blocking};
use crate::auth::{ClientAddress, new_token, token_hash};
use crate::body::short_text;
use crate::error::HubError;

/// The sign-in page's query.
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct SignInQuery {
    next: Option<String>,
    why: Option<String>,
}

/// The sign-in form.
#[derive(Debug, serde::Deserialize)]
pub(super) struct SignInForm {
    name: Option<String>,
    password: Option<String>,
    next: Option<String>,
    form: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "console/signin.html")]
struct SignInPage {
    name: String,
    next: String,
    form: String,
    notice: Option<String>,
    problem: Option<String>,
}

/// Where to go after signing in: a console path, nothing else (no other site, no `//host`).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with("/console")
                && !n.contains("//")
                && !n.contains('\\')
                && n.len() <= 512
                && n.bytes().all(|b| b.is_ascii_graphic())
                && !n.starts_with("/console/signin") =>
        {
            n.to_string()
        }
        _ => "/console".into(),
    }
}

/// The sign-in page, with a fresh form token in its cookie.
fn sign_in_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    name: &str,
    next: &str,
    notice: Option<String>,
    problem: Option<String>,
) -> Result<Response, ConsoleError> {
    let form = new_token();
    let mut response = page(&SignInPage {
        name: short_text(name, accounts::MAX_NAME),
        next: next.into(),
        form: form.clone(),
        notice,
        problem,
    })?;
    *response.status_mut() = status;
    let value = session::set_cookie(
        FORM_COOKIE,
        Some(&form),
        std::time::Duration::from_secs(3600),
        over_tls(state, headers),
    );
    Ok(session::with_cookie(response, &value))
}

/// `GET /console/signin`.
pub(super) async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    QueryOf(q): QueryOf<SignInQuery>,
) -> Result<Response, ConsoleError> {
    let notice = q
        .why
        .as_deref()
        .and_then(SignInWhy::parse)
        .map(|w| w.sentence().to_string());
    sign_in_page(
        &state,
        &headers,
        StatusCode::OK,
        "",
        &safe_next(q.next.as_deref()),
        notice,
        None,
    )
}

/// `POST /console/signin`: a right name and password open a session; a wrong one is answered
/// 401 and counted (for the address, and for the account towards its lock).
pub(super) async fn submit(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    FormOf(f): FormOf<SignInForm>,
) -> Result<Response, ConsoleError> {
    state.auth_failures.check(address)?;
    let name = f.name.unwrap_or_default();
    let next = safe_next(f.next.as_deref());
    let form_ok = match (f.form.as_deref(), cookie(&headers, FORM_COOKIE)) {
        (Some(given), Some(kept)) => token_hash(given) == token_hash(&kept),
        _ => false,
    };
    if !form_ok {
        return sign_in_page(
            &state,
            &headers,
            StatusCode::FORBIDDEN,
            &name,
            &next,
            None,
            Some(
                "this sign-in form carried no valid token (it may be from an older page, or \
                 cookies are blocked): try again on this page"
                    .into(),
            ),
        );
    }
    let password = f.password.unwrap_or_default();
    // Argon2 costs 19 MiB and tens of milliseconds a check: a few at a time, the rest answered
    // at once, so a flood of sign-ins cannot take the hub's memory or its cores.
    let Ok(_permit) = checking().try_acquire() else {
        return Err(ConsoleError::page(
            StatusCode::TOO_MANY_REQUESTS,
            "the hub is checking other sign-ins: try again in a few seconds",
        ));
    };
    let verdict = {
        let name = name.clone();
        let from = address.to_string();
        blocking(&state, move |s| {
            accounts::sign_in(s, &name, &password, &from, Utc::now())
        })
        .await?
    };
    let said = match verdict {
        SignIn::Admitted(user) => {
            let token = session::open(&state, &user.name, Utc::now()).await?;
            record(
                &state,
                &user.name,
                "sign_in",
                &address.to_string(),
                "",
                "done",
            )
            .await;
            let secure = over_tls(&state, &headers);
            let mut response = secured(Redirect::to(&next).into_response());
            for value in [
                session::set_cookie(COOKIE, Some(&token), SESSION_FOR, secure),
                session::set_cookie(FORM_COOKIE, None, SESSION_FOR, secure),
            ] {
                response = session::with_cookie(response, &value);
            }
            return Ok(response);
        }
        SignIn::Refused => "wrong account name or password".to_string(),
        SignIn::Locked(until) => format!(
            "locked after {} wrong passwords until {} UTC",
            accounts::LOCK_AFTER,
            clock(&until)
        ),
    };
    // The same answer whether the name is unknown, the password wrong or the account locked: the
    // page does not tell which accounts exist. The record of actions says which it was.
    crate::auth::failed(&state, address, "/console/signin", HubError::TokenInvalid);
    record(
        &state,
        &name,
        "sign_in_refused",
        &address.to_string(),
        "",
        &said,
    )
    .await;
    sign_in_page(
        &state,
        &headers,
        StatusCode::UNAUTHORIZED,
        &name,
        &next,
        None,
        Some(format!(
            "wrong account name or password, or the account is locked after {} wrong passwords \
             in a row from this address (for {} minutes; an administrator can unlock it with \
             `dockhand-hub user add NAME --role ROLE --replace`)",
            accounts::LOCK_AFTER,
            accounts::LOCK_FOR.as_secs() / 60
        )),
    )
}

/// Sign-in checks running at once, at most.
const CHECKS_AT_ONCE: usize = 2;

fn checking() -> &'static tokio::sync::Semaphore {
    static CHECKING: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    CHECKING.get_or_init(|| tokio::sync::Semaphore::new(CHECKS_AT_ONCE))
}

/// The sign-out form.
#[derive(Debug, serde::Deserialize)]
pub(super) struct SignOutForm {
    csrf: Option<String>,
}

/// `POST /console/signout`: ends the session and clears its cookie.
pub(super) async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed: Signed,
    FormOf(f): FormOf<SignOutForm>,
) -> Result<Response, ConsoleError> {
    signed
        .check_form(&state, f.csrf.as_deref(), "sign_out", &signed.user)
        .await?;
    let hash = signed.token_hash.clone();
    blocking(&state, move |s| s.end_console_session(&hash)).await?;
    record(&state, &signed.user, "sign_out", "", "", "done").await;
    let response = secured(Redirect::to("/console/signin?why=signed_out").into_response());
    let value = session::set_cookie(COOKIE, None, SESSION_FOR, over_tls(&state, &headers));
    Ok(session::with_cookie(response, &value))
}
