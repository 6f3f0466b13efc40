//! Subdomain patterns: `https://*.example.com` allows `https://a.example.com`
//! and `https://a.b.example.com`, never `https://example.com` itself. A
//! pattern over a public suffix ([Public Suffix List](https://publicsuffix.org/list/))
//! is refused at build.
//!
//! A pattern is parsed at `build()` into its scheme, the fixed host suffix
//! after `*.` (normalised like an exact origin) and its port. Matching a
//! request's `Origin` walks the host's labels from the left and looks each
//! remaining suffix up in a hash map: the cost grows with the number of labels
//! in the request's host (at most 127, hosts are capped at 253 bytes), never
//! with the number of patterns, and nothing is allocated.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use super::hash::WordHasher;
use super::parse::parse_origin;
use crate::error::{ConfigProblem, OriginDefect};

/// Longest host a pattern can match: the DNS limit. Browsers cannot reach a
/// longer name, and the cap bounds the work per request.
const MAX_HOST_LEN: usize = 253;

/// Longest DNS label.
const MAX_LABEL_LEN: usize = 63;

/// A configured pattern, parsed and normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParsedPattern {
    /// The normalised pattern, e.g. `https://*.example.com:8443`.
    pub(crate) serialized: String,
    /// `true` for `https`.
    pub(crate) secure: bool,
    /// The host suffix after `*.`, e.g. `example.com`.
    pub(crate) suffix: String,
    /// The port as browsers write it (empty for the scheme's default port).
    pub(crate) port: String,
    /// Every host the pattern matches is loopback (`*.localhost`).
    pub(crate) loopback: bool,
}

/// Parses one configured pattern such as `https://*.example.com`.
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
        // Delegate for the message (empty, whitespace, …).
        return Err(relabel(input, parse_origin(input).err()));
    };
    let Some(rest) = rest.strip_prefix("*.") else {
        if rest.contains('*') {
            return Err(not_leftmost());
        }
        return Err(ConfigProblem::PatternWithoutWildcard {
            value: input.to_owned(),
        });
    };
    if rest.contains('*') {
        return Err(not_leftmost());
    }
    let origin = match parse_origin(&format!("{scheme}://{rest}")) {
        Ok(o) => o,
        Err(problem) => return Err(relabel(input, Some(problem))),
    };
    // `scheme://host[:port]`, normalised.
    let (scheme, authority) = origin
        .serialized
        .split_once("://")
        .ok_or_else(not_leftmost)?;
    let (host, port) = if authority.starts_with('[') {
        return Err(ConfigProblem::PatternOverIpAddress {
            value: input.to_owned(),
        });
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, p),
            None => (authority, ""),
        }
    };
    if host.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(ConfigProblem::PatternOverIpAddress {
            value: input.to_owned(),
        });
    }
    // `*.localhost` is loopback by definition (RFC 6761), useful in
    // development, and not on the public suffix list's side of things.
    if host != "localhost" && psl::domain(host.as_bytes()).is_none() {
        return Err(ConfigProblem::PatternOverPublicSuffix {
            value: input.to_owned(),
            suffix: host.to_owned(),
        });
    }
    Ok(ParsedPattern {
        serialized: format!("{scheme}://*.{authority}"),
        secure: origin.secure,
        suffix: host.to_owned(),
        port: port.to_owned(),
        loopback: origin.loopback,
    })
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
        _ => ConfigProblem::InvalidOriginPattern {
            value,
            defect: OriginDefect::UnsupportedScheme,
            suggestion: None,
        },
    }
}

/// Where a pattern applies besides its host suffix.
#[derive(Debug, Clone)]
struct Entry {
    secure: bool,
    /// Port bytes as browsers send them; empty for the default port.
    port: Box<[u8]>,
}

/// The compiled patterns: host suffix → the scheme/port pairs it is allowed
/// with.
#[derive(Debug, Clone, Default)]
pub(crate) struct PatternSet {
    map: HashMap<Box<[u8]>, Vec<Entry>, BuildHasherDefault<WordHasher>>,
    /// Bit `n` set when some suffix is `n` bytes long: most candidate
    /// suffixes of a request host are skipped without hashing.
    lengths: [u64; 4],
    /// The normalised patterns, for `Debug`.
    serialized: Vec<String>,
}

impl PatternSet {
    pub(crate) fn insert(&mut self, pattern: &ParsedPattern) {
        let len = pattern.suffix.len();
        if len > MAX_HOST_LEN {
            return;
        }
        self.lengths[len / 64] |= 1 << (len % 64);
        let entries = self
            .map
            .entry(pattern.suffix.as_bytes().into())
            .or_default();
        let entry = Entry {
            secure: pattern.secure,
            port: pattern.port.as_bytes().into(),
        };
        if !entries
            .iter()
            .any(|e| e.secure == entry.secure && e.port == entry.port)
        {
            entries.push(entry);
            self.serialized.push(pattern.serialized.clone());
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The normalised patterns, in configuration order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> {
        self.serialized.iter().map(String::as_str)
    }

    #[inline]
    fn has_length(&self, len: usize) -> bool {
        len <= MAX_HOST_LEN && self.lengths[len / 64] & (1 << (len % 64)) != 0
    }

    /// Whether a request's `Origin` bytes match a pattern. Byte-exact like
    /// the exact-origin lookup: only the lower-case, canonical serialisation
    /// that browsers send can match. Allocation-free.
    pub(crate) fn matches(&self, origin: &[u8]) -> bool {
        if self.map.is_empty() {
            return false;
        }
        let (secure, authority) = if let Some(rest) = origin.strip_prefix(b"https://") {
            (true, rest)
        } else if let Some(rest) = origin.strip_prefix(b"http://") {
            (false, rest)
        } else {
            return false;
        };
        // An entry's empty port means the scheme's default, which browsers
        // leave out: a request's `host:` with nothing after it never matches.
        let (host, port) = match authority.iter().position(|&b| b == b':') {
            Some(i) if i + 1 < authority.len() => (&authority[..i], &authority[i + 1..]),
            Some(_) => return false,
            None => (authority, &b""[..]),
        };
        if host.len() > MAX_HOST_LEN || host.is_empty() {
            return false;
        }
        // Walk the leftmost labels; every label the wildcard stands for must
        // be a valid, lower-case DNS label, so once one is not, no longer
        // prefix can match either.
        let mut start = 0;
        while let Some(dot) = host[start..].iter().position(|&b| b == b'.') {
            let label = &host[start..start + dot];
            if !is_dns_label(label) {
                return false;
            }
            let suffix = &host[start + dot + 1..];
            if self.has_length(suffix.len()) {
                if let Some(entries) = self.map.get(suffix) {
                    if entries
                        .iter()
                        .any(|e| e.secure == secure && *e.port == *port)
                    {
                        return true;
                    }
                }
            }
            start += dot + 1;
        }
        false
    }
}

/// A lower-case DNS label: 1 to 63 letters, digits and hyphens.
#[inline]
fn is_dns_label(label: &[u8]) -> bool {
    !label.is_empty()
        && label.len() <= MAX_LABEL_LEN
        && label
            .iter()
            .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(patterns: &[&str]) -> PatternSet {
        let mut set = PatternSet::default();
        for p in patterns {
            match parse_pattern(p) {
                Ok(p) => set.insert(&p),
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
        assert_eq!(p.suffix, "example.com");
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
            "https://a_b.example.com",
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
            s.insert(&p);
        }
        assert!(s.matches(b"https://app.tenant9999.example.com"));
        assert!(!s.matches(b"https://app.tenant10000.example.com"));
        assert_eq!(s.iter().count(), 10_000);
    }
}
