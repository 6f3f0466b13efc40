//! Schemes of configured origins: `http` and `https`, the app and extension
//! schemes whose embedders send `scheme://host` as `Origin`, and the hints
//! for everything else.
//!
//! By the URL standard, a URL of any other scheme has an opaque origin
//! (<https://url.spec.whatwg.org/#concept-url-origin>), serialised as `null`
//! (<https://html.spec.whatwg.org/multipage/browsers.html#ascii-serialisation-of-an-origin>):
//! such an origin in the allowlist could never match.

use crate::edit_distance::distance;

/// The app and extension schemes accepted as exact origins.
pub(crate) const APP_SCHEMES: [&str; 6] = [
    "tauri",
    "capacitor",
    "ionic",
    "chrome-extension",
    "moz-extension",
    "safari-web-extension",
];

/// Schemes whose documents send `Origin: null` or no `Origin` at all.
pub(crate) const OPAQUE_SCHEMES: [&str; 4] = ["data", "blob", "about", "javascript"];

/// What a configured scheme is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    Http,
    Https,
    /// One of [`APP_SCHEMES`].
    App(&'static str),
}

/// A URL scheme token: a letter, then letters, digits, `+`, `-`, `.`
/// (<https://url.spec.whatwg.org/#scheme-state>).
pub(crate) fn is_scheme_token(s: &str) -> bool {
    let mut bytes = s.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// The scheme for a scheme name (any case), when accepted.
pub(crate) fn classify(name: &str) -> Option<Scheme> {
    if name.eq_ignore_ascii_case("https") {
        Some(Scheme::Https)
    } else if name.eq_ignore_ascii_case("http") {
        Some(Scheme::Http)
    } else {
        APP_SCHEMES
            .iter()
            .find(|s| s.eq_ignore_ascii_case(name))
            .map(|s| Scheme::App(s))
    }
}

/// `http` or `https` when `lower` is a near miss of one of them (`htps`,
/// `hhtp`, `htttps`, `ws`/`wss`, whose page origin is http(s)).
pub(crate) fn near_miss(lower: &str) -> Option<&'static str> {
    match lower {
        "ws" => return Some("http"),
        "wss" => return Some("https"),
        _ => {}
    }
    let to_http = distance(lower.as_bytes(), b"http");
    let to_https = distance(lower.as_bytes(), b"https");
    let limit = if lower.len() >= 5 { 2 } else { 1 };
    if to_https <= limit && to_https <= to_http {
        Some("https")
    } else if to_http <= limit {
        Some("http")
    } else {
        None
    }
}

/// A Chrome extension id: 32 letters `a` to `p` (the extension's public key
/// hash, written in the letters a–p; shown on `chrome://extensions`).
pub(crate) fn is_chrome_extension_id(host: &str) -> bool {
    host.len() == 32 && host.bytes().all(|b| (b'a'..=b'p').contains(&b))
}

/// A Firefox internal UUID as Firefox writes it in `moz-extension://`
/// origins: lower-case hex, 8-4-4-4-12 (shown on `about:debugging`).
pub(crate) fn is_moz_extension_uuid(host: &str) -> bool {
    let groups: Vec<&str> = host.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| {
            g.len() == n
                && g.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses() {
        for (s, want) in [
            ("htps", Some("https")),
            ("hhtp", Some("http")),
            ("htp", Some("http")),
            ("htttps", Some("https")),
            ("htpts", Some("https")),
            ("https", Some("https")),
            ("wss", Some("https")),
            ("ws", Some("http")),
            ("ftp", None),
            ("myapp", None),
            ("tauri", None),
        ] {
            assert_eq!(near_miss(s), want, "{s}");
        }
    }

    #[test]
    fn extension_ids() {
        assert!(is_chrome_extension_id("abcdefghijklmnopabcdefghijklmnop"));
        assert!(!is_chrome_extension_id("abcdefghijklmnopabcdefghijklmnoq"));
        assert!(!is_chrome_extension_id("abcdefghijklmnop"));
        assert!(is_moz_extension_uuid(
            "2c127fa4-62c7-7e4f-90e5-472b45eecfdc"
        ));
        assert!(!is_moz_extension_uuid(
            "2C127FA4-62C7-7E4F-90E5-472B45EECFDC"
        ));
        assert!(!is_moz_extension_uuid("addon@example.com"));
        assert!(is_scheme_token("chrome-extension"));
        assert!(!is_scheme_token("1abc"));
        assert!(!is_scheme_token(""));
    }
}
