//! The whole fetch ([`Browser::fetch`]): what the script sees
//! ([`Outcome`]) for a request and a server.

use http::header::ACCESS_CONTROL_REQUEST_METHOD;
use http::{Method, Request, Response};

use crate::cache::PreflightCache;
use crate::cors_check::cors_check;
use crate::engine_rules::AuthorizationUnderWildcard;
use crate::failure::Failure;
use crate::preflight::{preflight_check_under, DEFAULT_MAX_AGE_CAP};
use crate::request::{actual_request, preflight_request, validate_request, FetchRequest};
use crate::response::readable_response_headers;
use crate::safelist::preflight_eligible;

/// What the script sees.
///
/// ([§Main fetch](https://fetch.spec.whatwg.org/#main-fetch): a response, or a network error.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The script gets the response: its status and the header names it may
    /// read (lowercased, sorted).
    Readable {
        /// The response's status (any status: a 401 with the right headers
        /// is readable).
        status: u16,
        /// The response header names the script may read, lowercased and
        /// sorted (see [`readable_response_headers`](crate::readable_response_headers)).
        readable_headers: Vec<String>,
    },
    /// The script sees a TypeError (network error).
    Blocked(Failure),
}

impl Outcome {
    /// Whether the script got a response.
    pub fn is_readable(&self) -> bool {
        matches!(self, Outcome::Readable { .. })
    }

    /// The failure, when blocked.
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            Outcome::Blocked(f) => Some(f),
            Outcome::Readable { .. } => None,
        }
    }
}

/// Whether the first request a server saw is a CORS-preflight request.
///
/// ([§CORS-preflight request](https://fetch.spec.whatwg.org/#cors-preflight-request): `OPTIONS` with `Access-Control-Request-Method`.)
pub fn is_preflight(request: &Request<()>) -> bool {
    request.method() == Method::OPTIONS
        && request
            .headers()
            .contains_key(ACCESS_CONTROL_REQUEST_METHOD)
}

/// A browser: its preflight cache, a clock (seconds) and its max-age cap.
///
/// ([§Fetching](https://fetch.spec.whatwg.org/#fetching) as a user agent runs it.)
#[derive(Clone, Debug)]
pub struct Browser {
    /// The [§CORS-preflight cache](https://fetch.spec.whatwg.org/#cors-preflight-cache).
    pub cache: PreflightCache,
    /// The clock, in seconds since the browser started.
    pub now_secs: u64,
    /// Cap on `Access-Control-Max-Age` (7200 like Chromium by default).
    pub max_age_cap: u64,
    /// Whether `*` covers `authorization` without credentials: the
    /// standard's "never" by default, today's engines' "yes" with
    /// [`AuthorizationUnderWildcard::Engines2026`]. Used by the preflight
    /// check and by the preflight cache's lookups alike.
    pub authorization_under_wildcard: AuthorizationUnderWildcard,
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

impl Browser {
    /// A browser with an empty preflight cache, at time 0, with Chromium's
    /// max-age cap ([`DEFAULT_MAX_AGE_CAP`]), following the standard on
    /// `authorization` under `*` ([`AuthorizationUnderWildcard::Standard`]).
    pub fn new() -> Self {
        Browser {
            cache: PreflightCache::default(),
            now_secs: 0,
            max_age_cap: DEFAULT_MAX_AGE_CAP,
            authorization_under_wildcard: AuthorizationUnderWildcard::Standard,
        }
    }

    /// [`Browser::new`], but judging `authorization` under `*` as today's
    /// Chromium, Firefox and WebKit do
    /// ([`AuthorizationUnderWildcard::Engines2026`]).
    pub fn like_engines_2026() -> Self {
        Browser {
            authorization_under_wildcard: AuthorizationUnderWildcard::Engines2026,
            ..Browser::new()
        }
    }

    /// Moves the clock forward.
    pub fn advance(&mut self, secs: u64) {
        self.now_secs = self.now_secs.saturating_add(secs);
    }

    /// Runs the whole algorithm ([§Main fetch](https://fetch.spec.whatwg.org/#main-fetch), [§HTTP fetch](https://fetch.spec.whatwg.org/#http-fetch)):
    /// 1. what `fetch()` checks itself (method, headers, URL): a failure is
    ///    `Blocked` with no request sent;
    /// 2. if a preflight is needed and the cache does not cover the request,
    ///    sends [`preflight_request`] through `server` and runs
    ///    [`preflight_check_under`] (with [`Browser::max_age_cap`] and
    ///    [`Browser::authorization_under_wildcard`]): on success the result is stored in the
    ///    cache, on failure the origin+URL entries are cleared and the fetch
    ///    is blocked;
    /// 3. sends [`actual_request`] through `server` and runs [`cors_check`]
    ///    on its response, whatever its status.
    ///
    /// [§Main fetch](https://fetch.spec.whatwg.org/#main-fetch): "If corsWithPreflightResponse is a network error, then
    /// clear cache entries using request", so a request that takes the
    /// preflight path (method not safelisted or unsafe headers, cached or not)
    /// also clears the origin+URL entries when the actual response fails the
    /// CORS check. (Chromium does not do this last part; nothing observable
    /// differs except for the next request's preflight.)
    ///
    /// Returns the outcome and the requests the server saw, in order.
    pub fn fetch(
        &mut self,
        req: &FetchRequest,
        server: &mut dyn FnMut(Request<()>) -> Response<()>,
    ) -> (Outcome, Vec<Request<()>>) {
        let mut seen = Vec::new();
        if let Err(failure) = validate_request(req) {
            return (Outcome::Blocked(failure), seen);
        }
        let with_preflight = preflight_eligible(req);

        let rule = self.authorization_under_wildcard;
        if with_preflight && !self.cache.covers_under(req, self.now_secs, rule) {
            seen.push(preflight_request(req));
            let response = server(preflight_request(req));
            match preflight_check_under(
                req,
                response.status(),
                response.headers(),
                self.max_age_cap,
                rule,
            ) {
                Ok(result) => self.cache.store(req, &result, self.now_secs),
                Err(failure) => {
                    self.cache.clear(&req.origin, &req.url);
                    return (Outcome::Blocked(failure), seen);
                }
            }
        }

        seen.push(actual_request(req));
        let response = server(actual_request(req));
        match cors_check(req, response.headers()) {
            Ok(()) => (
                Outcome::Readable {
                    status: response.status().as_u16(),
                    readable_headers: readable_response_headers(req, response.headers()),
                },
                seen,
            ),
            Err(failure) => {
                if with_preflight {
                    self.cache.clear(&req.origin, &req.url);
                }
                (Outcome::Blocked(failure), seen)
            }
        }
    }
}
