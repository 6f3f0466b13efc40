//! URL helpers for [§HTTP-redirect fetch](https://fetch.spec.whatwg.org/#http-redirect-fetch):
//! resolving `Location`, and comparing origins.

use http::Uri;

use super::{console_line, Blocked};
use crate::request::FetchRequest;
use crate::syntax::normalize_method;

/// One hop's state: the request as it stands after the redirects so far.
pub(crate) struct Hop {
    /// The request of this hop (URL, method, headers and origin as the
    /// redirects left them).
    pub req: FetchRequest,
    /// The URL the script asked for, once redirected.
    pub redirected_from: Option<String>,
    /// The page's origin, as the script's request had it.
    pub page_origin: String,
}

/// A redirect status (§HTTP-redirect fetch: 301, 302, 303, 307, 308).
pub(crate) fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// The serialised origin of an absolute URL (`scheme://host[:port]`, lower
/// case, default port left out), or `None` if it has no scheme or host:
/// what a browser sends as `Origin` for a page at `url`
/// ([§Origin header](https://fetch.spec.whatwg.org/#origin-header)).
///
/// ```
/// use strict_cors_model::doctor::url_origin;
///
/// assert_eq!(url_origin("HTTPS://App.example.com:443/x").as_deref(), Some("https://app.example.com"));
/// assert_eq!(url_origin("app.example.com"), None);
/// ```
pub fn url_origin(url: &str) -> Option<String> {
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

pub(crate) fn redirect_block(hop: &Hop, code: &'static str, summary: String) -> Blocked {
    Blocked {
        code,
        in_preflight: false,
        summary,
        console: console_line(
            &hop.req.url,
            None,
            &hop.page_origin,
            match code {
                "redirect_with_credentials_in_url" => "Redirect location contains a username and password, which is disallowed for cross-origin requests.",
                _ => "Redirect failed.",
            },
        ),
        fix: "request the final URL directly, or fix the Location header".to_string(),
        builder: None,
    }
}

/// §HTTP-redirect fetch for one hop: updates `hop` to the redirected
/// request and returns the step's text, or why the browser stops.
pub(crate) fn follow(
    hop: &mut Hop,
    location: &str,
    status: u16,
    initial_url: &str,
    page_origin: &str,
) -> Result<String, Blocked> {
    let Some(next) = resolve(&hop.req.url, location) else {
        return Err(redirect_block(
            hop,
            "redirect_invalid_location",
            format!("the redirect's Location ({location}) is not a URL"),
        ));
    };
    if !matches!(scheme(&next).as_deref(), Some("http" | "https")) {
        return Err(redirect_block(
            hop,
            "redirect_not_http",
            format!("the redirect goes to {next}, which is not http(s)"),
        ));
    }
    if has_credentials(&next) {
        return Err(redirect_block(
            hop,
            "redirect_with_credentials_in_url",
            format!("the redirect's location {next} has a user name or password"),
        ));
    }
    let mut notes = Vec::new();
    let method = normalize_method(&hop.req.method);
    if status == 303 && method != "GET" && method != "HEAD"
        || (matches!(status, 301 | 302) && method == "POST")
    {
        hop.req.method = "GET".to_string();
        hop.req.headers.retain(|(n, _)| {
            !matches!(
                n.to_ascii_lowercase().as_str(),
                "content-encoding" | "content-language" | "content-location" | "content-type"
            )
        });
        notes.push(format!("{method} becomes GET"));
    }
    let here = url_origin(&hop.req.url);
    let there = url_origin(&next);
    if here != there {
        if hop
            .req
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("authorization"))
        {
            hop.req
                .headers
                .retain(|(n, _)| !n.eq_ignore_ascii_case("authorization"));
            notes.push("authorization dropped".to_string());
        }
        if here.as_deref() != Some(page_origin) && hop.req.origin != "null" {
            hop.req.origin = "null".to_string();
            notes.push("cross-origin hop: Origin becomes null".to_string());
        }
    }
    let text = format!(
        "redirect {status} -> {next}{}",
        if notes.is_empty() {
            String::new()
        } else {
            format!(" ({})", notes.join("; "))
        }
    );
    hop.req.url = next;
    hop.redirected_from = Some(initial_url.to_string());
    Ok(text)
}
