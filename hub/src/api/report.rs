//! What a device says of itself with its requests: the app and library it runs, the events it
//! holds for the hub and the operator signed in on it (the `dockhand-device-*` headers), kept for
//! the supervisor's floor. A header that does not read is left out, never a reason to refuse the
//! request: a sync must not stall over what is only shown. The store is written when the report
//! changes or was last written half a minute ago.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use dockhand_protocol::sync::{DEVICE_APP_HEADER, DEVICE_OPERATOR_HEADER, DEVICE_PENDING_HEADER};

use super::{AppState, blocking};
use crate::body::short_text;
use crate::error::HubResult;
use crate::store::DeviceReport;

/// A report is written again after this long.
const REWRITE: Duration = Duration::from_secs(30);
/// Longest app text kept.
const MAX_APP: usize = 100;
/// Longest operator id kept.
const MAX_OPERATOR: usize = 64;
/// Most pending events believed (a queue beyond is a broken header).
const MAX_PENDING: i64 = 1_000_000_000;

/// The reports last written, per device.
#[derive(Default)]
pub struct Reports {
    written: Mutex<HashMap<String, (Instant, DeviceReport)>>,
}

fn text(headers: &HeaderMap, name: &str, max: usize) -> Option<String> {
    let value = headers.get(name)?.to_str().ok()?.trim();
    (!value.is_empty() && !value.chars().any(char::is_control)).then(|| short_text(value, max))
}

/// The report in a request's headers (`None`: the device sent none, as before this version).
pub fn read(headers: &HeaderMap) -> Option<DeviceReport> {
    let report = DeviceReport {
        app: text(headers, DEVICE_APP_HEADER, MAX_APP),
        pending: text(headers, DEVICE_PENDING_HEADER, 20)
            .and_then(|p| p.parse::<i64>().ok())
            .filter(|p| (0..=MAX_PENDING).contains(p)),
        operator: text(headers, DEVICE_OPERATOR_HEADER, MAX_OPERATOR),
    };
    (report != DeviceReport::default()).then_some(report)
}

/// Records `device`'s report from the request's headers when it changed or is due; a failure to
/// write it is logged, and the request goes on.
pub(super) async fn note(state: &AppState, device: &str, headers: &HeaderMap) {
    if let Err(e) = write(state, device, headers).await {
        tracing::warn!(device, error = %e, "could not record what the device said of itself");
    }
}

async fn write(state: &AppState, device: &str, headers: &HeaderMap) -> HubResult<()> {
    let Some(report) = read(headers) else {
        return Ok(());
    };
    let due = match state.reports.written.lock() {
        Ok(written) => written
            .get(device)
            .is_none_or(|(at, last)| *last != report || at.elapsed() >= REWRITE),
        Err(_) => true,
    };
    if !due {
        return Ok(());
    }
    let (id, kept) = (device.to_string(), report.clone());
    blocking(state, move |s| {
        s.device_reported(&id, &kept, &crate::now_text())
    })
    .await?;
    if let Ok(mut written) = state.reports.written.lock() {
        written.insert(device.to_string(), (Instant::now(), report));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(
                *name,
                HeaderValue::from_str(value).unwrap_or(HeaderValue::from_static("")),
            );
        }
        h
    }

    #[test]
    fn what_does_not_read_is_left_out_and_long_texts_are_cut() {
        assert_eq!(read(&headers(&[])), None);
        let long = "x".repeat(300);
        let r = read(&headers(&[
            (DEVICE_APP_HEADER, &long),
            (DEVICE_PENDING_HEADER, "-5"),
            (DEVICE_OPERATOR_HEADER, "bob\tsmith"),
        ]))
        .unwrap_or_default();
        assert_eq!(
            r.app.as_deref().map(|a| a.chars().count()),
            Some(MAX_APP + 1)
        );
        assert_eq!((r.pending, r.operator), (None, None));
        for (given, kept) in [("12", Some(12)), ("abc", None), ("99999999999", None)] {
            let r = read(&headers(&[(DEVICE_PENDING_HEADER, given)]));
            assert_eq!(r.and_then(|r| r.pending), kept, "{given}");
        }
    }
}
