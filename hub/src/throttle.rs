//! Attempts counted per client address in fixed windows: failed authentications (a token or
//! secret guessed at thousands a second) and registrations. An address over its allowance is
//! answered 429 with the seconds to wait, before any token is looked up or any body read.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::HubError;

/// Addresses remembered at most; past this, expired windows are dropped (a flood of addresses
/// cannot grow the table without bound: a full table of live windows refuses new addresses).
const MAX_ADDRESSES: usize = 65_536;

/// An allowance of `limit` attempts per `window` for each client address.
pub struct Throttle {
    what: &'static str,
    limit: u32,
    window: Duration,
    windows: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl Throttle {
    /// `limit` attempts of `what` (for messages, e.g. "failed authentications") per `window`.
    pub fn new(what: &'static str, limit: u32, window: Duration) -> Self {
        Self {
            what,
            limit,
            window,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Refuses an address that used its allowance in the current window.
    pub fn check(&self, address: IpAddr) -> Result<(), HubError> {
        let windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        match windows.get(&address) {
            Some((start, count)) if *count >= self.limit && start.elapsed() < self.window => {
                Err(self.refusal(address, *start))
            }
            _ => Ok(()),
        }
    }

    /// Counts one attempt of the address.
    pub fn count(&self, address: IpAddr) {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() >= MAX_ADDRESSES && !windows.contains_key(&address) {
            let window = self.window;
            windows.retain(|_, (start, _)| start.elapsed() < window);
        }
        if windows.len() >= MAX_ADDRESSES && !windows.contains_key(&address) {
            return;
        }
        let entry = windows.entry(address).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= self.window {
            *entry = (Instant::now(), 0);
        }
        entry.1 = entry.1.saturating_add(1);
    }

    /// Checks and counts in one step (every attempt counts, e.g. registrations).
    pub fn take(&self, address: IpAddr) -> Result<(), HubError> {
        self.check(address)?;
        self.count(address);
        Ok(())
    }

    fn refusal(&self, address: IpAddr, start: Instant) -> HubError {
        let left = self.window.saturating_sub(start.elapsed());
        HubError::TooManyAttempts {
            what: self.what,
            address: address.to_string(),
            retry_after: left.as_secs().max(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_over_its_allowance_waits_and_others_do_not() {
        let throttle = Throttle::new("failed authentications", 3, Duration::from_secs(60));
        let a: IpAddr = "10.0.0.1".parse().unwrap_or(IpAddr::from([10, 0, 0, 1]));
        let b: IpAddr = IpAddr::from([10, 0, 0, 2]);
        for _ in 0..3 {
            assert!(throttle.check(a).is_ok());
            throttle.count(a);
        }
        let refused = throttle.check(a).err().map(|e| e.to_string());
        assert!(
            refused
                .as_deref()
                .is_some_and(|m| m.starts_with("too many failed authentications from 10.0.0.1")),
            "{refused:?}"
        );
        assert!(throttle.check(b).is_ok());
    }

    #[test]
    fn a_new_window_gives_a_new_allowance() {
        let throttle = Throttle::new("registrations", 1, Duration::from_millis(20));
        let a = IpAddr::from([10, 0, 0, 1]);
        assert!(throttle.take(a).is_ok());
        assert!(throttle.take(a).is_err());
        std::thread::sleep(Duration::from_millis(30));
        assert!(throttle.take(a).is_ok());
    }
}
