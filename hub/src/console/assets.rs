//! The console's stylesheet and script, compiled into the binary.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::page::{ConsoleError, secured};
use crate::body::short_text;

const CSS: &str = include_str!("../../assets/console.css");
const JS: &str = include_str!("../../assets/console.js");

/// `GET /console/assets/{file}`.
pub(super) async fn serve(Path(file): Path<String>) -> Result<Response, ConsoleError> {
    let (body, kind) = match file.as_str() {
        "console.css" => (CSS, "text/css; charset=utf-8"),
        "console.js" => (JS, "text/javascript; charset=utf-8"),
        other => {
            return Err(ConsoleError::page(
                StatusCode::NOT_FOUND,
                format!("the console has no file {:?}", short_text(other, 60)),
            ));
        }
    };
    let mut response = secured(body.into_response());
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    // Compiled in: a new binary is a new file. An hour keeps a tablet's reloads cheap.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    Ok(response)
}
