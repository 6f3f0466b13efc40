//! The allowlist that request `Origin` values are looked up in.
//!
//! Every normalised origin is kept once, in one contiguous arena (each
//! followed by `\n`), indexed by a compact open-addressing table of offsets:
//! no allocation per origin, about 1.5 times the origins' text in memory. The
//! `Access-Control-Allow-Origin` value of a match is the request's own
//! `Origin` value, equal to the entry byte for byte: a clone of the request's
//! bytes, not an allocation.

use std::fmt;

use bytes::Bytes;
use http::HeaderValue;

use super::hash::hash_bytes;
use super::matcher::PatternSet;
use super::pattern::ParsedPattern;
use super::table::Index;

/// Up to this many exact origins (most deployments list a handful), an
/// `Origin` is compared with each, length first, instead of hashed: the hash
/// is a chain of multiplications the lookup waits for, and a length that
/// differs settles most comparisons at once.
const SMALL: usize = 8;

/// The compiled allowlist: exact origins and patterns.
#[derive(Clone, Default)]
pub(crate) struct OriginSet {
    /// The normalised origins, each followed by `\n`, in configuration order.
    arena: Bytes,
    index: Index,
    /// Where each origin is in the arena (offset, length), when there are at
    /// most [`SMALL`]; empty otherwise.
    small: Vec<(usize, usize)>,
    /// Subdomain and any-port patterns, tried after the exact lookup misses.
    patterns: PatternSet,
}

/// Collects an [`OriginSet`] at `build()`.
#[derive(Default)]
pub(crate) struct OriginSetBuilder {
    arena: Vec<u8>,
    index: Index,
    patterns: PatternSet,
    /// Something did not fit the index (over 4 GiB of origins).
    overflow: bool,
}

impl OriginSetBuilder {
    /// Room for `origins` exact origins and `patterns` patterns, with
    /// `text` bytes of origins, without growing.
    pub(crate) fn with_capacity(origins: usize, patterns: usize, text: usize) -> Self {
        OriginSetBuilder {
            arena: Vec::with_capacity(text + origins),
            index: Index::with_capacity(origins),
            patterns: PatternSet::with_capacity(patterns),
            overflow: false,
        }
    }

    /// Adds a normalised origin; a duplicate is ignored.
    pub(crate) fn insert(&mut self, serialized: &str) {
        let bytes = serialized.as_bytes();
        let arena = &self.arena;
        let added = self.index.insert(
            hash_bytes(bytes),
            (arena.len(), bytes.len(), 0),
            |off, len| arena.get(off..off + len) == Some(bytes),
            |off, len| hash_bytes(arena.get(off..off + len).unwrap_or_default()),
        );
        match added {
            Some(true) => {
                self.arena.extend_from_slice(bytes);
                self.arena.push(b'\n');
            }
            Some(false) => {}
            None => self.overflow = true,
        }
    }

    /// Adds a parsed pattern; a duplicate is ignored.
    pub(crate) fn insert_pattern(&mut self, pattern: &ParsedPattern) {
        if !self.patterns.insert(pattern) {
            self.overflow = true;
        }
    }

    /// The set; `None` when it outgrew the index.
    pub(crate) fn finish(mut self) -> Option<OriginSet> {
        if self.overflow {
            return None;
        }
        self.arena.shrink_to_fit();
        self.patterns.shrink_to_fit();
        let arena = Bytes::from(self.arena);
        let mut small = Vec::new();
        if self.index.len() <= SMALL {
            let mut start = 0;
            for (i, _) in arena.iter().enumerate().filter(|(_, &b)| b == b'\n') {
                small.push((start, i - start));
                start = i + 1;
            }
        }
        Some(OriginSet {
            arena,
            index: self.index,
            small,
            patterns: self.patterns,
        })
    }
}

impl OriginSet {
    /// The position of a request's `Origin` bytes in the arena, when they
    /// are an allowed exact origin. Byte-exact: no case folding, no trimming.
    #[inline]
    fn find(&self, origin: &[u8]) -> Option<(usize, usize)> {
        let arena = &self.arena;
        let eq = |off: usize, len: usize| {
            len == origin.len() && arena.get(off..off + len) == Some(origin)
        };
        if self.index.len() <= SMALL {
            return self.small.iter().copied().find(|&(off, len)| eq(off, len));
        }
        self.index
            .find(hash_bytes(origin), eq)
            .map(|found| (found.off, found.len))
    }

    /// Whether these exact bytes are an allowed exact origin.
    #[cfg(test)]
    pub(crate) fn contains(&self, origin: &[u8]) -> bool {
        self.find(origin).is_some()
    }

    /// The normalised exact origins, in configuration order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &[u8]> {
        self.arena.split(|&b| b == b'\n').filter(|o| !o.is_empty())
    }

    /// The number of distinct exact origins.
    pub(crate) fn len(&self) -> usize {
        self.index.len()
    }

    /// The normalised patterns, in configuration order.
    pub(crate) fn patterns(&self) -> impl Iterator<Item = &str> {
        self.patterns.iter()
    }

    /// The number of distinct patterns.
    pub(crate) fn pattern_count(&self) -> usize {
        self.patterns.len()
    }

    /// The `Access-Control-Allow-Origin` value for a request's `Origin`, when
    /// allowed: the request's own value, which an exact match equals byte
    /// for byte (a clone of the request's bytes: a reference-count bump at
    /// most, and no validation of a new value).
    #[inline]
    pub(crate) fn allow(&self, origin: &HeaderValue) -> Option<HeaderValue> {
        let bytes = origin.as_bytes();
        // An exact match is the request's value byte for byte: echoing it is
        // a clone of the request's bytes (no validation of a new value).
        if self.find(bytes).is_some() || (!self.patterns.is_empty() && self.patterns.matches(bytes))
        {
            return Some(origin.clone());
        }
        None
    }
}

impl fmt::Debug for OriginSet {
    /// A count and the first few origins, never the whole arena.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let first: Vec<&str> = self
            .iter()
            .take(8)
            .filter_map(|o| std::str::from_utf8(o).ok())
            .collect();
        f.debug_struct("OriginSet")
            .field("len", &self.len())
            .field("first", &first)
            .field("patterns", &self.patterns().take(8).collect::<Vec<_>>())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(origins: &[&str]) -> OriginSet {
        let mut b = OriginSetBuilder::default();
        for o in origins {
            b.insert(o);
        }
        b.finish().unwrap()
    }

    #[test]
    fn small_and_hashed_sets_answer_alike() {
        // Up to SMALL origins are compared one by one, more are hashed: at
        // the boundary and beyond, every origin is found (duplicates kept
        // once) and no near miss is.
        for n in [0, 1, SMALL - 1, SMALL, SMALL + 1, 100] {
            let origins: Vec<String> = (0..n)
                .map(|i| format!("https://app{i}.example.com"))
                .collect();
            let mut with_duplicates: Vec<&str> = origins.iter().map(String::as_str).collect();
            with_duplicates.extend(origins.iter().take(3).map(String::as_str));
            let set = set(&with_duplicates);
            assert_eq!(set.len(), n);
            for o in &origins {
                assert!(set.contains(o.as_bytes()), "{o} in {n}");
                // Same length, one byte off; a prefix; a longer value.
                let mut off = o.clone().into_bytes();
                let last = off.len() - 1;
                off[last] ^= 1;
                assert!(!set.contains(&off), "{n}");
                assert!(!set.contains(&o.as_bytes()[..last]), "{n}");
                assert!(!set.contains(format!("{o}.").as_bytes()), "{n}");
            }
            assert!(!set.contains(b"https://appx.example.com"));
            assert!(!set.contains(b""));
        }
    }

    #[test]
    fn set_lookup_is_byte_exact() {
        let set = set(&[
            "https://app.example.com",
            "https://b.example.com",
            "https://app.example.com",
        ]);
        assert!(set.contains(b"https://app.example.com"));
        assert_eq!(set.len(), 2);
        for miss in [
            "https://app.example.com.evil.net",
            "https://evilapp.example.com",
            "http://app.example.com",
            "https://app.example.com:8443",
            "https://APP.example.com",
            "https://app.example.com/",
            "https://app.example.com\n",
            "https://app.example.co",
            "null",
            "",
        ] {
            assert!(!set.contains(miss.as_bytes()), "{miss:?}");
        }
        let value = HeaderValue::from_static("https://b.example.com");
        assert_eq!(set.allow(&value).unwrap(), "https://b.example.com");
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            vec![&b"https://app.example.com"[..], b"https://b.example.com"]
        );
    }

    #[test]
    fn grows_past_its_capacity() {
        let mut b = OriginSetBuilder::with_capacity(1, 0, 10);
        let all: Vec<String> = (0..5000)
            .map(|i| format!("https://t{i}.example.com"))
            .collect();
        for o in &all {
            b.insert(o);
        }
        let set = b.finish().unwrap();
        assert_eq!(set.len(), 5000);
        assert!(all.iter().all(|o| set.contains(o.as_bytes())));
        assert!(!set.contains(b"https://t5000.example.com"));
    }
}
