//! Device clocks: every request a device makes carries its clock's time
//! ([`DEVICE_TIME_HEADER`]); at each sync the hub keeps how far it is from its own, so that the
//! times of the device's events can be corrected. A handheld whose clock was reset (a flat battery
//! puts it in 1970) still syncs: its skew is recorded, never a reason to refuse. The store is
//! written when a device's skew is first seen, moves by a second or more, or was last written half
//! a minute ago: a fleet pulling every second does not write every second.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use chrono::{DateTime, Utc};
use dockhand_protocol::sync::{DEVICE_TIME_HEADER, HUB_TIME_HEADER};

use super::{AppState, blocking};
use crate::body::short_text;
use crate::error::{HubError, HubResult};

/// A recorded skew is written again after this long.
const RECHECK: Duration = Duration::from_secs(30);
/// … or once it moved by this much.
const DRIFT_MS: i64 = 1_000;
/// The longest time text taken (RFC 3339 with nanoseconds and an offset is 35).
const MAX_TIME_TEXT: usize = 40;

/// The skew last written for each device, and when.
#[derive(Default)]
pub struct Clocks {
    written: Mutex<HashMap<String, (Instant, i64)>>,
}

/// How far `device_time` (RFC 3339) is from `now`, in milliseconds (device minus hub).
pub fn skew_of(device_time: &str, now: DateTime<Utc>) -> HubResult<i64> {
    if device_time.len() > MAX_TIME_TEXT {
        return Err(HubError::BadRequest(format!(
            "{DEVICE_TIME_HEADER} {:?} has {} characters; a time has at most {MAX_TIME_TEXT}",
            short_text(device_time, 40),
            device_time.len()
        )));
    }
    let at = DateTime::parse_from_rfc3339(device_time).map_err(|e| {
        HubError::BadRequest(format!(
            "{DEVICE_TIME_HEADER} {:?} is not an RFC 3339 time ({e}), e.g. 2026-12-03T09:15:00.000Z",
            short_text(device_time, 40)
        ))
    })?;
    Ok((at.with_timezone(&Utc) - now).num_milliseconds())
}

/// Adds the hub's time to an answer ([`HUB_TIME_HEADER`]): a device compares its own with it.
pub(super) async fn with_hub_time(mut response: Response) -> Response {
    if let Ok(now) = HeaderValue::from_str(&crate::now_text()) {
        response.headers_mut().insert(HUB_TIME_HEADER, now);
    }
    response
}

/// Records the clock of `device` from the request's headers (nothing when it sent none: a device
/// of a version before clock checks).
pub(super) async fn note(state: &AppState, device: &str, headers: &HeaderMap) -> HubResult<()> {
    let Some(value) = headers.get(DEVICE_TIME_HEADER) else {
        return Ok(());
    };
    let text = value
        .to_str()
        .map_err(|_| HubError::BadRequest(format!("{DEVICE_TIME_HEADER} is not plain text")))?;
    let skew = skew_of(text, Utc::now())?;
    let fresh = {
        let written = state
            .clocks
            .written
            .lock()
            .map_err(|_| HubError::Storage("device clocks: a lock was poisoned".into()))?;
        written
            .get(device)
            .is_none_or(|(at, last)| at.elapsed() >= RECHECK || (last - skew).abs() >= DRIFT_MS)
    };
    if !fresh {
        return Ok(());
    }
    let id = device.to_string();
    blocking(state, move |s| {
        s.clock_checked(&id, skew, &crate::now_text())
    })
    .await?;
    if let Ok(mut written) = state.clocks.written.lock() {
        written.insert(device.to_string(), (Instant::now(), skew));
    }
    Ok(())
}
