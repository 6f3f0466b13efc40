//! [`Value`]: a header value as the policy holds it and a decision carries
//! it: lent (`'static`, kept once for the process) or owned.

use std::fmt;

use http::HeaderValue;

/// A header value of a decision.
///
/// The policy's own values (`Access-Control-Expose-Headers`, `-Max-Age`)
/// are `Lent` when their text is kept for the process (see
/// `config::kept`): a decision carries a reference, and the value is made
/// only where it is written into the response. A value of the request
/// (the echoed `Origin`), a debug reason, or a policy value past the kept
/// texts' cap is `Owned`.
///
/// Why not clone the value into the decision: a clone is a call that
/// returns the value in memory, and the decision, moved right after, reads
/// it back before those writes have landed (a store-forwarding stall). A
/// reference is one register; the value is made once, where it is written.
/// Measured on an allowed request (`benches/overhead.rs`, interleaved
/// table): ~2 ns of ~65 ns of overhead, on top of the ~2.5 ns the kept
/// (`'static`) texts save by having no reference count.
#[derive(Clone)]
pub(crate) enum Value {
    /// A value kept for the process.
    Lent(&'static HeaderValue),
    /// A value of its own (a shared one: its clones count references).
    Owned(HeaderValue),
}

impl Value {
    /// The value, to read.
    #[inline]
    pub(crate) fn get(&self) -> &HeaderValue {
        match self {
            Value::Lent(v) => v,
            Value::Owned(v) => v,
        }
    }

    /// The value, to write into a response: a lent value is cloned here
    /// (its bytes are `'static`: no reference count).
    #[inline]
    pub(crate) fn into_header(self) -> HeaderValue {
        match self {
            Value::Lent(v) => v.clone(),
            Value::Owned(v) => v,
        }
    }
}

/// Equal when the values are: how a value is held does not matter.
impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        self.get() == other.get()
    }
}

impl Eq for Value {}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.get().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static KEPT: HeaderValue = HeaderValue::from_static("x-request-id");

    #[test]
    fn lent_and_owned_values_of_the_same_bytes_are_equal_and_write_alike() {
        let lent = Value::Lent(&KEPT);
        let owned = Value::Owned(HeaderValue::from_static("x-request-id"));
        assert_eq!(lent, owned);
        assert_eq!(format!("{lent:?}"), format!("{owned:?}"));
        assert_ne!(lent, Value::Owned(HeaderValue::from_static("x-other")));
        assert_eq!(lent.clone().into_header(), owned.clone().into_header());
        assert_eq!(lent.get(), "x-request-id");
    }
}
