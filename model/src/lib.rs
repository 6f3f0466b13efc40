//! A model of what a browser does for CORS, written from the
//! [WHATWG Fetch standard](https://fetch.spec.whatwg.org/), and a doctor that
//! explains its verdicts.
//!
//! Hand it what a page's script passes to `fetch()` (a [`FetchRequest`]) and
//! the server's answers, and it says what the script would see: the response
//! (its status and the header names it may read) or a `TypeError`, with the
//! rule that failed ([`Failure`]). The [strict-cors] crate's test suites use it
//! as an oracle, and the `strict-cors check` command uses it to judge any
//! server, written in any language.
//!
//! ```
//! use http::{Request, Response};
//! use strict_cors_model::{Browser, Failure, FetchRequest, Outcome};
//!
//! let req = FetchRequest::new("https://app.example.com", "https://api.example.com/me", "PUT")
//!     .header("authorization", "Bearer t")
//!     .credentials(true);
//!
//! // A server whose preflight answer forgets `authorization`.
//! let mut server = |request: Request<()>| {
//!     let mut response = Response::builder()
//!         .header("access-control-allow-origin", "https://app.example.com")
//!         .header("access-control-allow-credentials", "true");
//!     if request.method() == "OPTIONS" {
//!         response = response
//!             .status(204)
//!             .header("access-control-allow-methods", "PUT")
//!             .header("access-control-allow-headers", "content-type");
//!     }
//!     response.body(()).unwrap()
//! };
//!
//! let (outcome, seen) = Browser::new().fetch(&req, &mut server);
//! assert_eq!(outcome, Outcome::Blocked(Failure::HeaderNotAllowed("authorization".into())));
//! assert_eq!(seen.len(), 1); // only the preflight was sent
//! ```
//!
//! # What is modelled
//!
//! | concern | items | Fetch section |
//! |---|---|---|
//! | the script's request | [`FetchRequest`], [`validate_request`], [`normalize_method`] | [§Methods](https://fetch.spec.whatwg.org/#methods), [§Fetch method](https://fetch.spec.whatwg.org/#fetch-method) |
//! | does it need a preflight? | [`is_cors_safelisted_method`], [`is_cors_safelisted_request_header`], [`cors_unsafe_request_header_names`], [`is_forbidden_request_header`], [`preflight_eligible`], [`needs_preflight`] | [§CORS-safelisted request-header](https://fetch.spec.whatwg.org/#cors-safelisted-request-header), [§HTTP fetch](https://fetch.spec.whatwg.org/#http-fetch) |
//! | the requests sent | [`preflight_request`], [`actual_request`] | [§CORS-preflight fetch](https://fetch.spec.whatwg.org/#cors-preflight-fetch) |
//! | judging a response | [`cors_check`], [`preflight_check`], [`preflight_check_under`], [`preflight_max_age`], [`AuthorizationUnderWildcard`] | [§CORS check](https://fetch.spec.whatwg.org/#cors-check), [§CORS-preflight fetch](https://fetch.spec.whatwg.org/#cors-preflight-fetch) |
//! | what the script reads | [`readable_response_headers`] | [§CORS-safelisted response-header name](https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name), [§Main fetch](https://fetch.spec.whatwg.org/#main-fetch) |
//! | the preflight cache | [`PreflightCache`] | [§CORS-preflight cache](https://fetch.spec.whatwg.org/#cors-preflight-cache) |
//! | the whole fetch | [`Browser::fetch`], [`Outcome`] | [§Main fetch](https://fetch.spec.whatwg.org/#main-fetch) |
//! | explaining a verdict | [`doctor::diagnose`]: the steps, the failed check, Chromium's console message, the fix | [§HTTP-redirect fetch](https://fetch.spec.whatwg.org/#http-redirect-fetch) too |
//! | parsing headers | [`extract_header_list_values`], [`get_combined`], [`get_decode_split`], [`mime_essence`], [`is_token`] | [§Headers](https://fetch.spec.whatwg.org/#terminology-headers) |
//!
//! Where the standard is ambiguous or browsers differ, the choice made is
//! written in the item's documentation under "Decision:". Where all of
//! today's engines knowingly deviate from the standard, the deviation is a
//! knob: [`AuthorizationUnderWildcard`] (`*` covering `authorization`
//! without credentials), the standard's rule by default in [`Browser`], the
//! engines' in the doctor.
//!
//! # Scope
//!
//! Every request is a cross-origin request in "cors" mode (what `fetch()` does
//! for another origin). [`Browser::fetch`] does not follow redirects (the
//! status of a 3xx actual response is reported as is); cookies are not
//! modelled (only the credentials flag is); the network partition key of the
//! preflight cache is not modelled; and the user agent's own request headers
//! (`Accept`, `Accept-Language`, `User-Agent`, `Sec-Fetch-*`) are not added to
//! the actual request.
//!
//! [strict-cors]: https://crates.io/crates/strict-cors

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod browser;
mod cache;
mod cors_check;
pub mod doctor;
mod engine_rules;
mod failure;
mod preflight;
mod request;
mod response;
mod safelist;
mod syntax;

pub use browser::{is_preflight, Browser, Outcome};
pub use cache::PreflightCache;
pub use cors_check::cors_check;
pub use engine_rules::AuthorizationUnderWildcard;
pub use failure::Failure;
pub use preflight::{
    preflight_check, preflight_check_under, preflight_check_with_cap, preflight_max_age,
    PreflightResult, DEFAULT_MAX_AGE, DEFAULT_MAX_AGE_CAP,
};
pub use request::{actual_request, preflight_request, validate_request, FetchRequest};
pub use response::{
    is_cors_safelisted_response_header_name, is_forbidden_response_header_name,
    readable_response_headers,
};
pub use safelist::{
    cors_unsafe_request_header_names, is_cors_safelisted_request_header,
    is_cors_unsafe_request_header_byte, is_forbidden_request_header, needs_preflight,
    preflight_eligible, request_header_list, SAFELISTED_TOTAL_MAX, SAFELISTED_VALUE_MAX,
};
pub use syntax::{
    extract_header_list_values, get_combined, get_decode_split, is_cors_safelisted_method,
    is_forbidden_method, is_token, mime_essence, normalize_method, HeaderListValues,
};

#[cfg(test)]
mod tests;
