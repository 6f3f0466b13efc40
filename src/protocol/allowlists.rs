//! The configured methods and request header names, compiled for lookups.

use super::fetch::is_safelisted_method;

/// The configured methods (normalised), or any: the server side of
/// [`Access-Control-Allow-Methods`](https://fetch.spec.whatwg.org/#http-access-control-allow-methods).
#[derive(Debug, Clone)]
pub(crate) enum AllowedMethods {
    /// `*`: any method the request names (echoed back).
    Any,
    /// Exactly these methods, byte-exact, plus the safelisted ones.
    List(Box<[Box<[u8]>]>),
}

impl AllowedMethods {
    /// Whether a preflight's requested method (already checked to be a token,
    /// and not forbidden) is allowed.
    #[inline]
    pub(crate) fn allows(&self, method: &[u8]) -> bool {
        if is_safelisted_method(method) {
            return true;
        }
        match self {
            AllowedMethods::Any => true,
            AllowedMethods::List(list) => list.iter().any(|m| **m == *method),
        }
    }

    /// The configured list, for diagnostics.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        let list: &[Box<[u8]>] = match self {
            AllowedMethods::Any => &[],
            AllowedMethods::List(l) => l,
        };
        list.iter().filter_map(|m| std::str::from_utf8(m).ok())
    }
}

/// The configured request header names (lower-case, sorted, unique), or any:
/// the server side of [`Access-Control-Allow-Headers`](https://fetch.spec.whatwg.org/#http-access-control-allow-headers).
#[derive(Debug, Clone)]
pub(crate) struct AllowedHeaders {
    /// `*` was configured.
    pub(crate) any: bool,
    /// Explicit names, lower-case, sorted, unique. With `any`, only names that
    /// mean something beside `*` (`authorization`) matter.
    names: Box<[Box<[u8]>]>,
    longest: usize,
}

/// Lists up to this long are scanned rather than binary-searched.
const SCAN_LIMIT: usize = 16;

impl AllowedHeaders {
    pub(crate) fn new(any: bool, mut names: Vec<String>) -> Self {
        for n in &mut names {
            n.make_ascii_lowercase();
        }
        names.sort();
        names.dedup();
        let longest = names.iter().map(String::len).max().unwrap_or(0);
        AllowedHeaders {
            any,
            names: names
                .into_iter()
                .map(|n| n.into_bytes().into_boxed_slice())
                .collect(),
            longest,
        }
    }

    /// Case-insensitive membership, without allocating: a length-filtered
    /// scan for short lists (most names differ in length, so few bytes are
    /// compared), a binary search for long ones.
    #[inline]
    pub(crate) fn contains(&self, name: &[u8]) -> bool {
        if self.names.len() <= SCAN_LIMIT {
            return self
                .names
                .iter()
                .any(|n| n.len() == name.len() && (**n == *name || n.eq_ignore_ascii_case(name)));
        }
        self.names
            .binary_search_by(|probe| cmp_ignore_ascii_case(probe, name))
            .is_ok()
    }

    /// Whether one requested header name is allowed: listed by name, or
    /// covered by `*`, which covers every name but `authorization`, with or
    /// without credentials (Fetch never lets a wildcard cover a
    /// [CORS non-wildcard request-header name](https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name);
    /// the layer applies the same rule when it echoes names for credentialed
    /// requests, so `*` means one thing in both modes).
    #[inline]
    pub(super) fn allows(&self, name: &[u8]) -> bool {
        if self.contains(name) {
            return true;
        }
        self.any && !name.eq_ignore_ascii_case(b"authorization")
    }

    /// The length of the configured name `rest` starts with, byte for byte
    /// (configured names are lowercase, as browsers send them), followed by
    /// a `,` or the end. Short lists only (at most [`SCAN_LIMIT`] names, each
    /// tried once): `None` for a longer list.
    #[inline]
    pub(super) fn leading_name(&self, rest: &[u8]) -> Option<usize> {
        if self.names.len() > SCAN_LIMIT {
            return None;
        }
        self.names
            .iter()
            .find(|n| match rest.get(n.len()) {
                None => rest.len() == n.len() && rest == &***n,
                Some(&b) => b == b',' && rest.starts_with(n),
            })
            .map(|n| n.len())
    }

    /// The configured names, for diagnostics.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.names
            .iter()
            .filter_map(|m| std::str::from_utf8(m).ok())
    }

    /// How many names are listed, and the longest one's length: the bounds
    /// of what a request can usefully ask for.
    pub(super) fn bounds(&self) -> (usize, usize) {
        (self.names.len(), self.longest)
    }
}

fn cmp_ignore_ascii_case(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let n = a.len().min(b.len());
    for i in 0..n {
        let (x, y) = (a[i].to_ascii_lowercase(), b[i].to_ascii_lowercase());
        if x != y {
            return x.cmp(&y);
        }
    }
    a.len().cmp(&b.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::fetch::{is_forbidden_method, normalize_method};

    #[test]
    fn long_lists_are_searched_like_short_ones() {
        let names: Vec<String> = (0..100).map(|i| format!("X-Header-{i}")).collect();
        let long = AllowedHeaders::new(false, names.clone());
        let short = AllowedHeaders::new(false, names[..10].to_vec());
        for i in 0..100 {
            let lower = format!("x-header-{i}");
            assert!(long.contains(lower.as_bytes()));
            assert!(long.contains(lower.to_uppercase().as_bytes()));
            assert_eq!(short.contains(lower.as_bytes()), i < 10);
        }
        assert!(!long.contains(b"x-header-100"));
        assert!(!long.contains(b"x-header"));
        assert!(!short.contains(b""));
    }

    #[test]
    fn methods() {
        assert_eq!(normalize_method("get"), "GET");
        assert_eq!(normalize_method("Delete"), "DELETE");
        assert_eq!(normalize_method("patch"), "patch");
        assert_eq!(normalize_method("PATCH"), "PATCH");
        assert!(is_forbidden_method(b"connect"));
        assert!(is_forbidden_method(b"TRACK"));
        assert!(!is_forbidden_method(b"POST"));
        let list = AllowedMethods::List(vec![b"PUT".to_vec().into_boxed_slice()].into());
        assert!(list.allows(b"PUT"));
        assert!(list.allows(b"GET"));
        assert!(!list.allows(b"put"));
        assert!(!list.allows(b"DELETE"));
        assert!(AllowedMethods::Any.allows(b"PATCH"));
    }
}
