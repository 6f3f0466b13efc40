//! URL helpers for [§HTTP-redirect fetch](https://fetch.spec.whatwg.org/#http-redirect-fetch):
//! resolving `Location`, and comparing origins.

use http::Uri;

/// A redirect status (§HTTP-redirect fetch: 301, 302, 303, 307, 308).
pub(crate) fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// The serialised origin of an absolute URL (`scheme://host[:port]`, lower
/// case, default port left out), or `None` if it has no scheme or host.
pub(crate) fn url_origin(url: &str) -> Option<String> {
    let uri: Uri = url.parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let host = uri.host()?.to_ascii_lowercase();
    let default = match scheme.as_str() {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    };
    Some(match uri.port_u16() {
        Some(p) if Some(p) != default => format!("{scheme}://{host}:{p}"),
        _ => format!("{scheme}://{host}"),
    })
}

/// Whether the URL's authority carries a user name or password.
pub(crate) fn has_credentials(url: &str) -> bool {
    url.parse::<Uri>()
        .ok()
        .and_then(|u| u.authority().map(|a| a.as_str().contains('@')))
        .unwrap_or(false)
}

/// Resolves a `Location` value against the current URL (absolute,
/// scheme-relative, absolute-path and relative-path references; query and
/// fragment kept as written). `None` when the result is not an absolute URL.
pub(crate) fn resolve(base: &str, location: &str) -> Option<String> {
    let location = location.trim();
    if location.is_empty() {
        return None;
    }
    let base_uri: Uri = base.parse().ok()?;
    let scheme = base_uri.scheme_str()?;
    let authority = base_uri.authority()?.as_str();
    let joined = if location.contains("://") {
        location.to_string()
    } else if let Some(rest) = location.strip_prefix("//") {
        format!("{scheme}://{rest}")
    } else if location.starts_with('/') {
        format!("{scheme}://{authority}{location}")
    } else if location.starts_with('?') {
        format!("{scheme}://{authority}{}{location}", base_uri.path())
    } else {
        let path = base_uri.path();
        let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
        let dir = if dir.is_empty() { "/" } else { dir };
        format!("{scheme}://{authority}{dir}{location}")
    };
    let uri: Uri = joined.parse().ok()?;
    (uri.scheme().is_some() && uri.authority().is_some()).then_some(joined)
}

/// The scheme of an absolute URL, lower case.
pub(crate) fn scheme(url: &str) -> Option<String> {
    let i = url.find("://")?;
    Some(url[..i].to_ascii_lowercase())
}
