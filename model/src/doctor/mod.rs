//! The CORS doctor: asks a server what a browser would ask, judges each
//! answer with the model, and explains the verdict (which check failed, the
//! console message Chromium prints, the fix).
//!
//! [`diagnose`] runs the whole fetch of a [`Check`] the way a browser does
//! ([§Main fetch](https://fetch.spec.whatwg.org/#main-fetch)): the preflight
//! when one is needed, the actual request, and redirects hop by hop
//! ([§HTTP-redirect fetch](https://fetch.spec.whatwg.org/#http-redirect-fetch)).
//! It does no I/O itself: every request goes through a [`Transport`], so a
//! test can hand it scripted responses ([`Scripted`]) and the
//! `strict-cors check` command a real HTTP client.
//!
//! ```
//! use http::Response;
//! use strict_cors_model::doctor::{diagnose, Check, Scripted};
//! use strict_cors_model::FetchRequest;
//!
//! let req = FetchRequest::new("https://app.example.com", "https://api.example.com/me", "GET")
//!     .credentials(true);
//! let mut server = Scripted::new(vec![Response::builder()
//!     .header("access-control-allow-origin", "*")
//!     .body(())
//!     .unwrap()]);
//! let diagnosis = diagnose(&Check::new(req), &mut server);
//! assert!(!diagnosis.readable);
//! let failure = diagnosis.failure.unwrap();
//! assert_eq!(failure.code, "wildcard_with_credentials");
//! assert!(failure.console.contains("must not be the wildcard '*'"));
//! ```

mod explain;
mod probe;
mod redirect;
mod run;
mod warnings;

use std::collections::VecDeque;

use http::{HeaderMap, Request, Response};

use crate::engine_rules::AuthorizationUnderWildcard;
use crate::request::FetchRequest;

pub use probe::PROBE_ORIGIN;
pub use redirect::url_origin;
pub use run::diagnose;

/// The doctor's verdict on `request` against scripted `responses` (one per
/// request it sends, in order: the preflight if one is needed, then the
/// actual request, then each redirect hop), with every request sent
/// (`send_unsafe`), no cookie and no probe, judging `authorization` under `*`
/// as today's engines do ([`Check::new`]); also returns the requests sent.
///
/// ```
/// use http::Response;
/// use strict_cors_model::{doctor, FetchRequest};
///
/// let req = FetchRequest::new("https://app.example.com", "https://api.example.com/x", "GET");
/// let ok = Response::builder().header("access-control-allow-origin", "*").body(()).unwrap();
/// let (diagnosis, sent) = doctor::judge(&req, vec![ok]);
/// assert!(diagnosis.readable);
/// assert_eq!(sent.len(), 1);
/// ```
pub fn judge(
    request: &FetchRequest,
    responses: Vec<Response<()>>,
) -> (Diagnosis, Vec<Request<()>>) {
    let mut check = Check::new(request.clone());
    check.send_unsafe = true;
    let mut transport = Scripted::new(responses);
    let diagnosis = diagnose(&check, &mut transport);
    (diagnosis, transport.sent)
}

/// What to check: the script's request and how far the doctor may go.
#[derive(Clone, Debug)]
pub struct Check {
    /// The `fetch()` call, as the page's script makes it.
    pub request: FetchRequest,
    /// Send the actual request even when its method is not `GET` or `HEAD`.
    /// Without it, an unsafe actual request (`POST`, `PUT`, `DELETE`, ...)
    /// is never sent: the verdict then covers the preflight only.
    pub send_unsafe: bool,
    /// A `Cookie` header value for the actual request (credentialed requests
    /// only: the preflight never carries cookies).
    pub cookie: Option<String>,
    /// Response header names the script means to read: each one it cannot
    /// read is a warning (`header_not_exposed`).
    pub read_headers: Vec<String>,
    /// Once the page's origin is allowed by name, send the same preflight
    /// (or `GET`/`HEAD`) once more from [`PROBE_ORIGIN`]: a server that
    /// allows it too reflects any origin (warning `reflects_any_origin`).
    /// One request more than a browser would send, so off by default.
    pub probe_other_origin: bool,
    /// Whether `*` in `Access-Control-Allow-Headers` covers `authorization`
    /// without credentials. Defaults to what today's Chromium, Firefox and
    /// WebKit do ([`AuthorizationUnderWildcard::Engines2026`]): the response
    /// is readable, with the warning `authorization_under_wildcard` (the
    /// standard says it is blocked, and engines are expected to enforce
    /// it). [`AuthorizationUnderWildcard::Standard`] judges by the standard
    /// (`authorization_not_covered_by_wildcard`).
    pub authorization_under_wildcard: AuthorizationUnderWildcard,
}

impl Check {
    /// A check of `request` that sends no unsafe request, no cookie, reads
    /// no particular header, and judges `authorization` under `*` as today's
    /// engines do.
    pub fn new(request: FetchRequest) -> Self {
        Check {
            request,
            send_unsafe: false,
            cookie: None,
            read_headers: Vec::new(),
            probe_other_origin: false,
            authorization_under_wildcard: AuthorizationUnderWildcard::Engines2026,
        }
    }
}

/// Sends one request and returns the response's head (status and headers;
/// the body is not needed), or a description of the network error.
///
/// Implemented for closures, and by [`Scripted`] for tests.
pub trait Transport {
    /// Sends `request` exactly as given (no redirect following, no added
    /// `Origin`, no cookies of its own).
    ///
    /// # Errors
    ///
    /// A network error (connection refused, TLS, timeout), as text.
    fn send(&mut self, request: &Request<()>) -> Result<Response<()>, String>;
}

impl<F> Transport for F
where
    F: FnMut(&Request<()>) -> Result<Response<()>, String>,
{
    fn send(&mut self, request: &Request<()>) -> Result<Response<()>, String> {
        self(request)
    }
}

/// A [`Transport`] that answers with scripted responses, in order, and keeps
/// the requests it was sent: the doctor's verdict for a (request, responses)
/// pair, without a network.
#[derive(Clone, Debug, Default)]
pub struct Scripted {
    responses: VecDeque<Response<()>>,
    /// Every request sent, in order.
    pub sent: Vec<Request<()>>,
}

impl Scripted {
    /// Answers the first request with `responses[0]`, the second with
    /// `responses[1]`, and so on; a request past the end is a network error.
    pub fn new(responses: Vec<Response<()>>) -> Self {
        Scripted {
            responses: responses.into(),
            sent: Vec::new(),
        }
    }
}

impl Transport for Scripted {
    fn send(&mut self, request: &Request<()>) -> Result<Response<()>, String> {
        let mut copy = Request::new(());
        *copy.method_mut() = request.method().clone();
        *copy.uri_mut() = request.uri().clone();
        *copy.headers_mut() = request.headers().clone();
        self.sent.push(copy);
        self.responses
            .pop_front()
            .ok_or_else(|| "no scripted response left".to_string())
    }
}

/// How a step went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    /// What the browser decides or sends.
    Info,
    /// A check that passed.
    Pass,
    /// The check that failed: the browser blocks the response.
    Fail,
    /// Something that works but will bite (caches, unreadable headers).
    Warn,
    /// Something the doctor did not do (an unsafe request not sent).
    Skip,
}

/// One line of the story: what the browser did or decided, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// How it went.
    pub kind: StepKind,
    /// One line, for a person.
    pub text: String,
}

/// One request the doctor sent and the head of its response.
#[derive(Clone, Debug)]
pub struct Exchange {
    /// The request, as sent.
    pub request: Request<()>,
    /// The response's status.
    pub status: u16,
    /// The response's headers.
    pub headers: HeaderMap,
}

/// Why the browser blocks the response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blocked {
    /// A stable code: `no_allow_origin`, `wildcard_with_credentials`,
    /// `allow_origin_mismatch`, `multiple_allow_origin`,
    /// `allow_credentials_not_true`, `preflight_status`,
    /// `preflight_redirected`, `allow_methods_unparsable`,
    /// `allow_headers_unparsable`, `method_not_allowed`,
    /// `header_not_allowed`, `authorization_not_covered_by_wildcard`,
    /// `invalid_request`, `redirect_invalid_location`, `redirect_not_http`,
    /// `redirect_with_credentials_in_url`, `too_many_redirects`.
    pub code: &'static str,
    /// Whether the preflight (rather than the actual response) failed.
    pub in_preflight: bool,
    /// What failed, in one line ("authorization is not listed in
    /// Access-Control-Allow-Headers").
    pub summary: String,
    /// The message Chromium prints in the console for it.
    pub console: String,
    /// How to fix it, in one or two sentences.
    pub fix: String,
    /// The strict-cors builder call that would do it, when there is one.
    pub builder: Option<String>,
}

/// Chromium's console line for a fetch of `url` from `page_origin` blocked
/// for `reason`: `Access to fetch at '<url>' [(redirected from '<url>')]
/// from origin '<origin>' has been blocked by CORS policy: <reason>`.
pub(crate) fn console_line(
    url: &str,
    redirected_from: Option<&str>,
    page_origin: &str,
    reason: &str,
) -> String {
    let from = redirected_from
        .map(|u| format!(" (redirected from '{u}')"))
        .unwrap_or_default();
    format!(
        "Access to fetch at '{url}'{from} from origin '{page_origin}' has been blocked by CORS policy: {reason}"
    )
}

/// A problem that does not block this response but will bite.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// A stable code: `vary_origin_missing`, `header_not_exposed`,
    /// `expose_wildcard_with_credentials`, `actual_not_sent`,
    /// `reflects_any_origin`, `authorization_under_wildcard` (the preflight
    /// passes only because today's engines let `*` cover `authorization`,
    /// which the standard forbids).
    pub code: &'static str,
    /// One line, for a person.
    pub message: String,
}

/// The doctor's verdict on a [`Check`].
#[derive(Clone, Debug)]
pub struct Diagnosis {
    /// Whether the script could read the response (when the actual request
    /// was not sent: whether the preflight passed).
    pub readable: bool,
    /// Whether the actual response was sent and judged.
    pub actual_checked: bool,
    /// The status of the response the script reads, when readable and sent.
    pub status: Option<u16>,
    /// The header names the script can read, when readable and sent.
    pub readable_headers: Vec<String>,
    /// What happened, in order.
    pub steps: Vec<Step>,
    /// The first preflight, if one was sent.
    pub preflight: Option<Exchange>,
    /// Every request sent and its response, in order (preflights, actual
    /// requests, redirect hops).
    pub exchanges: Vec<Exchange>,
    /// Why the browser blocks the response, if it does.
    pub failure: Option<Blocked>,
    /// Problems that do not block this response.
    pub warnings: Vec<Warning>,
    /// A network error: the doctor has no verdict.
    pub error: Option<String>,
}

impl Diagnosis {
    fn new() -> Self {
        Diagnosis {
            readable: false,
            actual_checked: false,
            status: None,
            readable_headers: Vec::new(),
            steps: Vec::new(),
            preflight: None,
            exchanges: Vec::new(),
            failure: None,
            warnings: Vec::new(),
            error: None,
        }
    }

    fn step(&mut self, kind: StepKind, text: impl Into<String>) {
        self.steps.push(Step {
            kind,
            text: text.into(),
        });
    }

    /// Whether there is a verdict: no network error, and something was
    /// judged (a request blocked by `fetch()` itself counts).
    pub fn has_verdict(&self) -> bool {
        self.error.is_none()
            && (self.failure.is_some() || self.actual_checked || self.preflight.is_some())
    }
}

#[cfg(test)]
mod tests;
