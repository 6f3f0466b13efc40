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

use std::net::Ipv6Addr;

use crate::error::{ConfigProblem, OriginDefect};

/// A configured origin, parsed and normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParsedOrigin {
    /// The ASCII serialisation browsers send, e.g. `https://app.example.com`.
    pub(crate) serialized: String,
    /// `true` for `https`.
    pub(crate) secure: bool,
    /// Loopback host: `localhost`, `*.localhost`, `127.0.0.0/8`, `[::1]`.
    /// ([potentially trustworthy](https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy)
    /// over plain `http`).
    pub(crate) loopback: bool,
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
    let Some((scheme, rest)) = input.split_once("://") else {
        let suggestion = if input.contains(':') {
            None
        } else {
            parse_origin(&format!("https://{input}"))
                .ok()
                .map(|o| o.serialized)
        };
        return Err(invalid(OriginDefect::MissingScheme, suggestion));
    };
    let scheme = scheme.to_ascii_lowercase();
    let secure = match scheme.as_str() {
        "https" => true,
        "http" => false,
        "file" => {
            return Err(ConfigProblem::FileOrigin {
                value: input.to_owned(),
            })
        }
        _ => return Err(invalid(OriginDefect::UnsupportedScheme, None)),
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
        let suggestion = parse_origin(&format!("{scheme}://{authority}"))
            .ok()
            .map(|o| o.serialized);
        return Err(invalid(defect, suggestion));
    }
    if let Some((_, host_port)) = authority.rsplit_once('@') {
        let suggestion = parse_origin(&format!("{scheme}://{host_port}"))
            .ok()
            .map(|o| o.serialized);
        return Err(invalid(OriginDefect::Userinfo, suggestion));
    }

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

    let port = match port {
        None => None,
        Some(p) => {
            if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid(OriginDefect::InvalidPort, None));
            }
            let n: u32 = p
                .parse()
                .map_err(|_| invalid(OriginDefect::InvalidPort, None))?;
            if n > 65535 {
                return Err(invalid(OriginDefect::InvalidPort, None));
            }
            let default = if secure { 443 } else { 80 };
            (n != default).then_some(n)
        }
    };

    let loopback = match &host {
        Host::Domain(d) => d == "localhost" || d.ends_with(".localhost"),
        Host::V4(a) => a[0] == 127,
        Host::V6(a) => a.is_loopback(),
    };
    let mut serialized = format!("{scheme}://");
    match &host {
        Host::Domain(d) => serialized.push_str(d),
        Host::V4(a) => serialized.push_str(&format!("{}.{}.{}.{}", a[0], a[1], a[2], a[3])),
        Host::V6(a) => {
            serialized.push('[');
            serialized.push_str(&serialize_ipv6(a));
            serialized.push(']');
        }
    }
    if let Some(port) = port {
        serialized.push_str(&format!(":{port}"));
    }
    Ok(ParsedOrigin {
        serialized,
        secure,
        loopback,
    })
}

enum Host {
    Domain(String),
    V4([u8; 4]),
    V6(Ipv6Addr),
}

/// Parses an ASCII, non-bracketed host: a domain or an IPv4 address.
fn parse_host(host: &str) -> Result<Host, OriginDefect> {
    let lower = host.to_ascii_lowercase();
    if lower.ends_with('.') {
        return Err(OriginDefect::InvalidHost);
    }
    let labels: Vec<&str> = lower.split('.').collect();
    if labels.iter().any(|l| l.is_empty()) {
        return Err(OriginDefect::InvalidHost);
    }
    // WHATWG URL: a host whose last label is numeric (decimal, or 0x hex) is
    // parsed as IPv4. Only the plain dotted-decimal form is accepted here, so
    // that the configuration reads like what the browser sends.
    let last = labels[labels.len() - 1];
    let numeric_last = last.bytes().all(|b| b.is_ascii_digit())
        || (last.starts_with("0x") && last[2..].bytes().all(|b| b.is_ascii_hexdigit()));
    if numeric_last {
        if labels.len() != 4 {
            return Err(OriginDefect::InvalidIpv4);
        }
        let mut octets = [0u8; 4];
        for (slot, label) in octets.iter_mut().zip(&labels) {
            let canonical = label.bytes().all(|b| b.is_ascii_digit())
                && label.len() <= 3
                && (label.len() == 1 || !label.starts_with('0'));
            if !canonical {
                return Err(OriginDefect::InvalidIpv4);
            }
            *slot = label.parse().map_err(|_| OriginDefect::InvalidIpv4)?;
        }
        return Ok(Host::V4(octets));
    }
    let valid = lower
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_');
    if !valid {
        return Err(OriginDefect::InvalidHost);
    }
    Ok(Host::Domain(lower))
}

/// [WHATWG URL IPv6 serializer](https://url.spec.whatwg.org/#concept-ipv6-serializer): lower-case hex, the first longest run of two or
/// more zero pieces compressed to `::`, no embedded IPv4 form.
fn serialize_ipv6(addr: &Ipv6Addr) -> String {
    let pieces = addr.segments();
    let (mut best_start, mut best_len) = (None, 1usize);
    let mut i = 0;
    while i < 8 {
        if pieces[i] == 0 {
            let start = i;
            while i < 8 && pieces[i] == 0 {
                i += 1;
            }
            if i - start > best_len {
                best_len = i - start;
                best_start = Some(start);
            }
        } else {
            i += 1;
        }
    }
    let mut out = String::new();
    let mut i = 0;
    while i < 8 {
        if Some(i) == best_start {
            out.push_str(if i == 0 { "::" } else { ":" });
            i += best_len;
            continue;
        }
        out.push_str(&format!("{:x}", pieces[i]));
        if i != 7 {
            out.push(':');
        }
        i += 1;
    }
    out
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
            OriginDefect::UnsupportedScheme
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
