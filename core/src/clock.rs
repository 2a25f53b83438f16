//! Where "now" comes from: the device's wall clock in production, a hand-set clock in tests and in
//! the demo's simulated shift. Times carry the device's UTC offset, which events keep beside UTC.

use std::sync::Mutex;

use chrono::{DateTime, Duration, FixedOffset, Local, NaiveDate};

/// A source of the current time with the device's UTC offset.
pub trait Clock: Send + Sync {
    /// The current time at the device's offset.
    fn now(&self) -> DateTime<FixedOffset>;

    /// Today's date on the device (expiry checks use the local date, as a person reads a label).
    fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}

/// The device's wall clock and time zone.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<FixedOffset> {
        Local::now().fixed_offset()
    }
}

/// A clock that only moves when told to: tests and simulated shifts.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<DateTime<FixedOffset>>,
}

impl ManualClock {
    /// A clock standing at `start`.
    pub fn new(start: DateTime<FixedOffset>) -> Self {
        Self {
            now: Mutex::new(start),
        }
    }

    /// A clock standing at an RFC 3339 time such as `2026-11-27T08:00:00+01:00`.
    ///
    /// # Panics
    /// When `rfc3339` is not a valid time: this is for tests and demos with literal times.
    pub fn at(rfc3339: &str) -> Self {
        #[allow(clippy::expect_used)]
        Self::new(DateTime::parse_from_rfc3339(rfc3339).expect("a valid RFC 3339 time"))
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(|p| p.into_inner());
        *now += by;
    }

    /// Sets the clock.
    pub fn set(&self, to: DateTime<FixedOffset>) {
        *self.now.lock().unwrap_or_else(|p| p.into_inner()) = to;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<FixedOffset> {
        *self.now.lock().unwrap_or_else(|p| p.into_inner())
    }
}
