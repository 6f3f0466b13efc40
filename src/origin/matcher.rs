//! The compiled patterns and the matching of a request's `Origin` against
//! them: allocation-free, and the same cost for one pattern or 100,000.
//!
//! Subdomain patterns are keyed by (scheme, fixed host, port): matching a
//! request walks its host's labels from the left and looks each remaining
//! suffix up once, so the cost grows with the number of labels in the
//! request's host (at most 127, hosts are capped at 253 bytes), never with
//! the number of patterns. Any-port patterns on loopback hosts
//! (`http://localhost:*`) are keyed by `scheme://host`: one lookup.

use super::hash::{finish, fold};
use super::host::{MAX_HOST_LEN, MAX_LABEL_LEN};
use super::pattern::ParsedPattern;
use super::table::Index;

/// The compiled patterns.
#[derive(Debug, Clone, Default)]
pub(crate) struct PatternSet {
    /// The normalised patterns, each followed by `\n`, in configuration
    /// order: the entries both indexes point into.
    text: String,
    /// Subdomain patterns; `aux` is the fixed host's public suffix length.
    subdomains: Index,
    /// Any-port patterns on one host: `scheme://host:*`.
    any_port_hosts: Index,
    /// Some subdomain pattern has any port (`http://*.localhost:*`).
    any_port_subdomains: bool,
    /// Bit `n` set when some fixed host is `n` bytes long: most candidate
    /// suffixes of a request host are skipped without hashing.
    lengths: [u64; 4],
}

/// `https://*.` or `http://*.`.
fn subdomain_prefix(secure: bool) -> &'static [u8] {
    if secure {
        b"https://*."
    } else {
        b"http://*."
    }
}

/// The key of a subdomain pattern: scheme, fixed host, port (`*` for any).
#[inline]
fn subdomain_hash(secure: bool, host: &[u8], port: &[u8]) -> u64 {
    finish(fold(fold(u64::from(secure), host), port))
}

/// Whether a stored `scheme://*.host[:port]` is the pattern of these parts.
#[inline]
fn is_subdomain_entry(stored: &[u8], secure: bool, host: &[u8], port: &[u8]) -> bool {
    let Some(rest) = stored.strip_prefix(subdomain_prefix(secure)) else {
        return false;
    };
    let Some(rest) = rest.strip_prefix(host) else {
        return false;
    };
    match rest.split_first() {
        None => port.is_empty(),
        Some((b':', p)) => p == port,
        Some(_) => false,
    }
}

/// Splits a stored subdomain pattern back into (secure, host, port).
fn split_subdomain_entry(stored: &[u8]) -> (bool, &[u8], &[u8]) {
    let (secure, rest) = match stored.strip_prefix(b"https://*.") {
        Some(rest) => (true, rest),
        None => (false, stored.strip_prefix(b"http://*.").unwrap_or(stored)),
    };
    match rest.iter().position(|&b| b == b':') {
        Some(i) => (secure, &rest[..i], &rest[i + 1..]),
        None => (secure, rest, &[][..]),
    }
}

impl PatternSet {
    /// Room for `n` patterns without growing.
    pub(crate) fn with_capacity(n: usize) -> Self {
        PatternSet {
            subdomains: Index::with_capacity(n),
            ..PatternSet::default()
        }
    }

    /// Adds a parsed pattern (a duplicate is ignored); `false` when the
    /// index cannot hold it.
    pub(crate) fn insert(&mut self, pattern: &ParsedPattern) -> bool {
        let text = self.text.as_bytes();
        let entry = (text.len(), pattern.serialized.len());
        let added = if pattern.subdomains {
            let (host, port) = (pattern.host.as_bytes(), pattern.port.as_bytes());
            if host.len() > MAX_HOST_LEN {
                return false;
            }
            let added = self.subdomains.insert(
                subdomain_hash(pattern.secure, host, port),
                (entry.0, entry.1, pattern.public_suffix_len),
                |off, len| {
                    text.get(off..off + len)
                        .is_some_and(|s| is_subdomain_entry(s, pattern.secure, host, port))
                },
                |off, len| {
                    let (s, h, p) =
                        split_subdomain_entry(text.get(off..off + len).unwrap_or_default());
                    subdomain_hash(s, h, p)
                },
            );
            if added == Some(true) {
                self.lengths[host.len() / 64] |= 1 << (host.len() % 64);
                self.any_port_subdomains |= pattern.port == "*";
            }
            added
        } else {
            // `scheme://host:*`: keyed by `scheme://host`.
            let full = pattern.serialized.as_bytes();
            let key = full.strip_suffix(b":*").unwrap_or(full);
            self.any_port_hosts.insert(
                finish(fold(0, key)),
                (entry.0, entry.1, 0),
                |off, len| {
                    text.get(off..off + len)
                        .is_some_and(|s| s.strip_suffix(b":*") == Some(key))
                },
                |off, len| {
                    let s = text.get(off..off + len).unwrap_or_default();
                    finish(fold(0, s.strip_suffix(b":*").unwrap_or(s)))
                },
            )
        };
        match added {
            Some(true) => {
                self.text.push_str(&pattern.serialized);
                self.text.push('\n');
                true
            }
            Some(false) => true,
            None => false,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Bytes held on the heap.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
    }

    /// The normalised patterns, in configuration order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> {
        self.text.split_terminator('\n')
    }

    /// The number of distinct patterns, without scanning them.
    pub(crate) fn len(&self) -> usize {
        self.subdomains.len() + self.any_port_hosts.len()
    }

    #[inline]
    fn has_length(&self, len: usize) -> bool {
        len <= MAX_HOST_LEN && self.lengths[len / 64] & (1 << (len % 64)) != 0
    }

    /// Whether a request's `Origin` bytes match a pattern. Byte-exact like
    /// the exact-origin lookup: only the lower-case, canonical serialisation
    /// that browsers send can match. Allocation-free.
    pub(crate) fn matches(&self, origin: &[u8]) -> bool {
        if self.is_empty() {
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
        let host_end = if authority.first() == Some(&b'[') {
            match authority.iter().position(|&b| b == b']') {
                Some(i) => i + 1,
                None => return false,
            }
        } else {
            authority
                .iter()
                .position(|&b| b == b':')
                .unwrap_or(authority.len())
        };
        let (host, port) = match authority.split_at(host_end) {
            (h, []) => (h, &[][..]),
            (h, [b':', p @ ..]) if !p.is_empty() => (h, p),
            _ => return false,
        };
        if host.len() > MAX_HOST_LEN || host.is_empty() {
            return false;
        }
        let any_port_ok = is_canonical_port(port, if secure { 443 } else { 80 });
        if !self.any_port_hosts.is_empty() && any_port_ok {
            let key = &origin[..origin.len() - authority.len() + host.len()];
            let hash = finish(fold(0, key));
            let eq = |off: usize, len: usize| {
                self.text
                    .as_bytes()
                    .get(off..off + len)
                    .is_some_and(|s| s.strip_suffix(b":*") == Some(key))
            };
            if self.any_port_hosts.find(hash, eq).is_some() {
                return true;
            }
        }
        if self.subdomains.is_empty() {
            return false;
        }
        let any_port = self.any_port_subdomains && any_port_ok;
        // The host's public suffix length, computed on the first key hit.
        let mut host_suffix: Option<Option<usize>> = None;
        let mut suffix_ok = |aux: u8| {
            let len =
                *host_suffix.get_or_insert_with(|| psl::suffix(host).map(|s| s.as_bytes().len()));
            len == Some(usize::from(aux))
        };
        // Walk the leftmost labels; every label the wildcard stands for must
        // be a valid, lower-case DNS label, so once one is not, no longer
        // prefix can match either.
        let mut start = 0;
        while let Some(dot) = host[start..].iter().position(|&b| b == b'.') {
            if !is_dns_label(&host[start..start + dot]) {
                return false;
            }
            let suffix = &host[start + dot + 1..];
            if self.has_length(suffix.len()) {
                for port in [port, b"*"] {
                    if port == b"*" && !any_port {
                        break;
                    }
                    let hash = subdomain_hash(secure, suffix, port);
                    let eq = |off: usize, len: usize| {
                        self.text
                            .as_bytes()
                            .get(off..off + len)
                            .is_some_and(|s| is_subdomain_entry(s, secure, suffix, port))
                    };
                    if let Some(found) = self.subdomains.find(hash, eq) {
                        // `*` never spans a public suffix: the host's public
                        // suffix must be the fixed part's.
                        if suffix_ok(found.aux) {
                            return true;
                        }
                    }
                }
            }
            start += dot + 1;
        }
        false
    }
}

/// A port as browsers send it: empty for the default, else 1 to 65535 in
/// decimal without leading zeros, never the scheme's default.
#[inline]
fn is_canonical_port(port: &[u8], default: u16) -> bool {
    if port.is_empty() {
        return true;
    }
    if port.len() > 5 || port[0] == b'0' || !port.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let n = port.iter().fold(0u32, |n, &d| n * 10 + u32::from(d - b'0'));
    n <= 65535 && n != u32::from(default)
}

/// A lower-case host label as the [URL host parser](https://url.spec.whatwg.org/#host-parsing)
/// leaves it and browsers send it: 1 to 63 letters, digits, hyphens and
/// underscores (`my_app`; exact origins accept them too, not STD3 rules).
#[inline]
fn is_dns_label(label: &[u8]) -> bool {
    !label.is_empty()
        && label.len() <= MAX_LABEL_LEN
        && label
            .iter()
            .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}
