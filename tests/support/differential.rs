//! Differential cases: a request a page's script makes and the response
//! headers a raw server answers it with, drawn at random from a seed, plus
//! that raw server (hyper, not strict-cors) and the page script that runs a
//! batch of cases in a browser.
//!
//! `tests/browser.rs` runs the cases in every engine and compares each
//! engine's verdict with the browser model (`model/` (crate `strict-cors-model`)); the
//! same [`Case`]s can be handed to anything else that judges CORS responses
//! (a later `strict-cors check` compares its verdict on the same cases).
//! Nothing here depends on strict-cors or on the model.
//!
//! What is drawn (each case on its own path, `/case/<run>-<n>`, so that no
//! preflight-cache entry of one case can serve another):
//!
//! - the request: method (`GET`, `POST`, `PUT`, `DELETE`, `PATCH`, and
//!   `patch`, which `fetch()` does not upper-case), zero to two headers
//!   (safelisted `accept`/`content-type: text/plain`, unsafe
//!   `content-type: application/json`, `x-custom`, `authorization`), and the
//!   credentials mode (`include` or `omit`);
//! - the preflight response: status 200, 204, 301, 401 or 500,
//!   `Access-Control-Allow-Origin` (exact, `*`, wrong case, trailing slash,
//!   two header lines, two values in one line, absent),
//!   `-Allow-Credentials` (`true`, `True`, absent), `-Allow-Methods` and
//!   `-Allow-Headers` (lists, `*`, case variants, absent), `-Max-Age`;
//! - the actual response: status 200 or 401, `-Allow-Origin`,
//!   `-Allow-Credentials`, `-Expose-Headers` (`x-exposed`, its upper-case
//!   spelling, `*`, another name, absent), and always the headers
//!   `x-exposed` and `x-other`, so the script can tell which it may read.

#![allow(dead_code)]

use std::collections::HashMap;
use std::convert::Infallible;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use proptest::prelude::Rng;
use proptest::test_runner::{RngAlgorithm, TestRng};
use tokio::net::TcpListener;

/// Environment variable that sets the seed (decimal `u64`); unset: a new
/// seed from the clock, printed with the results.
pub const SEED_VAR: &str = "STRICT_CORS_DIFF_SEED";

/// Environment variable that sets the number of cases per engine.
pub const CASES_VAR: &str = "STRICT_CORS_DIFF_CASES";

/// Cases per engine when [`CASES_VAR`] is unset.
pub const DEFAULT_CASES: usize = 600;

/// A response the raw server sends: status and header lines, in order
/// (a name may repeat: two `Access-Control-Allow-Origin` lines).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scripted {
    pub status: u16,
    pub headers: Vec<(String, String)>,
}

impl Scripted {
    /// As an `http::Response` (header lines the `http` crate refuses are
    /// left out; none of the drawn ones are).
    pub fn to_response(&self) -> Response<()> {
        let mut response = Response::new(());
        *response.status_mut() = StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK);
        for (name, value) in &self.headers {
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                response.headers_mut().append(n, v);
            }
        }
        response
    }
}

/// What the script passes to `fetch()`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseRequest {
    /// As given to `fetch()` (`patch` stays lower case).
    pub method: String,
    /// Author headers, lower-case names.
    pub headers: Vec<(String, String)>,
    /// `credentials: 'include'` (else `'omit'`).
    pub credentials: bool,
}

/// One differential case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// Index within its run.
    pub id: usize,
    /// The path the request goes to: unique per case and run.
    pub path: String,
    pub request: CaseRequest,
    /// The answer to a CORS-preflight request to [`Case::path`].
    pub preflight: Scripted,
    /// The answer to any other request to [`Case::path`].
    pub actual: Scripted,
}

impl Case {
    /// The scripted answer to `request` (a preflight is `OPTIONS` with
    /// `Access-Control-Request-Method`).
    pub fn respond<B>(&self, request: &Request<B>) -> &Scripted {
        let preflight = request.method() == Method::OPTIONS
            && request
                .headers()
                .contains_key("access-control-request-method");
        if preflight {
            &self.preflight
        } else {
            &self.actual
        }
    }
}

impl fmt::Display for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.request;
        let lines = |s: &Scripted| {
            s.headers
                .iter()
                .map(|(n, v)| format!("\n      {n}: {v}"))
                .collect::<String>()
        };
        write!(
            f,
            "case {} {}: fetch(…, {{method: {:?}, headers: {:?}, credentials: {:?}}})\n    \
             preflight answer {}{}\n    actual answer {}{}",
            self.id,
            self.path,
            r.method,
            r.headers,
            if r.credentials { "include" } else { "omit" },
            self.preflight.status,
            lines(&self.preflight),
            self.actual.status,
            lines(&self.actual)
        )
    }
}

/// The seeded random source: proptest's ChaCha `TestRng`.
pub struct Draw(TestRng);

impl Draw {
    pub fn new(seed: u64) -> Self {
        let mut bytes = [0u8; 32];
        for chunk in bytes.chunks_mut(8) {
            chunk.copy_from_slice(&seed.to_le_bytes());
        }
        Draw(TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
    }

    /// `true` with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.0.next_u64() % 100 < percent
    }

    /// One of `items`, uniformly.
    fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        let i = (self.0.next_u64() % items.len() as u64) as usize;
        items[i]
    }
}

/// The seed from [`SEED_VAR`], or a new one from the clock.
pub fn seed_from_env() -> Result<u64, String> {
    match std::env::var(SEED_VAR) {
        Ok(v) => v
            .trim()
            .parse()
            .map_err(|e| format!("{SEED_VAR}={v:?} is not a u64: {e}")),
        Err(std::env::VarError::NotPresent) => Ok(std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)),
        Err(e) => Err(format!("{SEED_VAR}: {e}")),
    }
}

/// The number of cases from [`CASES_VAR`], or [`DEFAULT_CASES`].
pub fn cases_from_env() -> Result<usize, String> {
    match std::env::var(CASES_VAR) {
        Ok(v) => v
            .trim()
            .parse()
            .map_err(|e| format!("{CASES_VAR}={v:?} is not a number: {e}")),
        Err(_) => Ok(DEFAULT_CASES),
    }
}

/// `Access-Control-Allow-Origin` (and `-Credentials`) lines for `origin`:
/// 55% the right pair (exact origin, `true`); 20% the exact origin with
/// `-Credentials` `True` or absent (what credentials mode decides); 25% any
/// of the origin variants with any `-Credentials`.
fn allow_origin(draw: &mut Draw, origin: &str, out: &mut Vec<(String, String)>) {
    let acao = "access-control-allow-origin";
    let acac = "access-control-allow-credentials";
    let roll = draw.0.next_u64() % 100;
    if roll < 55 {
        out.push((acao.into(), origin.into()));
        out.push((acac.into(), "true".into()));
        return;
    }
    if roll < 75 {
        out.push((acao.into(), origin.into()));
        if draw.chance(50) {
            out.push((acac.into(), "True".into()));
        }
        return;
    }
    match draw.pick(&[
        "exact", "star", "star", "case", "slash", "two", "comma", "absent",
    ]) {
        "exact" => out.push((acao.into(), origin.into())),
        "star" => out.push((acao.into(), "*".into())),
        // Scheme and host upper-cased: `HTTP://LOCALHOST:1234`.
        "case" => out.push((acao.into(), origin.to_ascii_uppercase())),
        "slash" => out.push((acao.into(), format!("{origin}/"))),
        "two" => {
            out.push((acao.into(), origin.into()));
            out.push((acao.into(), origin.into()));
        }
        "comma" => out.push((acao.into(), format!("{origin}, {origin}"))),
        _ => {}
    }
    match draw.pick(&["true", "true", "True", "absent"]) {
        "absent" => {}
        v => out.push((acac.into(), v.into())),
    }
}

/// Draws case `id` of run `run` (a short tag, unique per run) for a page on
/// `origin`.
pub fn draw_case(draw: &mut Draw, run: &str, id: usize, origin: &str) -> Case {
    let method = draw
        .pick(&[
            "GET", "GET", "POST", "PUT", "PUT", "DELETE", "PATCH", "patch",
        ])
        .to_owned();
    let mut headers: Vec<(String, String)> = Vec::new();
    let count = draw.pick(&[&0, &0, &1, &1, &2]);
    for _ in 0..*count {
        let (name, value) = *draw.pick(&[
            &("accept", "text/plain"),
            &("content-type", "text/plain"),
            &("content-type", "application/json"),
            &("x-custom", "1"),
            &("x-custom", "1"),
            &("authorization", "Bearer t0k3n"),
        ]);
        if !headers.iter().any(|(n, _)| n == name) {
            headers.push((name.into(), value.into()));
        }
    }
    let credentials = draw.chance(50);

    let mut pre = Vec::new();
    allow_origin(draw, origin, &mut pre);
    match draw.pick(&[
        "absent",
        "PUT, DELETE, PATCH",
        "PUT, DELETE, PATCH",
        "put, delete",
        "PUT",
        "patch, PATCH",
        "*",
        "GET, POST",
    ]) {
        "absent" => {}
        v => pre.push(("access-control-allow-methods".into(), v.into())),
    }
    match draw.pick(&[
        "absent",
        "x-custom, content-type",
        "X-Custom, Content-Type",
        "x-custom",
        "content-type",
        "*",
        "*, authorization",
        "authorization, x-custom, content-type",
        "Authorization",
    ]) {
        "absent" => {}
        v => pre.push(("access-control-allow-headers".into(), v.into())),
    }
    match draw.pick(&["absent", "0", "600", "86400", "ten"]) {
        "absent" => {}
        v => pre.push(("access-control-max-age".into(), v.into())),
    }
    let path = format!("/case/{run}-{id}");
    let status = *draw.pick(&[&200u16, &200, &204, &204, &204, &301, &401, &500]);
    if status == 301 {
        pre.push(("location".into(), path.clone()));
    }

    let mut actual = Vec::new();
    allow_origin(draw, origin, &mut actual);
    match draw.pick(&[
        "absent",
        "x-exposed",
        "X-EXPOSED",
        "*",
        "x-unrelated",
        "x-exposed, x-other",
    ]) {
        "absent" => {}
        v => actual.push(("access-control-expose-headers".into(), v.into())),
    }
    actual.push(("x-exposed".into(), "1".into()));
    actual.push(("x-other".into(), "2".into()));
    actual.push(("content-type".into(), "text/plain".into()));
    let actual_status = *draw.pick(&[&200u16, &200, &401]);

    Case {
        id,
        path,
        request: CaseRequest {
            method,
            headers,
            credentials,
        },
        preflight: Scripted {
            status,
            headers: pre,
        },
        actual: Scripted {
            status: actual_status,
            headers: actual,
        },
    }
}

/// `n` cases from `seed` for a page on `origin`.
pub fn draw_cases(seed: u64, n: usize, origin: &str) -> Vec<Case> {
    let mut draw = Draw::new(seed);
    let run = format!("{:x}", seed & 0xffff_ffff);
    (0..n)
        .map(|id| draw_case(&mut draw, &run, id, origin))
        .collect()
}

/// What reached the raw server for one case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Seen {
    /// Preflights (`OPTIONS` with `Access-Control-Request-Method`).
    pub preflights: usize,
    /// Other requests.
    pub actuals: usize,
    /// The last preflight's `Access-Control-Request-Headers`, if any.
    pub request_headers: Option<String>,
    /// The last actual request's method.
    pub method: Option<String>,
}

/// The raw server's record, by path.
pub type Log = Arc<Mutex<HashMap<String, Seen>>>;

/// A blank page for the page origin: the batch script runs in it.
const PAGE: &str = "<!doctype html><meta charset=utf-8><title>differential</title>\
                    <p>strict-cors differential cases run here.</p>";

/// Serves the page at `/` on `page` and the cases on `api`, on two tasks
/// (abort them to stop). Returns the log of requests and the tasks.
pub async fn serve(
    page: TcpListener,
    api: TcpListener,
    cases: &[Case],
) -> (Log, [tokio::task::JoinHandle<()>; 2]) {
    let log: Log = Arc::default();
    let cases: Arc<HashMap<String, Case>> =
        Arc::new(cases.iter().map(|c| (c.path.clone(), c.clone())).collect());
    let page_task = tokio::spawn(accept(page, move |_req| {
        let mut response = Response::new(Full::new(Bytes::from_static(PAGE.as_bytes())));
        response.headers_mut().insert(
            "content-type",
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        response
    }));
    let api_log = log.clone();
    let api_task = tokio::spawn(accept(api, move |req: Request<Incoming>| {
        let path = req.uri().path().to_owned();
        let Some(case) = cases.get(&path) else {
            let mut response = Response::new(Full::new(Bytes::new()));
            *response.status_mut() = StatusCode::NOT_FOUND;
            return response;
        };
        let scripted = case.respond(&req);
        {
            let mut log = api_log.lock().unwrap_or_else(PoisonError::into_inner);
            let seen = log.entry(path).or_default();
            if std::ptr::eq(scripted, &case.preflight) {
                seen.preflights += 1;
                seen.request_headers = req
                    .headers()
                    .get("access-control-request-headers")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
            } else {
                seen.actuals += 1;
                seen.method = Some(req.method().to_string());
            }
        }
        let (parts, ()) = scripted.to_response().into_parts();
        Response::from_parts(parts, Full::new(Bytes::from_static(b"case")))
    }));
    (log, [page_task, api_task])
}

async fn accept<F>(listener: TcpListener, answer: F)
where
    F: Fn(Request<Incoming>) -> Response<Full<Bytes>> + Clone + Send + Sync + 'static,
{
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let answer = answer.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let answer = answer.clone();
                async move { Ok::<_, Infallible>(answer(req)) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// The cases as the batch script takes them.
pub fn script_args(cases: &[Case], api_base: &str) -> serde_json::Value {
    let cases: Vec<serde_json::Value> = cases
        .iter()
        .map(|c| {
            serde_json::json!({
                "path": c.path,
                "method": c.request.method,
                "headers": c.request.headers.iter().map(|(n, v)| [n, v]).collect::<Vec<_>>(),
                "credentials": if c.request.credentials { "include" } else { "omit" },
            })
        })
        .collect();
    serde_json::json!([cases, api_base])
}

/// For `Browser::execute_async` with [`script_args`]: runs every case, six at
/// a time (the per-host connection limit of HTTP/1.1), and returns one
/// verdict per case: `{readable, status, exposed, other, error}`, where
/// `exposed`/`other` say whether `x-exposed`/`x-other` were readable.
pub const BATCH_SCRIPT: &str = r#"
const [cases, base] = arguments;
const done = arguments[arguments.length - 1];
const results = new Array(cases.length);
let next = 0;
async function worker() {
  while (next < cases.length) {
    const i = next++;
    const c = cases[i];
    try {
      const res = await fetch(base + c.path, {
        method: c.method, headers: c.headers, credentials: c.credentials, cache: 'no-store',
      });
      results[i] = {
        readable: true,
        status: res.status,
        exposed: res.headers.get('x-exposed') !== null,
        other: res.headers.get('x-other') !== null,
      };
      await res.text();
    } catch (e) {
      results[i] = { readable: false, error: String(e) };
    }
  }
}
Promise.all([1, 2, 3, 4, 5, 6].map(worker)).then(() => done(results), (e) => done(String(e)));
"#;
