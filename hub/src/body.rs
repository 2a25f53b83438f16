//! Request bodies and query strings read into types, with every failure a Problem JSON answer
//! (axum's own rejections are plain text). A body is read only by a handler whose caller has
//! already been authenticated from the headers (see [`crate::auth`]); its size is capped by the
//! route's `DefaultBodyLimit`.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::HubError;

/// At most this many characters of a client's text are quoted back in a message.
pub const QUOTE: usize = 120;

/// `text` cut to `max` characters, with "…" when it was longer.
pub fn short_text(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// The longest name or id a person's action is recorded under.
pub const MAX_NAME: usize = 64;

/// `value` trimmed, when it can name a person or a thing in a record: 1 to [`MAX_NAME`]
/// characters, no control characters; otherwise a sentence saying what `field` must be (`what`).
pub fn name_field(field: &str, value: &str, what: &str) -> Result<String, HubError> {
    let trimmed = value.trim();
    if trimmed.is_empty()
        || trimmed.chars().count() > MAX_NAME
        || trimmed.chars().any(char::is_control)
    {
        return Err(HubError::BadRequest(format!(
            "{field} {:?} must name {what}: 1 to {MAX_NAME} characters, no control characters",
            short_text(value, 40)
        )));
    }
    Ok(trimmed.to_string())
}

/// [`name_field`] of a value that may be absent.
pub fn optional_name(
    field: &str,
    value: Option<&str>,
    what: &str,
) -> Result<Option<String>, HubError> {
    value.map(|v| name_field(field, v, what)).transpose()
}

/// A JSON body of type `T`.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = HubError;

    async fn from_request(request: Request, state: &S) -> Result<Self, HubError> {
        let cap = request.extensions().get::<BodyCap>().map(|c| c.0);
        let declared = request
            .headers()
            .get(axum::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        // A declared length over the cap is refused before a byte of the body is read.
        if let (Some(max), Some(size)) = (cap, declared)
            && size > max
        {
            return Err(HubError::TooLarge {
                what: "the request body".into(),
                size: Some(size),
                max,
            });
        }
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(JsonBody(value)),
            Err(rejection) => Err(body_error(rejection, cap, declared)),
        }
    }
}

/// A body read as bytes (an endpoint whose body is optional), refused as Problem JSON when it
/// is over the route's cap or cannot be read.
pub struct RawBody(pub axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = HubError;

    async fn from_request(request: Request, state: &S) -> Result<Self, HubError> {
        let cap = request.extensions().get::<BodyCap>().map(|c| c.0);
        match axum::body::Bytes::from_request(request, state).await {
            Ok(bytes) => Ok(RawBody(bytes)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(HubError::TooLarge {
                    what: "the request body".into(),
                    size: None,
                    max: cap.unwrap_or_default(),
                })
            }
            Err(rejection) => Err(HubError::BadRequest(format!(
                "the body could not be read: {}",
                short_text(&rejection.body_text(), 2 * QUOTE)
            ))),
        }
    }
}

/// Path parameters of type `T`, refused as Problem JSON when they cannot be read (a path
/// segment that percent-decodes to invalid UTF-8, say).
pub struct PathParams<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for PathParams<T> {
    type Rejection = HubError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, HubError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(PathParams(value)),
            Err(rejection) => Err(HubError::BadRequest(format!(
                "the path could not be read: {}",
                short_text(&rejection.body_text(), 2 * QUOTE)
            ))),
        }
    }
}

/// A route's body limit, told to [`JsonBody`] so that a refusal names it.
#[derive(Debug, Clone, Copy)]
pub struct BodyCap(pub usize);

/// `route` with bodies capped at `max` bytes (refused unread past that with 413).
pub fn capped<S: Clone + Send + Sync + 'static>(
    route: axum::routing::MethodRouter<S>,
    max: usize,
) -> axum::routing::MethodRouter<S> {
    route
        .layer::<_, std::convert::Infallible>(axum::extract::DefaultBodyLimit::max(max))
        .layer::<_, std::convert::Infallible>(axum::Extension(BodyCap(max)))
}

/// The Problem for a body axum could not read.
fn body_error(rejection: JsonRejection, cap: Option<usize>, declared: Option<usize>) -> HubError {
    let status = rejection.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return HubError::TooLarge {
            what: "the request body".into(),
            size: declared,
            max: cap.unwrap_or_default(),
        };
    }
    let message = match &rejection {
        JsonRejection::MissingJsonContentType(_) => {
            "the body must be JSON sent with content-type: application/json".to_string()
        }
        JsonRejection::JsonSyntaxError(_) => format!(
            "the body is not valid JSON: {}",
            short_text(&rejection.body_text(), 2 * QUOTE)
        ),
        // serde quotes the value it could not take; a badge's PIN is never echoed.
        JsonRejection::JsonDataError(_) if rejection.body_text().contains("badges[") => {
            "the body does not have the fields this endpoint takes: a badge's operator_id, badge \
             and pin must each be JSON text (the value is not shown)"
                .to_string()
        }
        JsonRejection::JsonDataError(_) => format!(
            "the body does not have the fields this endpoint takes: {}",
            short_text(&rejection.body_text(), 2 * QUOTE)
        ),
        _ => format!(
            "the body could not be read: {}",
            short_text(&rejection.body_text(), 2 * QUOTE)
        ),
    };
    HubError::UnreadableBody { status, message }
}

/// Query parameters of type `T`.
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = HubError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, HubError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(QueryParams(value)),
            Err(rejection) => Err(query_error(&rejection)),
        }
    }
}

fn query_error(rejection: &QueryRejection) -> HubError {
    HubError::BadRequest(format!(
        "the query string could not be read: {}",
        short_text(&rejection.body_text(), 2 * QUOTE)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_are_cut_on_a_character_boundary() {
        assert_eq!(short_text("abc", 5), "abc");
        assert_eq!(short_text("ääääää", 3), "äää…");
    }
}
