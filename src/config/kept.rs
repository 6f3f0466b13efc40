//! The texts of the header values a compiled policy copies into responses
//! (`Access-Control-Expose-Headers` on every allowed answer,
//! `Access-Control-Max-Age` on every allowed preflight, debug mode's
//! lists), kept once per distinct text for the life of the process, so
//! that the values are `'static` and a decision only lends them
//! ([`Value::Lent`]).
//!
//! Why: a request puts such a value into its response. Cloning a shared
//! value increments an atomic reference count (and dropping the response
//! decrements it), on a cache line every request of every core touches:
//! ~2.5 ns of the ~70 ns an allowed request cost, ~3.5 ns of a preflight's
//! (`benches/overhead.rs`, interleaved table).
//! A kept value is lent to the decision (a reference) and cloned only into
//! the response, where a `'static` clone is a copy.
//!
//! Bounded: a text is kept once, however many policies use it (a
//! `reconfigure` that keeps its lists keeps no new text), and at most
//! [`CAP`] bytes are kept in all. Past that, a value is shared as before:
//! the same bytes on the wire, an atomic increment per clone.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use http::HeaderValue;

use crate::protocol::Value;

/// The most bytes of text kept for the process (the lists of a policy are
/// tens of bytes; this is thousands of distinct lists).
pub(crate) const CAP: usize = 64 * 1024;

struct Kept {
    values: BTreeMap<&'static str, &'static HeaderValue>,
    bytes: usize,
}

static KEPT: Mutex<Kept> = Mutex::new(Kept {
    values: BTreeMap::new(),
    bytes: 0,
});

/// The header value of `text`: lent when `text` is kept (or can be),
/// owned and shared otherwise; `None` when `text` is not a valid header
/// value ([RFC 9110 §5.5](https://www.rfc-editor.org/rfc/rfc9110#section-5.5)).
pub(crate) fn header_value(text: &str) -> Option<Value> {
    // What `HeaderValue::from_static` accepts (visible ASCII, space, tab):
    // checked first, so that it cannot panic. Anything else is validated
    // and shared.
    if !text
        .bytes()
        .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
    {
        return shared(text);
    }
    // Never poisoned by this module (nothing here panics while it holds the
    // lock); if it were, the set is still consistent.
    let mut kept = KEPT.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(&v) = kept.values.get(text) {
        return Some(Value::Lent(v));
    }
    if kept.bytes.saturating_add(text.len()) > CAP {
        drop(kept);
        return shared(text);
    }
    let t: &'static str = Box::leak(Box::from(text));
    let v: &'static HeaderValue = Box::leak(Box::new(HeaderValue::from_static(t)));
    kept.bytes += t.len();
    kept.values.insert(t, v);
    Some(Value::Lent(v))
}

/// A value made once and shared by its clones (a reference count).
fn shared(text: &str) -> Option<Value> {
    let value = HeaderValue::from_str(text).ok()?;
    // The first clone makes the bytes shared; later clones only count.
    let shared = value.clone();
    Some(Value::Owned(shared))
}

/// How many bytes of text are kept (for tests).
#[cfg(test)]
fn kept_bytes() -> usize {
    KEPT.lock().unwrap_or_else(PoisonError::into_inner).bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_kept_once_and_its_values_are_the_same_bytes() {
        let text = "x-kept-once-test, x-request-id";
        let a = header_value(text).unwrap();
        let b = header_value(&String::from(text)).unwrap();
        assert!(matches!(a, Value::Lent(_)), "{a:?}");
        assert_eq!(a.get(), text);
        assert_eq!(b.get(), text);
        // The same kept value, not a copy.
        assert_eq!(a.get().as_bytes().as_ptr(), b.get().as_bytes().as_ptr());
        // Asked again and again (a `reconfigure` loop), still that one
        // text: a new copy would have an address of its own.
        for _ in 0..1000 {
            let again = header_value(text).unwrap();
            assert_eq!(again.get().as_bytes().as_ptr(), a.get().as_bytes().as_ptr());
        }
    }

    #[test]
    fn a_compiled_policy_lends_its_values_to_decisions() {
        let policy = crate::CorsLayer::builder()
            .allow_origins(["https://app.example.com"])
            .allow_methods(["PUT"])
            .allow_headers(["content-type"])
            .expose_headers(["X-Request-Id", "x-trace"])
            .max_age(std::time::Duration::from_secs(600))
            .debug(true)
            .compile()
            .unwrap();
        for value in [
            &policy.expose,
            &policy.max_age,
            &policy.debug_methods,
            &policy.debug_headers,
        ] {
            assert!(matches!(value, Some(Value::Lent(_))), "{value:?}");
        }
        assert_eq!(policy.expose.unwrap().get(), "x-request-id, x-trace");
        assert_eq!(policy.max_age.unwrap().get(), "600");
    }

    #[test]
    fn past_the_cap_a_value_is_shared_not_kept() {
        let long = "a".repeat(CAP + 1);
        let a = header_value(&long).unwrap();
        let b = header_value(&long).unwrap();
        assert_eq!(a.get().as_bytes(), long.as_bytes());
        // Not kept: two values of their own.
        assert!(matches!(b, Value::Owned(_)), "not lent");
        assert_ne!(a.get().as_bytes().as_ptr(), b.get().as_bytes().as_ptr());
        assert!(kept_bytes() <= CAP);
    }

    #[test]
    fn bytes_from_static_refuses_are_shared_never_a_panic() {
        // obs-text is a valid value `from_static` would panic on.
        let v = header_value("caf\u{e9}").unwrap();
        assert!(matches!(v, Value::Owned(_)));
        assert_eq!(v.get().as_bytes(), "caf\u{e9}".as_bytes());
        assert!(header_value("a\r\nb").is_none());
        assert!(header_value("a\0b").is_none());
        assert_eq!(header_value("").unwrap().get(), "");
    }
}
