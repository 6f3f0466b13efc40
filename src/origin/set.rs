//! The allowlist that request `Origin` values are looked up in.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use http::HeaderValue;

use super::hash::WordHasher;
use super::pattern::{ParsedPattern, PatternSet};

/// The exact-origin allowlist: normalised origin bytes → the pre-rendered
/// `Access-Control-Allow-Origin` value.
#[derive(Debug, Clone, Default)]
pub(crate) struct OriginSet {
    map: HashMap<Box<[u8]>, HeaderValue, BuildHasherDefault<WordHasher>>,
    /// Subdomain patterns, tried after the exact lookup misses.
    patterns: PatternSet,
}

impl OriginSet {
    pub(crate) fn insert(&mut self, serialized: &str) {
        if let Ok(value) = HeaderValue::from_str(serialized) {
            // A value built from owned bytes turns shareable on its first clone
            // (which allocates once); do that here, so cloning it per request
            // is a reference-count bump.
            let shared = value.clone();
            self.map.insert(serialized.as_bytes().into(), shared);
        }
    }

    /// The `Access-Control-Allow-Origin` value for a request's `Origin`
    /// bytes, when they are allowed. Byte-exact: no case folding, no trimming.
    #[inline]
    pub(crate) fn get(&self, origin: &[u8]) -> Option<&HeaderValue> {
        self.map.get(origin)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &[u8]> {
        self.map.keys().map(|k| &**k)
    }

    pub(crate) fn insert_pattern(&mut self, pattern: &ParsedPattern) {
        self.patterns.insert(pattern);
    }

    /// The normalised subdomain patterns.
    pub(crate) fn patterns(&self) -> impl Iterator<Item = &str> {
        self.patterns.iter()
    }

    /// The `Access-Control-Allow-Origin` value for a request's `Origin`, when
    /// allowed: the pre-rendered value of an exact match, or else, for a
    /// pattern match, the request's own value (a reference-count bump).
    #[inline]
    pub(crate) fn allow(&self, origin: &HeaderValue) -> Option<HeaderValue> {
        if let Some(v) = self.get(origin.as_bytes()) {
            return Some(v.clone());
        }
        if !self.patterns.is_empty() && self.patterns.matches(origin.as_bytes()) {
            return Some(origin.clone());
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_lookup_is_byte_exact() {
        let mut set = OriginSet::default();
        set.insert("https://app.example.com");
        assert!(set.get(b"https://app.example.com").is_some());
        for miss in [
            "https://app.example.com.evil.net",
            "https://evilapp.example.com",
            "http://app.example.com",
            "https://app.example.com:8443",
            "https://APP.example.com",
            "https://app.example.com/",
            "null",
            "",
        ] {
            assert!(set.get(miss.as_bytes()).is_none(), "{miss}");
        }
    }
}
