//! Patterns: subdomain patterns (`https://*.example.com` allows
//! `https://a.example.com` and `https://a.b.example.com`, never
//! `https://example.com` itself) and any-port patterns on loopback hosts
//! (`http://localhost:*`), parsed and normalised at `build()`.
//!
//! Matching is in [`super::matcher`].

use super::host::MAX_HOST_LEN;
use super::parse::parse_origin;
use super::scheme::{classify, Scheme};
use crate::error::{ConfigProblem, OriginDefect};

/// A label no rule of the public suffix list names: the host
/// `PROBE.<fixed part>` shows what the list says of every host under it.
const PROBE: &str = "strict-cors-probe-label";

/// A configured pattern, parsed and normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParsedPattern {
    /// The normalised pattern, e.g. `https://*.example.com:8443`.
    pub(crate) serialized: String,
    /// `true` for `https`.
    pub(crate) secure: bool,
    /// The fixed host: after `*.` for a subdomain pattern, e.g.
    /// `example.com`; the whole host otherwise (`[::1]` in brackets).
    pub(crate) host: String,
    /// The port as browsers write it: empty for the scheme's default port,
    /// `*` for any port.
    pub(crate) port: String,
    /// `*.` before the host: one or more labels.
    pub(crate) subdomains: bool,
    /// Length of the public suffix of the fixed host (subdomain patterns):
    /// a host matches only when its own public suffix is as long.
    pub(crate) public_suffix_len: u8,
    /// Every host the pattern matches is loopback.
    pub(crate) loopback: bool,
}

/// Parses one configured pattern such as `https://*.example.com` or
/// `http://localhost:*`.
pub(crate) fn parse_pattern(input: &str) -> Result<ParsedPattern, ConfigProblem> {
    let not_leftmost = || ConfigProblem::PatternWildcardNotLeftmostLabel {
        value: input.to_owned(),
    };
    let Some((scheme, rest)) = input.split_once("://") else {
        if input.starts_with("*.") {
            let suggestion = parse_pattern(&format!("https://{input}"))
                .ok()
                .map(|p| p.serialized);
            return Err(ConfigProblem::InvalidOriginPattern {
                value: input.to_owned(),
                defect: OriginDefect::MissingScheme,
                suggestion,
            });
        }
        if input.contains('*') {
            return Err(ConfigProblem::InvalidOriginPattern {
                value: input.to_owned(),
                defect: OriginDefect::MissingScheme,
                suggestion: None,
            });
        }
        // Delegate for the message (empty, whitespace, …).
        return Err(relabel(input, parse_origin(input).err()));
    };
    if let Some(Scheme::App(_)) = classify(&scheme.to_ascii_lowercase()) {
        return Err(ConfigProblem::PatternWithAppScheme {
            value: input.to_owned(),
        });
    }
    let (rest, any_port) = match rest.strip_suffix(":*") {
        Some(r) => (r, true),
        None => (rest, false),
    };
    let (rest, subdomains) = match rest.strip_prefix("*.") {
        Some(r) => (r, true),
        None => (rest, false),
    };
    if rest.contains('*') {
        return Err(not_leftmost());
    }
    if !subdomains && !any_port {
        return Err(ConfigProblem::PatternWithoutWildcard {
            value: input.to_owned(),
        });
    }
    let origin = match parse_origin(&format!("{scheme}://{rest}")) {
        Ok(o) => o,
        Err(problem) => {
            let relabelled = relabel(input, Some(problem));
            return Err(match relabelled {
                ConfigProblem::InvalidOriginPattern {
                    value,
                    defect,
                    suggestion,
                } => ConfigProblem::InvalidOriginPattern {
                    value,
                    defect,
                    // `relabel` writes `*.`; put back what the pattern had.
                    suggestion: suggestion.map(|s| {
                        let s = if subdomains {
                            s
                        } else {
                            s.replacen("*.", "", 1)
                        };
                        if any_port {
                            format!("{s}:*")
                        } else {
                            s
                        }
                    }),
                },
                other => other,
            });
        }
    };
    // `scheme://host[:port]`, normalised.
    let (scheme, authority) = origin
        .serialized
        .split_once("://")
        .ok_or_else(not_leftmost)?;
    let (host, port) = match authority.rfind(':') {
        Some(i) if !authority[i..].contains(']') => (&authority[..i], &authority[i + 1..]),
        _ => (authority, ""),
    };
    let port_written = rest.rfind(':').is_some_and(|i| !rest[i..].contains(']'));
    if any_port && port_written {
        // `http://localhost:3000:*`
        return Err(ConfigProblem::InvalidOriginPattern {
            value: input.to_owned(),
            defect: OriginDefect::InvalidPort,
            suggestion: Some(format!(
                "{scheme}://{}{host}:*",
                if subdomains { "*." } else { "" }
            )),
        });
    }
    if any_port && !origin.loopback {
        return Err(ConfigProblem::AnyPortOnNonLoopbackHost {
            value: input.to_owned(),
        });
    }
    let mut public_suffix_len = 0;
    if subdomains {
        if host.starts_with('[') || host.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return Err(ConfigProblem::PatternOverIpAddress {
                value: input.to_owned(),
            });
        }
        // The shortest host the pattern matches is `x.` + the fixed part.
        if host.len() + 2 > MAX_HOST_LEN {
            return Err(ConfigProblem::InvalidOriginPattern {
                value: input.to_owned(),
                defect: OriginDefect::HostTooLong,
                suggestion: None,
            });
        }
        public_suffix_len = check_public_suffixes(input, host)?;
    }
    let port = if any_port { "*" } else { port };
    let mut serialized = format!("{scheme}://");
    if subdomains {
        serialized.push_str("*.");
    }
    serialized.push_str(host);
    if !port.is_empty() {
        serialized.push(':');
        serialized.push_str(port);
    }
    Ok(ParsedPattern {
        serialized,
        secure: origin.secure,
        host: host.to_owned(),
        port: port.to_owned(),
        subdomains,
        public_suffix_len,
        loopback: origin.loopback,
    })
}

/// The public suffix list's verdict on a subdomain pattern's fixed part
/// (<https://publicsuffix.org/list/>, ICANN and private sections, as the
/// `psl` crate compiles it): refused when it is a public suffix itself
/// (`*.com`, `*.github.io`), or when every host under it sits under a
/// public suffix of its own (a wildcard rule such as `*.r.appspot.com`),
/// since the pattern matches a host only when the host's public suffix is
/// the fixed part's. `*.localhost` is loopback by definition (RFC 6761 §6.3)
/// and stays allowed. Returns the length of the fixed part's public suffix.
fn check_public_suffixes(input: &str, host: &str) -> Result<u8, ConfigProblem> {
    let suffix_len = |name: &str| psl::suffix(name.as_bytes()).map(|s| s.as_bytes().len());
    if host != "localhost" && psl::domain(host.as_bytes()).is_none() {
        return Err(ConfigProblem::PatternOverPublicSuffix {
            value: input.to_owned(),
            suffix: host.to_owned(),
        });
    }
    let own = suffix_len(host);
    let probe = format!("{PROBE}.{host}");
    let below = suffix_len(&probe);
    match (own, below) {
        (Some(own), Some(below)) if own == below => {
            u8::try_from(own).map_err(|_| ConfigProblem::InvalidOriginPattern {
                value: input.to_owned(),
                defect: OriginDefect::HostTooLong,
                suggestion: None,
            })
        }
        _ => Err(ConfigProblem::PatternUnderPublicSuffixRule {
            value: input.to_owned(),
            rule: format!("*.{host}"),
        }),
    }
}

/// Turns a problem found while parsing the pattern's fixed part as an origin
/// into one about the pattern as written.
fn relabel(input: &str, problem: Option<ConfigProblem>) -> ConfigProblem {
    let value = input.to_owned();
    match problem {
        Some(ConfigProblem::InvalidOrigin {
            defect, suggestion, ..
        }) => ConfigProblem::InvalidOriginPattern {
            value,
            defect,
            suggestion: suggestion.and_then(|s| {
                let (scheme, rest) = s.split_once("://")?;
                Some(format!("{scheme}://*.{rest}"))
            }),
        },
        Some(ConfigProblem::NonAsciiHost { .. }) => ConfigProblem::NonAsciiHost { value },
        Some(ConfigProblem::FileOrigin { .. }) => ConfigProblem::FileOrigin { value },
        Some(ConfigProblem::OpaqueSchemeOrigin { scheme, .. }) => {
            ConfigProblem::OpaqueSchemeOrigin {
                value,
                scheme,
                suggestion: None,
            }
        }
        _ => ConfigProblem::InvalidOriginPattern {
            value,
            defect: OriginDefect::UnsupportedScheme,
            suggestion: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::matcher::PatternSet;
    use super::*;

    fn set(patterns: &[&str]) -> PatternSet {
        let mut set = PatternSet::default();
        for p in patterns {
            match parse_pattern(p) {
                Ok(p) => assert!(set.insert(&p)),
                Err(e) => panic!("{p}: {e}"),
            }
        }
        set
    }

    fn problem(p: &str) -> ConfigProblem {
        match parse_pattern(p) {
            Ok(ok) => panic!("{p} parsed as {ok:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn normalises_like_origins() {
        let p = parse_pattern("HTTPS://*.Example.COM:443").unwrap();
        assert_eq!(p.serialized, "https://*.example.com");
        assert_eq!(p.host, "example.com");
        assert_eq!(p.port, "");
        assert!(p.secure);
        let p = parse_pattern("http://*.localhost:03000").unwrap();
        assert_eq!(p.serialized, "http://*.localhost:3000");
        assert!(p.loopback && !p.secure);
        assert!(parse_pattern("http://*.app.localhost").unwrap().loopback);
        assert!(!parse_pattern("http://*.example.com").unwrap().loopback);
    }

    #[test]
    fn wildcard_must_be_the_whole_leftmost_label() {
        for p in [
            "https://*example.com",
            "https://a.*.example.com",
            "https://*",
            "https://**.example.com",
            "https://*.*.example.com",
            "https://a*.example.com",
            "https://*-a.example.com",
            "https://example.com.*",
        ] {
            assert!(
                matches!(
                    problem(p),
                    ConfigProblem::PatternWildcardNotLeftmostLabel { .. }
                ),
                "{p}: {:?}",
                problem(p)
            );
        }
        assert!(matches!(
            problem("https://example.com"),
            ConfigProblem::PatternWithoutWildcard { .. }
        ));
    }

    #[test]
    fn public_suffixes_are_refused() {
        for (p, suffix) in [
            ("https://*.com", "com"),
            ("https://*.co.uk", "co.uk"),
            ("https://*.github.io", "github.io"),
            ("https://*.herokuapp.com", "herokuapp.com"),
            ("https://*.internal", "internal"),
        ] {
            assert_eq!(
                problem(p),
                ConfigProblem::PatternOverPublicSuffix {
                    value: p.into(),
                    suffix: suffix.into()
                },
                "{p}"
            );
        }
        for ok in [
            "https://*.example.com",
            "https://*.example.co.uk",
            "https://*.me.github.io",
            "https://*.corp.internal",
            "http://*.localhost",
        ] {
            assert!(parse_pattern(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn ip_addresses_and_malformed_rests_are_refused() {
        for p in ["https://*.0.0.1", "https://*.[::1]", "https://*.1.2.3.4"] {
            assert!(
                matches!(
                    problem(p),
                    ConfigProblem::PatternOverIpAddress { .. }
                        | ConfigProblem::InvalidOriginPattern { .. }
                ),
                "{p}: {:?}",
                problem(p)
            );
        }
        assert!(matches!(
            problem("https://*.1.2.3.4"),
            ConfigProblem::PatternOverIpAddress { .. }
        ));
        match problem("https://*.example.com/") {
            ConfigProblem::InvalidOriginPattern {
                defect, suggestion, ..
            } => {
                assert_eq!(defect, crate::error::OriginDefect::Path);
                assert_eq!(suggestion.as_deref(), Some("https://*.example.com"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            problem("ftp://*.example.com"),
            ConfigProblem::InvalidOriginPattern { .. }
        ));
        assert_eq!(
            problem("*.example.com"),
            ConfigProblem::InvalidOriginPattern {
                value: "*.example.com".into(),
                defect: crate::error::OriginDefect::MissingScheme,
                suggestion: Some("https://*.example.com".into()),
            }
        );
        assert!(matches!(
            problem("https://*.bücher.example"),
            ConfigProblem::NonAsciiHost { .. }
        ));
        assert!(matches!(
            problem("https://*.example.com:99999"),
            ConfigProblem::InvalidOriginPattern { .. }
        ));
    }

    #[test]
    fn matches_one_or_more_leftmost_labels_only() {
        let s = set(&["https://*.example.com"]);
        for yes in [
            "https://a.example.com",
            "https://a.b.example.com",
            "https://x-1.example.com",
            "https://1.example.com",
            // `_` is a host code point browsers send; exact origins accept it.
            "https://a_b.example.com",
        ] {
            assert!(s.matches(yes.as_bytes()), "{yes}");
        }
        for no in [
            "https://example.com",
            "https://evilexample.com",
            "https://aexample.com",
            "http://a.example.com",
            "https://a.example.com:8443",
            "https://a.example.com:443",
            "https://a.example.com.evil.net",
            "https://A.example.com",
            "https://.example.com",
            "https://a..example.com",
            "https://a.example.com.",
            "https://a.example.com/",
            "https://a.example.co",
            "https://a.eXample.com",
            "wss://a.example.com",
            "https://a.example.com:",
            "",
            "null",
        ] {
            assert!(!s.matches(no.as_bytes()), "{no}");
        }
        let long_label = format!("https://{}.example.com", "a".repeat(64));
        assert!(!s.matches(long_label.as_bytes()));
    }

    #[test]
    fn suffix_sharing_hosts_stay_apart() {
        let s = set(&["https://*.foo.com", "https://*.bar.com"]);
        assert!(s.matches(b"https://x.foo.com"));
        assert!(s.matches(b"https://x.bar.com"));
        for no in [
            "https://x.barfoo.com",
            "https://barfoo.com",
            "https://x.foobar.com",
            "https://x.oo.com",
            "https://foo.com",
            "https://bar.com",
        ] {
            assert!(!s.matches(no.as_bytes()), "{no}");
        }
    }

    #[test]
    fn scheme_and_port_are_part_of_the_pattern() {
        let s = set(&["https://*.example.com:8443", "http://*.localhost:3000"]);
        assert!(s.matches(b"https://a.example.com:8443"));
        assert!(!s.matches(b"https://a.example.com"));
        assert!(!s.matches(b"http://a.example.com:8443"));
        assert!(!s.matches(b"https://a.example.com:08443"));
        assert!(s.matches(b"http://app.localhost:3000"));
        assert!(!s.matches(b"http://localhost:3000"));
        assert!(!s.matches(b"http://app.localhost:3001"));
        assert!(!s.matches(b"https://app.localhost:3000"));
    }

    #[test]
    fn hostile_hosts_are_bounded() {
        let s = set(&["https://*.example.com"]);
        let many = format!("https://{}example.com", "a.".repeat(100_000));
        assert!(!s.matches(many.as_bytes()));
        let fits = format!("https://{}example.com", "a.".repeat(100));
        assert!(s.matches(fits.as_bytes()));
        assert!(!s.matches(b"https://"));
        assert!(!s.matches(b"https://."));
        assert!(!s.matches(b"https://..."));
    }

    #[test]
    fn many_patterns_one_lookup_per_label() {
        let mut s = PatternSet::default();
        for i in 0..10_000 {
            let p = parse_pattern(&format!("https://*.tenant{i}.example.com")).unwrap();
            assert!(s.insert(&p));
        }
        assert!(s.matches(b"https://app.tenant9999.example.com"));
        assert!(!s.matches(b"https://app.tenant10000.example.com"));
        assert_eq!(s.iter().count(), 10_000);
    }
}
