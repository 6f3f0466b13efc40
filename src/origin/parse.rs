//! Parsing and normalising configured origins.
//!
//! A browser serialises an origin as `scheme://host[:port]`
//! ([HTML, "ASCII serialization of an origin"](https://html.spec.whatwg.org/multipage/browsers.html#ascii-serialisation-of-an-origin);
//! [RFC 6454 §6.2](https://www.rfc-editor.org/rfc/rfc6454#section-6.2)), hosts as the
//! [URL standard's host parser](https://url.spec.whatwg.org/#host-parsing) leaves them:
//! lower-case scheme and host, no default
//! port, no trailing slash, IPv6 in compressed brackets, punycode hosts. The
//! configuration is normalised to exactly that form once, at `build()`, so
//! that matching a request is a byte-exact hash lookup.

use std::fmt::Write;
use std::net::Ipv6Addr;

use super::host::{parse_host, Host};
use super::scheme::{
    classify, is_chrome_extension_id, is_moz_extension_uuid, is_scheme_token, near_miss, Scheme,
    OPAQUE_SCHEMES,
};
use crate::error::{ConfigProblem, OriginDefect};

/// A configured origin, parsed and normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParsedOrigin {
    /// The ASCII serialisation browsers send, e.g. `https://app.example.com`.
    pub(crate) serialized: String,
    /// Not network-insecure: `https`, or an app or extension scheme.
    pub(crate) secure: bool,
    /// Loopback host: `localhost`, `*.localhost`, `127.0.0.0/8`, `[::1]`.
    /// ([potentially trustworthy](https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy)
    /// over plain `http`).
    pub(crate) loopback: bool,
    /// An app or extension scheme (`tauri`, `chrome-extension`, …).
    pub(crate) app: bool,
}

/// Parses one configured origin (not `*`) into its browser serialisation.
pub(crate) fn parse_origin(input: &str) -> Result<ParsedOrigin, ConfigProblem> {
    let invalid = |defect, suggestion: Option<String>| ConfigProblem::InvalidOrigin {
        value: input.to_owned(),
        defect,
        suggestion,
    };
    if input.is_empty() {
        return Err(invalid(OriginDefect::Empty, None));
    }
    if input.eq_ignore_ascii_case("null") {
        return Err(ConfigProblem::NullOrigin {
            value: input.to_owned(),
        });
    }
    if input.chars().any(|c| c.is_whitespace() || c.is_control()) {
        let trimmed: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_control())
            .collect();
        let suggestion = parse_origin(&trimmed).ok().map(|o| o.serialized);
        return Err(invalid(OriginDefect::Whitespace, suggestion));
    }
    // `file:`, `data:`, `blob:`, `about:`, `javascript:`, with or without `//`.
    if let Some((scheme, rest)) = input.split_once(':') {
        let opaque = OPAQUE_SCHEMES
            .iter()
            .find(|s| s.eq_ignore_ascii_case(scheme));
        if scheme.eq_ignore_ascii_case("file") {
            return Err(ConfigProblem::FileOrigin {
                value: input.to_owned(),
            });
        }
        if let Some(&lower) = opaque {
            // A blob: URL's origin is that of the page that made it.
            let suggestion = (lower == "blob")
                .then(|| rest.split_once("://"))
                .flatten()
                .and_then(|(inner, after)| {
                    let host = after.split(['/', '?', '#']).next().unwrap_or_default();
                    parse_origin(&format!("{inner}://{host}")).ok()
                })
                .map(|o| o.serialized);
            return Err(ConfigProblem::OpaqueSchemeOrigin {
                value: input.to_owned(),
                scheme: lower.to_owned(),
                suggestion,
            });
        }
    }
    if input.contains('*') {
        return Err(ConfigProblem::PatternInExactOrigins {
            value: input.to_owned(),
        });
    }
    let Some((scheme, rest)) = input.split_once("://") else {
        return Err(missing_separator(input));
    };
    let Some(scheme) = classify(scheme) else {
        let suggestion = near_miss(&scheme.to_ascii_lowercase())
            .and_then(|fixed| parse_origin(&format!("{fixed}://{rest}")).ok())
            .map(|o| o.serialized);
        return Err(invalid(OriginDefect::UnsupportedScheme, suggestion));
    };
    let scheme_name = match scheme {
        Scheme::Http => "http",
        Scheme::Https => "https",
        Scheme::App(name) => name,
    };

    // Split the authority from anything after it; everything after it is a
    // mistake, and the authority alone is probably what was meant.
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if !tail.is_empty() {
        let defect = match tail.as_bytes()[0] {
            b'?' => OriginDefect::Query,
            b'#' => OriginDefect::Fragment,
            _ => OriginDefect::Path,
        };
        let suggestion = parse_origin(&format!("{scheme_name}://{authority}"))
            .ok()
            .map(|o| o.serialized);
        return Err(invalid(defect, suggestion));
    }
    if let Some((_, host_port)) = authority.rsplit_once('@') {
        let suggestion = parse_origin(&format!("{scheme_name}://{host_port}"))
            .ok()
            .map(|o| o.serialized);
        return Err(invalid(OriginDefect::Userinfo, suggestion));
    }
    if let Scheme::App(name) = scheme {
        return parse_app_origin(input, name, authority);
    }
    let secure = scheme == Scheme::Https;

    // Host and port.
    let (host, port) = if let Some(after_bracket) = authority.strip_prefix('[') {
        let Some((v6, after)) = after_bracket.split_once(']') else {
            return Err(invalid(OriginDefect::InvalidIpv6, None));
        };
        let port = match after {
            "" => None,
            p => match p.strip_prefix(':') {
                Some(p) => Some(p),
                None => return Err(invalid(OriginDefect::InvalidIpv6, None)),
            },
        };
        let addr: Ipv6Addr = v6
            .parse()
            .map_err(|_| invalid(OriginDefect::InvalidIpv6, None))?;
        (Host::V6(addr), port)
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        if host.is_empty() {
            return Err(invalid(OriginDefect::EmptyHost, None));
        }
        if !host.is_ascii() {
            return Err(ConfigProblem::NonAsciiHost {
                value: input.to_owned(),
            });
        }
        (parse_host(host).map_err(|d| invalid(d, None))?, port)
    };

    let default = if secure { 443 } else { 80 };
    let port = match port {
        None => None,
        Some(p) => {
            let n = parse_port(p).ok_or_else(|| invalid(OriginDefect::InvalidPort, None))?;
            (n != default).then_some(n)
        }
    };

    let mut serialized = String::with_capacity(input.len());
    serialized.push_str(scheme_name);
    serialized.push_str("://");
    host.serialize(&mut serialized);
    if let Some(port) = port {
        // Writing to a `String` cannot fail.
        let _ = write!(serialized, ":{port}");
    }
    Ok(ParsedOrigin {
        serialized,
        secure,
        loopback: host.is_loopback(),
        app: false,
    })
}

/// A port as the URL parser reads it (<https://url.spec.whatwg.org/#port-state>):
/// ASCII digits, leading zeros allowed, at most 65535; 0 is refused, since no
/// browser ever sends it.
pub(crate) fn parse_port(p: &str) -> Option<u16> {
    if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = p.trim_start_matches('0');
    if digits.len() > 5 {
        return None;
    }
    match digits.parse::<u32>() {
        Ok(n @ 1..=65535) => u16::try_from(n).ok(),
        _ => None,
    }
}

/// An origin of an app or extension scheme: `scheme://host[:port]`. Its host
/// is an opaque host (<https://url.spec.whatwg.org/#concept-opaque-host-parser>):
/// kept byte for byte as written, since the embedder sends it as it is.
fn parse_app_origin(
    input: &str,
    scheme: &'static str,
    authority: &str,
) -> Result<ParsedOrigin, ConfigProblem> {
    let invalid = |defect, suggestion: Option<String>| ConfigProblem::InvalidOrigin {
        value: input.to_owned(),
        defect,
        suggestion,
    };
    let (host, port) = match authority.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    };
    if host.is_empty() {
        return Err(invalid(OriginDefect::EmptyHost, None));
    }
    if !host.is_ascii() {
        return Err(ConfigProblem::NonAsciiHost {
            value: input.to_owned(),
        });
    }
    let valid = host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_');
    if !valid || host.starts_with('.') || host.ends_with('.') || host.contains("..") {
        return Err(invalid(OriginDefect::InvalidHost, None));
    }
    super::host::check_domain(&host.to_ascii_lowercase()).map_err(|d| invalid(d, None))?;
    let port = match port {
        None => String::new(),
        Some(p) => match parse_port(p) {
            Some(n) => format!(":{n}"),
            None => return Err(invalid(OriginDefect::InvalidPort, None)),
        },
    };
    let lower = host.to_ascii_lowercase();
    let (checked, defect) = match scheme {
        "chrome-extension" => (
            is_chrome_extension_id(host),
            OriginDefect::InvalidChromeExtensionId,
        ),
        "moz-extension" => (
            is_moz_extension_uuid(host),
            OriginDefect::InvalidMozExtensionId,
        ),
        _ => (true, OriginDefect::InvalidHost),
    };
    if !checked {
        let fixed_ok = match scheme {
            "chrome-extension" => is_chrome_extension_id(&lower),
            _ => is_moz_extension_uuid(&lower),
        };
        let suggestion = fixed_ok.then(|| format!("{scheme}://{lower}{port}"));
        return Err(invalid(defect, suggestion));
    }
    Ok(ParsedOrigin {
        serialized: format!("{scheme}://{host}{port}"),
        secure: true,
        loopback: false,
        app: true,
    })
}

/// An origin without `://`: `app.example.com`, `http:/a.com`, `https:a.com`.
fn missing_separator(input: &str) -> ConfigProblem {
    let invalid = |defect, suggestion: Option<String>| ConfigProblem::InvalidOrigin {
        value: input.to_owned(),
        defect,
        suggestion,
    };
    if let Some((scheme, rest)) = input.split_once(':') {
        let lower = scheme.to_ascii_lowercase();
        let fixed = match classify(&lower) {
            Some(Scheme::Http) => Some("http"),
            Some(Scheme::Https) => Some("https"),
            Some(Scheme::App(name)) => Some(name),
            None => near_miss(&lower),
        };
        if is_scheme_token(scheme) && !rest.starts_with(|c: char| c.is_ascii_digit()) {
            if let Some(fixed) = fixed {
                let rest = rest.trim_start_matches(['/', '\\']);
                let suggestion = parse_origin(&format!("{fixed}://{rest}"))
                    .ok()
                    .map(|o| o.serialized);
                return invalid(OriginDefect::SchemeSeparator, suggestion);
            }
        }
        return invalid(OriginDefect::MissingScheme, None);
    }
    // `https//app.example.com`: the colon is missing.
    let lower = input.to_ascii_lowercase();
    for scheme in ["https", "http"] {
        if let Some(rest) = lower
            .strip_prefix(scheme)
            .and_then(|r| r.strip_prefix("//"))
        {
            let suggestion = parse_origin(&format!(
                "{scheme}://{}",
                &input[input.len() - rest.len()..]
            ))
            .ok()
            .map(|o| o.serialized);
            return invalid(OriginDefect::SchemeSeparator, suggestion);
        }
    }
    let suggestion = parse_origin(&format!("https://{input}"))
        .ok()
        .map(|o| o.serialized);
    invalid(OriginDefect::MissingScheme, suggestion)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> String {
        match parse_origin(s) {
            Ok(o) => o.serialized,
            Err(e) => panic!("{s}: {e}"),
        }
    }

    fn defect(s: &str) -> (OriginDefect, Option<String>) {
        match parse_origin(s) {
            Err(ConfigProblem::InvalidOrigin {
                defect, suggestion, ..
            }) => (defect, suggestion),
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn normalises_case_and_default_ports() {
        assert_eq!(ok("HTTPS://App.Example.COM"), "https://app.example.com");
        assert_eq!(ok("https://a.com:443"), "https://a.com");
        assert_eq!(ok("http://a.com:80"), "http://a.com");
        assert_eq!(ok("http://a.com:443"), "http://a.com:443");
        assert_eq!(ok("https://a.com:80"), "https://a.com:80");
        assert_eq!(ok("http://localhost:03000"), "http://localhost:3000");
        assert_eq!(ok("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(ok("http://[0:0:0:0:0:0:0:1]:8080"), "http://[::1]:8080");
        assert_eq!(ok("https://[2001:DB8::1]"), "https://[2001:db8::1]");
        assert_eq!(ok("https://[::ffff:1.2.3.4]"), "https://[::ffff:102:304]");
        assert_eq!(ok("https://[1:0:0:2:0:0:0:3]"), "https://[1:0:0:2::3]");
        assert_eq!(ok("https://[1:0:2:3:4:5:6:7]"), "https://[1:0:2:3:4:5:6:7]");
    }

    #[test]
    fn rejects_paths_with_a_hint() {
        assert_eq!(
            defect("https://app.example.com/"),
            (OriginDefect::Path, Some("https://app.example.com".into()))
        );
        assert_eq!(
            defect("https://app.example.com/api?x#y"),
            (OriginDefect::Path, Some("https://app.example.com".into()))
        );
        assert_eq!(defect("https://a.com?x").0, OriginDefect::Query);
        assert_eq!(defect("https://a.com#x").0, OriginDefect::Fragment);
        assert_eq!(
            defect("https://user:pw@a.com"),
            (OriginDefect::Userinfo, Some("https://a.com".into()))
        );
        assert_eq!(
            defect(" https://a.com"),
            (OriginDefect::Whitespace, Some("https://a.com".into()))
        );
        assert_eq!(
            defect("app.example.com"),
            (
                OriginDefect::MissingScheme,
                Some("https://app.example.com".into())
            )
        );
    }

    #[test]
    fn rejects_malformed_hosts_and_ports() {
        assert_eq!(defect("").0, OriginDefect::Empty);
        assert_eq!(defect("https://").0, OriginDefect::EmptyHost);
        assert_eq!(defect("https://:443").0, OriginDefect::EmptyHost);
        assert_eq!(defect("https://a.com:").0, OriginDefect::InvalidPort);
        assert_eq!(defect("https://a.com:65536").0, OriginDefect::InvalidPort);
        assert_eq!(defect("https://a.com:12x").0, OriginDefect::InvalidPort);
        assert_eq!(defect("https://a.com:-1").0, OriginDefect::InvalidPort);
        assert_eq!(defect("https://a..com").0, OriginDefect::InvalidHost);
        assert_eq!(defect("https://a.com.").0, OriginDefect::InvalidHost);
        assert_eq!(defect("https://a%20b.com").0, OriginDefect::InvalidHost);
        assert_eq!(defect("https://127.1").0, OriginDefect::InvalidIpv4);
        assert_eq!(defect("https://256.0.0.1").0, OriginDefect::InvalidIpv4);
        assert_eq!(defect("https://0x7f.0.0.1").0, OriginDefect::InvalidIpv4);
        assert_eq!(defect("https://[::1").0, OriginDefect::InvalidIpv6);
        assert_eq!(defect("https://[zz::1]").0, OriginDefect::InvalidIpv6);
        assert_eq!(defect("ftp://a.com").0, OriginDefect::UnsupportedScheme);
        assert_eq!(defect("//a.com").0, OriginDefect::MissingScheme);
        assert_eq!(
            defect("chrome-extension://abc").0,
            OriginDefect::InvalidChromeExtensionId
        );
        assert_eq!(defect("https://a.com:0").0, OriginDefect::InvalidPort);
        assert_eq!(defect("https://a.com:00000").0, OriginDefect::InvalidPort);
        assert_eq!(defect("https://a.com:065536").0, OriginDefect::InvalidPort);
    }

    #[test]
    fn leading_zeros_in_ports_are_normalised() {
        assert_eq!(
            ok("https://app.example.com:000443"),
            "https://app.example.com"
        );
        assert_eq!(
            ok("https://app.example.com:0008443"),
            "https://app.example.com:8443"
        );
        assert_eq!(
            ok("http://localhost:0000000003000"),
            "http://localhost:3000"
        );
    }

    #[test]
    fn app_and_extension_origins() {
        for (given, want) in [
            ("tauri://localhost", "tauri://localhost"),
            ("TAURI://localhost", "tauri://localhost"),
            ("capacitor://localhost", "capacitor://localhost"),
            ("ionic://localhost", "ionic://localhost"),
            (
                "chrome-extension://abcdefghijklmnopabcdefghijklmnop",
                "chrome-extension://abcdefghijklmnopabcdefghijklmnop",
            ),
            (
                "moz-extension://2c127fa4-62c7-7e4f-90e5-472b45eecfdc",
                "moz-extension://2c127fa4-62c7-7e4f-90e5-472b45eecfdc",
            ),
            (
                "safari-web-extension://E4A8B9F1-0C3D-4E5F-8A9B-0C1D2E3F4A5B",
                "safari-web-extension://E4A8B9F1-0C3D-4E5F-8A9B-0C1D2E3F4A5B",
            ),
            ("tauri://localhost:01420", "tauri://localhost:1420"),
        ] {
            let o = parse_origin(given).unwrap();
            assert_eq!(o.serialized, want);
            assert!(o.secure && o.app && !o.loopback);
        }
        assert_eq!(
            defect("chrome-extension://ABCDEFGHIJKLMNOPABCDEFGHIJKLMNOP"),
            (
                OriginDefect::InvalidChromeExtensionId,
                Some("chrome-extension://abcdefghijklmnopabcdefghijklmnop".into())
            )
        );
        assert_eq!(
            defect("moz-extension://my-addon").0,
            OriginDefect::InvalidMozExtensionId
        );
        assert_eq!(
            defect("tauri://localhost/").1,
            Some("tauri://localhost".into())
        );
        assert_eq!(defect("tauri://u@localhost").0, OriginDefect::Userinfo);
        assert_eq!(defect("tauri://").0, OriginDefect::EmptyHost);
        assert_eq!(defect("tauri://a..b").0, OriginDefect::InvalidHost);
    }

    #[test]
    fn other_schemes_get_hints() {
        for (given, want) in [
            ("htps://a.com", "https://a.com"),
            ("hhtp://a.com", "http://a.com"),
            ("wss://a.com", "https://a.com"),
        ] {
            assert_eq!(
                defect(given),
                (OriginDefect::UnsupportedScheme, Some(want.into())),
                "{given}"
            );
        }
        for (given, want) in [
            ("http:/a.com", "http://a.com"),
            ("https:/x.example", "https://x.example"),
            ("https:a.com", "https://a.com"),
            ("htps:/a.com", "https://a.com"),
            ("https//a.com", "https://a.com"),
            ("HTTP//A.com", "http://a.com"),
        ] {
            assert_eq!(
                defect(given),
                (OriginDefect::SchemeSeparator, Some(want.into())),
                "{given}"
            );
        }
        assert_eq!(defect("myapp://x"), (OriginDefect::UnsupportedScheme, None));
        assert_eq!(defect("localhost:3000").0, OriginDefect::MissingScheme);
        for opaque in [
            "data:text/html,hi",
            "about:blank",
            "javascript:alert(1)",
            "blob:null/1234",
        ] {
            assert!(
                matches!(
                    parse_origin(opaque),
                    Err(ConfigProblem::OpaqueSchemeOrigin {
                        suggestion: None,
                        ..
                    })
                ),
                "{opaque}"
            );
        }
        assert_eq!(
            parse_origin("blob:https://app.example.com/5e3c"),
            Err(ConfigProblem::OpaqueSchemeOrigin {
                value: "blob:https://app.example.com/5e3c".into(),
                scheme: "blob".into(),
                suggestion: Some("https://app.example.com".into()),
            })
        );
        assert!(matches!(
            parse_origin("file:/home/x"),
            Err(ConfigProblem::FileOrigin { .. })
        ));
        assert!(matches!(
            parse_origin("https://*.example.com"),
            Err(ConfigProblem::PatternInExactOrigins { .. })
        ));
    }

    #[test]
    fn hosts_no_browser_sends() {
        let long_label = format!("https://{}.example.com", "a".repeat(64));
        assert_eq!(defect(&long_label).0, OriginDefect::LabelTooLong);
        let long_host = format!("https://{}example.com", "abcdefghi.".repeat(25));
        assert_eq!(defect(&long_host).0, OriginDefect::HostTooLong);
        assert_eq!(
            defect("https://xn--zz-99999.com").0,
            OriginDefect::InvalidPunycode
        );
        assert_eq!(
            ok("https://xn--bcher-kva.example"),
            "https://xn--bcher-kva.example"
        );
        assert_eq!(
            ok("https://my_app.example.com"),
            "https://my_app.example.com"
        );
    }

    #[test]
    fn special_origins() {
        assert!(matches!(
            parse_origin("null"),
            Err(ConfigProblem::NullOrigin { .. })
        ));
        assert!(matches!(
            parse_origin("file:///home/x/index.html"),
            Err(ConfigProblem::FileOrigin { .. })
        ));
        assert!(matches!(
            parse_origin("https://bücher.example"),
            Err(ConfigProblem::NonAsciiHost { .. })
        ));
    }

    #[test]
    fn loopback_detection() {
        for s in [
            "http://localhost",
            "http://localhost:3000",
            "http://app.localhost",
            "http://127.0.0.1:8080",
            "http://127.9.9.9",
            "http://[::1]:80",
        ] {
            assert!(parse_origin(s).map(|o| o.loopback).unwrap_or(false), "{s}");
        }
        for s in [
            "http://localhost.example.com",
            "http://128.0.0.1",
            "http://example.com",
            "http://[::2]",
        ] {
            assert!(!parse_origin(s).map(|o| o.loopback).unwrap_or(true), "{s}");
        }
    }

    #[test]
    fn never_panics_on_odd_input() {
        for s in [
            "https://[",
            "https://]",
            "https://[]",
            "https://[::1]x",
            "https://a.com:99999999999999999999",
            "https://0x",
            "https://.",
            "::",
            "://",
            "https://@",
            "https://a@b@c",
            "\u{0}",
            "https://\u{202e}a.com",
            "https://[::1]",
            "HTTPS://A.com:443",
        ] {
            match parse_origin(s) {
                Err(problem) => {
                    let text = problem.to_string();
                    assert!(!text.trim().is_empty(), "{s:?}: an empty message");
                    assert!(!text.contains('\n'), "{s:?}: {text}");
                }
                // What parses builds, and the layer allows exactly that origin.
                Ok(origin) => {
                    let layer = crate::CorsLayer::builder()
                        .allow_origins([s])
                        .build()
                        .unwrap_or_else(|e| panic!("{s:?} parsed but did not build: {e}"));
                    let (parts, ()) = http::Request::get("/")
                        .header("origin", &origin.serialized)
                        .body(())
                        .unwrap()
                        .into_parts();
                    assert!(layer.evaluate(&parts).is_allowed(), "{s:?}");
                }
            }
        }
    }
}
