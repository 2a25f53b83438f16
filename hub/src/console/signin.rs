//! Signing in and out.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;

use super::accounts::{self, SignIn};
use super::page::{ConsoleError, clock, page, secured};
use super::session::{self, COOKIE, FORM_COOKIE, SESSION_FOR, Signed, cookie, over_tls, record};
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
    let notice = q.why.map(|w| short_text(&w, 200));
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
    let verdict = {
        let name = name.clone();
        blocking(&state, move |s| {
            accounts::sign_in(s, &name, &password, Utc::now())
        })
        .await?
    };
    match verdict {
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
            Ok(response)
        }
        SignIn::Refused => {
            crate::auth::failed(&state, address, "/console/signin", HubError::TokenInvalid);
            let sentence = "wrong account name or password";
            record(
                &state,
                &name,
                "sign_in_refused",
                &address.to_string(),
                "",
                sentence,
            )
            .await;
            sign_in_page(
                &state,
                &headers,
                StatusCode::UNAUTHORIZED,
                &name,
                &next,
                None,
                Some(format!("{sentence}: try again")),
            )
        }
        SignIn::Locked(until) => {
            let sentence = format!(
                "account {} is locked after {} wrong passwords until {} UTC; an administrator can \
                 unlock it sooner with `dockhand-hub user add {} --role ROLE --replace`",
                short_text(&name, 40),
                accounts::LOCK_AFTER,
                clock(&until),
                short_text(&name, 40),
            );
            record(
                &state,
                &name,
                "sign_in_refused",
                &address.to_string(),
                "",
                &sentence,
            )
            .await;
            sign_in_page(
                &state,
                &headers,
                StatusCode::FORBIDDEN,
                &name,
                &next,
                None,
                Some(sentence),
            )
        }
    }
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
    let response = secured(Redirect::to("/console/signin?why=signed%20out").into_response());
    let value = session::set_cookie(COOKIE, None, SESSION_FOR, over_tls(&state, &headers));
    Ok(session::with_cookie(response, &value))
}
