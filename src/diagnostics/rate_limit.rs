//! Runtime state of the diagnostics: rate limits of events an attacker or a
//! busy page can trigger at will. Lives beside the policy cell, shared by a
//! layer, its services and its reload handle: a reload does not reset it.
//!
//! Each limit is a fixed window with a burst: at most `burst` events per
//! `window_secs` seconds, the others counted and the count reported (field
//! `suppressed`) on the next event admitted. Two atomics, no lock, no
//! allocation.
// Without the `tracing` feature no event is emitted, so none is limited.
#![cfg_attr(not(feature = "tracing"), allow(dead_code))]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use crate::protocol::Rejection;

/// Refusal events admitted per reason and window.
pub(crate) const REFUSAL_BURST: u32 = 10;
/// The refusal events' window, in seconds.
pub(crate) const REFUSAL_WINDOW_SECS: u64 = 60;

/// The diagnostics' runtime state.
#[derive(Debug)]
pub(crate) struct Runtime {
    /// At most one cookie-audit warning a minute.
    pub(crate) cookie_warnings: RateLimit,
    /// Refusal events, one limit per reason ([`Rejection::index`]), so that a
    /// flood of one kind cannot hide another.
    refusals: [RateLimit; Rejection::SLOTS],
    /// Requests with several `Origin` headers (not a refusal: not CORS).
    multiple_origins: RateLimit,
}

impl Runtime {
    pub(crate) fn new() -> Self {
        let refusal = || RateLimit::new(REFUSAL_WINDOW_SECS, REFUSAL_BURST);
        Runtime {
            cookie_warnings: RateLimit::new(60, 1),
            refusals: std::array::from_fn(|_| refusal()),
            multiple_origins: refusal(),
        }
    }

    /// The limit of refusal events for `reason`.
    pub(crate) fn refusals(&self, reason: Rejection) -> &RateLimit {
        // `index` is below `SLOTS` (a unit test of `Rejection` says so); the
        // last slot stands in rather than panic should one ever not be.
        let last = &self.refusals[Rejection::SLOTS - 1];
        self.refusals.get(reason.index()).unwrap_or(last)
    }

    /// The limit of "several `Origin` headers" events.
    pub(crate) fn multiple_origins(&self) -> &RateLimit {
        &self.multiple_origins
    }
}

/// At most `burst` events per window, with a count of those held back.
#[derive(Debug)]
pub(crate) struct RateLimit {
    start: Instant,
    /// `(window number + 1) << 32 | events admitted in that window`
    /// (0: none yet).
    state: AtomicU64,
    suppressed: AtomicU64,
    window_secs: u64,
    burst: u32,
}

impl RateLimit {
    pub(crate) fn new(window_secs: u64, burst: u32) -> Self {
        RateLimit {
            start: Instant::now(),
            state: AtomicU64::new(0),
            suppressed: AtomicU64::new(0),
            window_secs: window_secs.max(1),
            burst,
        }
    }

    /// `Some(held back since the last one)` when an event may be emitted now.
    pub(crate) fn admit(&self) -> Option<u64> {
        self.admit_at(self.start.elapsed().as_secs())
    }

    /// [`admit`](Self::admit) at `secs` seconds after the limit was made.
    fn admit_at(&self, secs: u64) -> Option<u64> {
        let window = (secs / self.window_secs + 1) & 0xFFFF_FFFF;
        let mut current = self.state.load(Ordering::Relaxed);
        loop {
            let (seen, count) = (current >> 32, current & 0xFFFF_FFFF);
            let next = if seen != window {
                (window << 32) | 1
            } else if count < u64::from(self.burst) {
                current + 1
            } else {
                self.suppressed.fetch_add(1, Ordering::Relaxed);
                return None;
            };
            match self.state.compare_exchange_weak(
                current,
                next,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Some(self.suppressed.swap(0, Ordering::Relaxed)),
                Err(actual) => current = actual,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_admits_one_per_window() {
        let l = RateLimit::new(60, 1);
        assert_eq!(l.admit(), Some(0));
        assert_eq!(l.admit(), None);
        assert_eq!(l.admit(), None);
        assert_eq!(l.suppressed.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn a_burst_per_window_then_the_count_held_back() {
        let l = RateLimit::new(60, 3);
        for _ in 0..3 {
            assert_eq!(l.admit_at(5), Some(0));
        }
        for _ in 0..7 {
            assert_eq!(l.admit_at(59), None);
        }
        // Next window: the first event carries the 7 held back.
        assert_eq!(l.admit_at(60), Some(7));
        assert_eq!(l.admit_at(61), Some(0));
        assert_eq!(l.admit_at(119), Some(0));
        assert_eq!(l.admit_at(119), None);
        assert_eq!(l.admit_at(600), Some(1));
    }

    #[test]
    fn each_reason_has_its_own_limit() {
        let rt = Runtime::new();
        let origin = rt.refusals(Rejection::OriginNotAllowed);
        for _ in 0..REFUSAL_BURST {
            assert!(origin.admit().is_some());
        }
        assert!(origin.admit().is_none());
        assert_eq!(rt.refusals(Rejection::MalformedHeaders).admit(), Some(0));
        assert_eq!(rt.multiple_origins().admit(), Some(0));
    }
}
