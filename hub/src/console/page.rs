//! What every console page shares: the frame around it (who is signed in, the site, the
//! navigation, the form token), the security headers, and errors as pages with a sentence.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::error::HubError;

/// The console's pages, in the navigation's order: (path, label).
pub const NAV: [(&str, &str); 7] = [
    ("/console", "Floor"),
    ("/console/exceptions", "Exceptions"),
    ("/console/tasks", "Tasks"),
    ("/console/stock", "Stock"),
    ("/console/accuracy", "Accuracy"),
    ("/console/erp", "ERP"),
    ("/console/events", "Events"),
];

/// The hub's version: the assets' addresses carry it, so a new binary's are fetched anew.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The frame of a signed-in page.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// The page's label in [`NAV`].
    pub page: &'static str,
    /// Who is signed in.
    pub user: String,
    /// Their role.
    pub role: String,
    /// The session's form token.
    pub csrf: String,
    /// The site shown.
    pub site: String,
    /// Every site of the hub (a switcher shows when there are several).
    pub sites: Vec<String>,
    /// What the page's live check compares (see [`super::live`]).
    pub digest: String,
    /// The header's counts.
    pub alerts: super::live::Alerts,
    /// What the last action did, in a sentence (after its redirect).
    pub done: Option<String>,
}

impl Chrome {
    /// Whether the signed-in account may act.
    pub fn can_act(&self) -> bool {
        self.role == super::accounts::SUPERVISOR
    }

    /// The navigation with the site kept: (href, label, whether it is this page).
    pub fn nav(&self) -> Vec<(String, &'static str, bool)> {
        NAV.iter()
            .map(|(path, label)| (self.link(path), *label, *label == self.page))
            .collect()
    }

    /// `path` on this page's site.
    pub fn link(&self, path: &str) -> String {
        if self.sites.len() > 1 {
            format!("{path}?site={}", urlencode(&self.site))
        } else {
            path.to_string()
        }
    }
}

/// `text` for a URL's query.
pub fn urlencode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b));
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A rendered page with the console's headers.
pub fn page(template: &impl Template) -> Result<Response, ConsoleError> {
    let body = template
        .render()
        .map_err(|e| ConsoleError::page(StatusCode::INTERNAL_SERVER_ERROR, format!("{e}")))?;
    Ok(secured(Html(body).into_response()))
}

/// The console's security headers on `response`: no script, style or frame from elsewhere, no
/// caching of pages that show stock and names, no sniffing.
pub fn secured(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
             form-action 'self'; frame-ancestors 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::CACHE_CONTROL, "no-store"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// An answer that is not the page asked for.
#[derive(Debug)]
pub enum ConsoleError {
    /// A page with a status and a sentence.
    Page {
        /// Status.
        status: StatusCode,
        /// What went wrong, in a sentence.
        sentence: String,
    },
    /// Not signed in: to the sign-in page, then back to `next`.
    SignIn {
        /// Where to go after signing in.
        next: String,
        /// Why (a session that ended), shown on the sign-in page.
        why: Option<super::session::SignInWhy>,
    },
}

impl ConsoleError {
    /// A page with `status` and `sentence`.
    pub fn page(status: StatusCode, sentence: impl Into<String>) -> Self {
        ConsoleError::Page {
            status,
            sentence: sentence.into(),
        }
    }
}

impl From<HubError> for ConsoleError {
    fn from(e: HubError) -> Self {
        if matches!(e, HubError::Storage(_)) {
            tracing::error!(error = %e, "console request failed");
        }
        ConsoleError::page(e.status(), e.to_string())
    }
}

/// The page an error is shown on.
#[derive(Template)]
#[template(path = "console/error.html")]
struct ErrorPage<'a> {
    status: u16,
    reason: &'a str,
    sentence: &'a str,
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        match self {
            ConsoleError::SignIn { next, why } => {
                let mut to = format!("/console/signin?next={}", urlencode(&next));
                if let Some(why) = why {
                    to.push_str(&format!("&why={}", why.code()));
                }
                secured(Redirect::to(&to).into_response())
            }
            ConsoleError::Page { status, sentence } => {
                let body = ErrorPage {
                    status: status.as_u16(),
                    reason: status.canonical_reason().unwrap_or("Error"),
                    sentence: &sentence,
                }
                .render()
                .unwrap_or_else(|_| sentence.clone());
                secured((status, Html(body)).into_response())
            }
        }
    }
}

/// Age of an RFC 3339 UTC time at `now`, in words: `42 s`, `17 min`, `3 h 05 min`, `2 d 4 h`.
pub fn age(at: &str, now: chrono::DateTime<chrono::Utc>) -> String {
    let Ok(then) = chrono::DateTime::parse_from_rfc3339(at) else {
        return String::new();
    };
    let s = (now - then.with_timezone(&chrono::Utc))
        .num_seconds()
        .max(0);
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        3600..86400 => format!("{} h {:02} min", s / 3600, s % 3600 / 60),
        _ => format!("{} d {} h", s / 86400, s % 86400 / 3600),
    }
}

/// An RFC 3339 UTC time as the floor reads it: `2026-12-04 06:40` (UTC).
pub fn clock(at: &str) -> String {
    at.get(..16)
        .map(|t| t.replace('T', " "))
        .unwrap_or_default()
}
