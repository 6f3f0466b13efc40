//! The [§CORS-preflight cache].
//!
//! [§CORS-preflight cache]: https://fetch.spec.whatwg.org/#cors-preflight-cache

use crate::engine_rules::AuthorizationUnderWildcard;
use crate::preflight::PreflightResult;
use crate::request::FetchRequest;
use crate::safelist::cors_unsafe_request_header_names;
use crate::syntax::{is_cors_safelisted_method, normalize_method};

#[derive(Clone, Debug, PartialEq, Eq)]
enum CacheItem {
    /// Compared byte-exact.
    Method(String),
    /// Stored lowercased, compared case-insensitively.
    Header(String),
}

#[derive(Clone, Debug)]
struct CacheEntry {
    origin: String,
    url: String,
    credentials: bool,
    expires_at: u64,
    item: CacheItem,
}

/// [§CORS-preflight cache](https://fetch.spec.whatwg.org/#cors-preflight-cache): one entry per (origin, URL, credentials flag, method
/// or header name), each with its expiry. The network partition key is not
/// modelled.
///
/// Matching ([§CORS-preflight cache](https://fetch.spec.whatwg.org/#cors-preflight-cache), "cache entry match"): same origin and URL,
/// and the entry is credentialed or the request is not (a credentialed entry
/// serves both modes, an uncredentialed one only uncredentialed requests). A
/// method entry matches when its method is byte-equal to the request's; a
/// header entry when its name matches case-insensitively. A `*` entry matches
/// any method, or any header name but `authorization` (unless
/// [`AuthorizationUnderWildcard::Engines2026`] is asked for: see
/// [`covers_under`](Self::covers_under)), and only for a non-credentialed
/// request (in credentialed mode `*` is not a wildcard).
///
/// Decision: a CORS-safelisted method is always covered. The standard reads
/// as if a preflight made for an unsafe header on `GET`/`POST` also needed a
/// method entry, but Chromium, Firefox and WebKit skip the method check for
/// safelisted methods, and a preflight without `Access-Control-Allow-Methods`
/// stores no method entry at all.
///
/// Decision: storing an entry that exists already (same origin, URL,
/// credentials flag and item) replaces its expiry (now + max-age); the
/// standard only says "set matched entry's max-age to max-age".
#[derive(Default, Clone, Debug)]
pub struct PreflightCache {
    entries: Vec<CacheEntry>,
}

impl PreflightCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// [§CORS-preflight fetch](https://fetch.spec.whatwg.org/#cors-preflight-fetch), steps 7.12-7.15: create or refresh one entry per
    /// allowed method and per allowed header name, expiring `result.max_age`
    /// seconds from `now_secs`. Expired entries are dropped. A max-age of 0
    /// stores nothing (and ends the life of matching entries).
    pub fn store(&mut self, req: &FetchRequest, result: &PreflightResult, now_secs: u64) {
        self.entries.retain(|e| now_secs < e.expires_at);
        let items = result
            .methods
            .iter()
            .map(|m| CacheItem::Method(m.clone()))
            .chain(
                result
                    .headers
                    .iter()
                    .map(|h| CacheItem::Header(h.to_ascii_lowercase())),
            );
        let expires_at = now_secs.saturating_add(result.max_age);
        for item in items {
            self.entries.retain(|e| {
                !(e.origin == req.origin
                    && e.url == req.url
                    && e.credentials == req.credentials
                    && e.item == item)
            });
            if result.max_age > 0 {
                self.entries.push(CacheEntry {
                    origin: req.origin.clone(),
                    url: req.url.clone(),
                    credentials: req.credentials,
                    expires_at,
                    item,
                });
            }
        }
    }

    fn live_matches<'a>(
        &'a self,
        req: &'a FetchRequest,
        now_secs: u64,
    ) -> impl Iterator<Item = &'a CacheEntry> + 'a {
        self.entries.iter().filter(move |e| {
            now_secs < e.expires_at
                && e.origin == req.origin
                && e.url == req.url
                && (e.credentials || !req.credentials)
        })
    }

    /// [§CORS-preflight cache](https://fetch.spec.whatwg.org/#cors-preflight-cache), "method cache entry match".
    pub fn method_match(&self, req: &FetchRequest, method: &str, now_secs: u64) -> bool {
        self.live_matches(req, now_secs).any(|e| match &e.item {
            CacheItem::Method(m) => m == method || (m == "*" && !req.credentials),
            CacheItem::Header(_) => false,
        })
    }

    /// [§CORS-preflight cache](https://fetch.spec.whatwg.org/#cors-preflight-cache), "header-name cache entry match"
    /// (the standard's rule: `*` never matches `authorization`).
    pub fn header_match(&self, req: &FetchRequest, name: &str, now_secs: u64) -> bool {
        self.header_match_under(req, name, now_secs, AuthorizationUnderWildcard::Standard)
    }

    /// [`header_match`](Self::header_match), with `*` matching
    /// `authorization` as [`AuthorizationUnderWildcard`] says.
    pub fn header_match_under(
        &self,
        req: &FetchRequest,
        name: &str,
        now_secs: u64,
        authorization: AuthorizationUnderWildcard,
    ) -> bool {
        let wildcard_covers = |name: &str| {
            !req.credentials
                && (!name.eq_ignore_ascii_case("authorization")
                    || authorization.wildcard_covers_authorization(req.credentials))
        };
        self.live_matches(req, now_secs).any(|e| match &e.item {
            CacheItem::Header(h) => {
                h.eq_ignore_ascii_case(name) || (h == "*" && wildcard_covers(name))
            }
            CacheItem::Method(_) => false,
        })
    }

    /// Whether the cache covers the request's method and every one of its
    /// CORS-unsafe request-header names ([§HTTP fetch](https://fetch.spec.whatwg.org/#http-fetch)), so no preflight is
    /// needed (the standard's rule on `authorization`).
    pub fn covers(&self, req: &FetchRequest, now_secs: u64) -> bool {
        self.covers_under(req, now_secs, AuthorizationUnderWildcard::Standard)
    }

    /// [`covers`](Self::covers), with `*` matching `authorization` as
    /// [`AuthorizationUnderWildcard`] says.
    pub fn covers_under(
        &self,
        req: &FetchRequest,
        now_secs: u64,
        authorization: AuthorizationUnderWildcard,
    ) -> bool {
        let method = normalize_method(&req.method);
        (is_cors_safelisted_method(&method) || self.method_match(req, &method, now_secs))
            && cors_unsafe_request_header_names(&req.headers)
                .iter()
                .all(|n| self.header_match_under(req, n, now_secs, authorization))
    }

    /// [§CORS-preflight cache](https://fetch.spec.whatwg.org/#cors-preflight-cache), "clear cache entries": remove every entry for
    /// this origin and URL (both credentials modes).
    pub fn clear(&mut self, origin: &str, url: &str) {
        self.entries
            .retain(|e| !(e.origin == origin && e.url == url));
    }

    /// Number of entries stored (expired ones are dropped by `store`).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no entry is stored.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
