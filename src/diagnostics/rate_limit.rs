//! Runtime state of the diagnostics: rate limits of events an attacker or a
//! busy page can trigger at will. Lives beside the policy cell, shared by a
//! layer, its services and its reload handle: a reload does not reset it.
// Without the `tracing` feature no event is emitted, so none is limited.
#![cfg_attr(not(feature = "tracing"), allow(dead_code))]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// The diagnostics' runtime state.
#[derive(Debug)]
pub(crate) struct Runtime {
    /// At most one cookie-audit warning a minute.
    pub(crate) cookie_warnings: RateLimit,
}

impl Runtime {
    pub(crate) fn new() -> Self {
        Runtime {
            cookie_warnings: RateLimit::new(60),
        }
    }
}

/// At most one cookie warning per window, with a count of those held back.
#[derive(Debug)]
pub(crate) struct RateLimit {
    start: Instant,
    /// Seconds since `start` before which no event is emitted (+1, 0 = none yet).
    next: AtomicU64,
    suppressed: AtomicU64,
    window_secs: u64,
}

impl RateLimit {
    pub(crate) fn new(window_secs: u64) -> Self {
        RateLimit {
            start: Instant::now(),
            next: AtomicU64::new(0),
            suppressed: AtomicU64::new(0),
            window_secs,
        }
    }

    /// `Some(held back since the last one)` when an event may be emitted now.
    pub(crate) fn admit(&self) -> Option<u64> {
        let now = self.start.elapsed().as_secs() + 1;
        let next = self.next.load(Ordering::Relaxed);
        if now >= next
            && self
                .next
                .compare_exchange(
                    next,
                    now + self.window_secs,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
                .is_ok()
        {
            return Some(self.suppressed.swap(0, Ordering::Relaxed));
        }
        self.suppressed.fetch_add(1, Ordering::Relaxed);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_admits_one_per_window() {
        let l = RateLimit::new(60);
        assert_eq!(l.admit(), Some(0));
        assert_eq!(l.admit(), None);
        assert_eq!(l.admit(), None);
        assert_eq!(l.suppressed.load(Ordering::Relaxed), 2);
    }
}
