//! Debug mode's explanation of a refusal, and request bytes shown safely.

use std::fmt;

use http::HeaderValue;

use super::facts::Facts;
use super::rejection::Rejection;

/// Longest slice of request bytes put in an event or a debug header.
const MAX_SHOWN: usize = 256;

/// Request bytes as printable, escaped, bounded text (no allocation).
pub(crate) struct Shown<'a>(pub(crate) &'a [u8]);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = &self.0[..self.0.len().min(MAX_SHOWN)];
        write!(f, "{}", bytes.escape_ascii())?;
        if self.0.len() > MAX_SHOWN {
            write!(f, "...({} bytes)", self.0.len())?;
        }
        Ok(())
    }
}

/// The value of the debug-mode reason header, e.g.
/// `header_not_allowed: x-custom`.
pub(crate) fn reason_value(facts: &Facts<'_>, rejection: Rejection) -> HeaderValue {
    let detail: Option<&[u8]> = match rejection {
        Rejection::OriginNotAllowed => facts.origin.map(|o| o.as_bytes()),
        Rejection::MethodNotAllowed | Rejection::InvalidMethod => {
            facts.requested_method.map(|m| m.as_bytes())
        }
        Rejection::HeaderNotAllowed => facts.offending_header,
        Rejection::MalformedHeaders => None,
        Rejection::CsrfCrossSite => {
            let site = facts.sec_fetch_site.map_or(&[][..], |s| s.as_bytes());
            let origin = facts.origin.map_or(&b"(none)"[..], |o| o.as_bytes());
            let text = format!(
                "{}: sec-fetch-site={} origin={}",
                rejection.code(),
                Shown(site),
                Shown(origin)
            );
            return HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static("refused"));
        }
        Rejection::CsrfOriginMismatch => facts.origin.map(|o| o.as_bytes()),
        Rejection::CsrfNullOrigin => None,
    };
    let text = match detail {
        Some(d) => format!("{}: {}", rejection.code(), Shown(d)),
        None => rejection.code().to_owned(),
    };
    HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static("refused"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_is_escaped_and_bounded() {
        assert_eq!(Shown(b"a\nb\xff").to_string(), "a\\nb\\xff");
        let long = vec![b'x'; 300];
        let s = Shown(&long).to_string();
        assert!(s.ends_with("...(300 bytes)"), "{s}");
        assert!(s.len() < 300);
    }
}
