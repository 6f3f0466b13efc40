//! Per-request overhead of `strict-cors` against `tower-http`'s `CorsLayer`,
//! measured in one run, on the same inner service and the same requests.
//!
//! Every service is driven synchronously: `poll_ready`, `call`, and one poll of
//! the response future with a no-op waker (every future here is ready at once),
//! so no runtime is in the measurement. Requests are built outside the timed
//! region (`iter_batched`), the same way for all three services; the responses
//! are dropped outside it too.
//!
//! Groups:
//! - `paths/<path>/{bare,floor,tower-http,strict-cors}`: the request paths
//!   (allowed actual request, allowed preflight, no `Origin`, refused
//!   origin; and, with strict-cors's CSRF guard on, a cross-site `POST` from
//!   an allowed origin, which passes, and from another origin, which the
//!   guard refuses with its own `403`), on an inner service answering `200`
//!   with an empty `HeaderMap`. The floor's write variants are of the same
//!   kind: the allowed write is written like the allowed actual request, the
//!   refused write answers `403` with `Vary: origin` without calling the
//!   inner service. tower-http has no guard: on the write paths it does CORS
//!   only.
//!   `floor` is not a layer: a hand-written service, inline around the
//!   inner call, that writes only the headers a correct answer needs and
//!   makes one scan of the response map removing any `Access-Control-*`
//!   header the inner service set; no lookup, no parsing, no wrapper future
//!   (see [`Floor`]). A lower bound for any correct layer.
//! - `paths_typed/<path>/…`: the same, on an inner service answering `200`
//!   with a `content-type` header, as real handlers do (its `HeaderMap` is
//!   then already allocated, so what a layer adds is only its own work).
//! - `allowlist/{tower-http,strict-cors}/<n>`: the allowed actual request
//!   against `n` allowed origins (1, 10, 1000), the matching one last.
//! - `evaluate/<path>/strict-cors`: strict-cors's decision alone
//!   (`CorsLayer::evaluate`), no response.
//! - `lookup/{walk,hashed}/<n>`: finding the `Origin` in a browser-shaped
//!   request map of `n` headers by walking its entries or through
//!   `HeaderMap`'s hash (why strict-cors walks maps of up to 4 names).
//!
//! Run: `cargo bench --bench overhead -- --warm-up-time 1 --measurement-time 3`.
//! Overhead of a layer = layered time − bare time, per path.
//!
//! `OVERHEAD_TABLE=1 cargo bench --bench overhead` runs, instead of criterion,
//! an interleaved measurement of the same services and requests (rounds of
//! bare, floor, tower-http and strict-cors batches in rotating order, so all
//! four see the same machine load) and prints the per-path table with the
//! ratios strict-cors overhead / floor overhead (the target: at most 1.5)
//! and strict-cors overhead / tower-http overhead (preflights, which neither
//! strict-cors nor the floor passes to the inner service: whole times); see
//! [`table`]. Sturdier on a shared, noisy machine. Its last column is the
//! floor done as a layer ([`floor::FloorLayered`], a reference, not the
//! yardstick) over the floor.
//!
//! `OVERHEAD_RUNS=<k>` with `OVERHEAD_TABLE=1` runs the table in `k` fresh
//! processes and prints the median of each cell: where a process's code and
//! stack land in memory moves some ratios by up to ±0.2 for all its rounds.
//!
//! `OVERHEAD_WARN=1` (with either) installs a `tracing` subscriber that
//! enables `WARN` events, as a service that logs warnings runs.

use std::convert::Infallible;
use std::fmt::Debug;
use std::future::{ready, Future, Ready};
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll};
use std::time::Duration;

use criterion::{criterion_group, BatchSize, BenchmarkId, Criterion};
use futures_util::task::noop_waker_ref;
use http::header::{
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD,
    AUTHORIZATION, CONTENT_TYPE, ORIGIN,
};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode};
use tower::service_fn;
use tower::{Layer, Service};

#[path = "overhead/floor.rs"]
mod floor;
#[path = "overhead/table.rs"]
mod table;

use floor::Floor;

const ALLOWED: &str = "https://app.example.com";
const OTHER_ALLOWED: &str = "https://admin.example.com";
const DISALLOWED: &str = "https://evil.example.net";
const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

/// Polls `svc` ready, calls it, and polls the response future once.
#[inline]
fn drive<S, B>(svc: &mut S, req: Request<()>) -> Response<B>
where
    S: Service<Request<()>, Response = Response<B>>,
    S::Error: Debug,
{
    let mut cx = Context::from_waker(noop_waker_ref());
    match svc.poll_ready(&mut cx) {
        Poll::Ready(Ok(())) => {}
        other => panic!("service not ready: {other:?}"),
    }
    let mut fut = pin!(svc.call(req));
    match fut.as_mut().poll(&mut cx) {
        Poll::Ready(Ok(response)) => response,
        Poll::Ready(Err(e)) => panic!("service failed: {e:?}"),
        Poll::Pending => panic!("response future not ready"),
    }
}

type Inner = fn(Request<()>) -> Ready<Result<Response<String>, Infallible>>;

/// The trivial inner service: `200`, empty body, empty `HeaderMap`.
fn plain(_req: Request<()>) -> Ready<Result<Response<String>, Infallible>> {
    ready(Ok(Response::new(String::new())))
}

/// The trivial inner service with the one header every real handler sets.
fn typed(_req: Request<()>) -> Ready<Result<Response<String>, Infallible>> {
    let mut response = Response::new(String::new());
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    ready(Ok(response))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Path {
    ActualAllowed,
    Preflight,
    NoOrigin,
    Disallowed,
    /// A cross-site `POST` from an allowed origin, CSRF guard on: passes.
    WriteAllowed,
    /// A cross-site `POST` from another origin, CSRF guard on: `403`.
    WriteRefused,
}

impl Path {
    const ALL: [Path; 6] = [
        Path::ActualAllowed,
        Path::Preflight,
        Path::NoOrigin,
        Path::Disallowed,
        Path::WriteAllowed,
        Path::WriteRefused,
    ];

    /// Whether strict-cors runs with its CSRF guard on (`csrf_protection`).
    fn guarded(self) -> bool {
        matches!(self, Path::WriteAllowed | Path::WriteRefused)
    }

    /// Whether neither strict-cors nor the floor calls the inner service:
    /// ratios then compare whole times.
    fn answered_by_layer(self) -> bool {
        matches!(self, Path::Preflight | Path::WriteRefused)
    }

    fn name(self) -> &'static str {
        match self {
            Path::ActualAllowed => "actual_allowed",
            Path::Preflight => "preflight_allowed",
            Path::NoOrigin => "no_origin",
            Path::Disallowed => "disallowed_origin",
            Path::WriteAllowed => "write_allowed",
            Path::WriteRefused => "write_refused",
        }
    }

    /// The request, every value `from_static`.
    fn request(self) -> Request<()> {
        let b = Request::builder().uri("/api/items");
        let b = match self {
            Path::ActualAllowed => b
                .method(Method::GET)
                .header(ORIGIN, HeaderValue::from_static(ALLOWED)),
            Path::Preflight => b
                .method(Method::OPTIONS)
                .header(ORIGIN, HeaderValue::from_static(ALLOWED))
                .header(
                    ACCESS_CONTROL_REQUEST_METHOD,
                    HeaderValue::from_static("PUT"),
                )
                .header(
                    ACCESS_CONTROL_REQUEST_HEADERS,
                    HeaderValue::from_static("authorization,content-type"),
                ),
            Path::NoOrigin => b.method(Method::GET),
            Path::Disallowed => b
                .method(Method::GET)
                .header(ORIGIN, HeaderValue::from_static(DISALLOWED)),
            Path::WriteAllowed => b
                .method(Method::POST)
                .header(ORIGIN, HeaderValue::from_static(ALLOWED))
                .header(SEC_FETCH_SITE, HeaderValue::from_static("cross-site")),
            Path::WriteRefused => b
                .method(Method::POST)
                .header(ORIGIN, HeaderValue::from_static(DISALLOWED))
                .header(SEC_FETCH_SITE, HeaderValue::from_static("cross-site")),
        };
        b.body(()).expect("request")
    }
}

fn strict_layer(origins: &[String]) -> strict_cors::CorsLayer {
    strict_layer_for(origins, false)
}

/// strict-cors configured alike, with its CSRF guard on or off.
fn strict_layer_for(origins: &[String], csrf: bool) -> strict_cors::CorsLayer {
    strict_cors::CorsLayer::builder()
        .allow_origins(origins)
        .csrf_protection(csrf)
        .allow_credentials(true)
        .allow_methods(["GET", "POST", "PUT", "DELETE"])
        .allow_headers(["content-type", "authorization"])
        .expose_headers(["x-request-id"])
        .max_age(Duration::from_secs(600))
        .build()
        .expect("valid strict-cors configuration")
}

fn tower_http_layer(origins: &[String]) -> tower_http::cors::CorsLayer {
    use tower_http::cors::{AllowOrigin, CorsLayer};
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(
            origins
                .iter()
                .map(|o| HeaderValue::from_str(o).expect("origin value")),
        ))
        .allow_credentials(true)
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([CONTENT_TYPE, AUTHORIZATION])
        .expose_headers([HeaderName::from_static("x-request-id")])
        .max_age(Duration::from_secs(600))
}

/// Checks that each service does what the path is about before timing it.
fn sanity_check(path: Path, inner: Inner) {
    let origins = [ALLOWED.to_owned(), OTHER_ALLOWED.to_owned()];
    let mut strict = strict_layer_for(&origins, path.guarded()).layer(service_fn(inner));
    let mut th = tower_http_layer(&origins).layer(service_fn(inner));
    let s = drive(&mut strict, path.request());
    let t = drive(&mut th, path.request());
    let acao = |r: &Response<String>| r.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).cloned();
    match path {
        Path::ActualAllowed | Path::WriteAllowed => {
            assert_eq!(
                acao(&s).as_ref().map(|v| v.as_bytes()),
                Some(ALLOWED.as_bytes())
            );
            assert_eq!(
                acao(&t).as_ref().map(|v| v.as_bytes()),
                Some(ALLOWED.as_bytes())
            );
        }
        Path::Preflight => {
            assert_eq!(s.status(), StatusCode::NO_CONTENT);
            assert_eq!(t.status(), StatusCode::OK);
            assert!(acao(&s).is_some() && acao(&t).is_some());
        }
        Path::NoOrigin | Path::Disallowed => {
            assert_eq!(s.status(), StatusCode::OK);
            assert!(acao(&s).is_none() && acao(&t).is_none());
        }
        Path::WriteRefused => {
            assert_eq!(s.status(), StatusCode::FORBIDDEN);
            assert!(acao(&s).is_none() && acao(&t).is_none());
        }
    }
}

fn bench_paths_with(c: &mut Criterion, group_name: &str, inner: Inner) {
    let origins = [ALLOWED.to_owned(), OTHER_ALLOWED.to_owned()];
    let strict = strict_layer(&origins);
    let th = tower_http_layer(&origins);
    let mut group = c.benchmark_group(group_name);
    for path in Path::ALL {
        sanity_check(path, inner);
        let mut bare = service_fn(inner);
        let mut floor = Floor { inner, path };
        let mut th_svc = th.layer(service_fn(inner));
        let mut strict_svc = match path.guarded() {
            true => strict_layer_for(&origins, true).layer(service_fn(inner)),
            false => strict.layer(service_fn(inner)),
        };
        group.bench_function(BenchmarkId::new(path.name(), "bare"), |b| {
            b.iter_batched(
                || path.request(),
                |req| drive(&mut bare, black_box(req)),
                BatchSize::SmallInput,
            )
        });
        group.bench_function(BenchmarkId::new(path.name(), "floor"), |b| {
            b.iter_batched(
                || path.request(),
                |req| drive(&mut floor, black_box(req)),
                BatchSize::SmallInput,
            )
        });
        group.bench_function(BenchmarkId::new(path.name(), "tower-http"), |b| {
            b.iter_batched(
                || path.request(),
                |req| drive(&mut th_svc, black_box(req)),
                BatchSize::SmallInput,
            )
        });
        group.bench_function(BenchmarkId::new(path.name(), "strict-cors"), |b| {
            b.iter_batched(
                || path.request(),
                |req| drive(&mut strict_svc, black_box(req)),
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

fn bench_paths(c: &mut Criterion) {
    bench_paths_with(c, "paths", plain);
    bench_paths_with(c, "paths_typed", typed);
}

/// `n` allowed origins, `ALLOWED` last.
fn allowlist(n: usize) -> Vec<String> {
    (1..n)
        .map(|i| format!("https://app{i}.example.com"))
        .chain([ALLOWED.to_owned()])
        .collect()
}

fn bench_allowlist(c: &mut Criterion) {
    let mut group = c.benchmark_group("allowlist");
    for n in [1usize, 10, 1000] {
        let origins = allowlist(n);
        let mut th_svc = tower_http_layer(&origins).layer(service_fn(plain as Inner));
        let mut strict_svc = strict_layer(&origins).layer(service_fn(plain as Inner));
        for r in [
            drive(&mut th_svc, Path::ActualAllowed.request()),
            drive(&mut strict_svc, Path::ActualAllowed.request()),
        ] {
            assert_eq!(
                r.headers()
                    .get(ACCESS_CONTROL_ALLOW_ORIGIN)
                    .map(|v| v.as_bytes()),
                Some(ALLOWED.as_bytes())
            );
        }
        group.bench_with_input(BenchmarkId::new("tower-http", n), &n, |b, _| {
            b.iter_batched(
                || Path::ActualAllowed.request(),
                |req| drive(&mut th_svc, black_box(req)),
                BatchSize::SmallInput,
            )
        });
        group.bench_with_input(BenchmarkId::new("strict-cors", n), &n, |b, _| {
            b.iter_batched(
                || Path::ActualAllowed.request(),
                |req| drive(&mut strict_svc, black_box(req)),
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

/// `strict-cors`'s decision alone (`CorsLayer::evaluate`) on each path.
fn bench_evaluate(c: &mut Criterion) {
    let strict = strict_layer(&[ALLOWED.to_owned(), OTHER_ALLOWED.to_owned()]);
    let mut group = c.benchmark_group("evaluate");
    for path in Path::ALL {
        let (parts, ()) = path.request().into_parts();
        group.bench_function(BenchmarkId::new(path.name(), "strict-cors"), |b| {
            b.iter(|| strict.evaluate(black_box(&parts)))
        });
    }
    group.finish();
}

/// A request map shaped like a browser's: `n` headers, the standard ones
/// Chrome sends on a cross-origin `fetch` and then `x-filler-*`, with the
/// `Origin` last (the worst place for a walk).
fn browser_headers(n: usize) -> HeaderMap {
    const NAMES: [&str; 14] = [
        "host",
        "connection",
        "sec-ch-ua-platform",
        "authorization",
        "user-agent",
        "sec-ch-ua",
        "content-type",
        "sec-ch-ua-mobile",
        "accept",
        "sec-fetch-site",
        "sec-fetch-mode",
        "sec-fetch-dest",
        "referer",
        "accept-encoding",
    ];
    let mut h = HeaderMap::new();
    for i in 0..n.saturating_sub(1) {
        let name = match NAMES.get(i) {
            Some(n) => HeaderName::from_static(n),
            None => HeaderName::from_bytes(format!("x-filler-{i}").as_bytes()).expect("name"),
        };
        h.append(name, HeaderValue::from_static("v"));
    }
    h.append(ORIGIN, HeaderValue::from_static(ALLOWED));
    h
}

/// Why strict-cors walks a small request map to find a header instead of
/// asking `HeaderMap` (which hashes the name byte by byte, FNV): the two
/// ways of finding the single `Origin`, side by side, on browser-shaped
/// maps of 1 to 48 headers (strict-cors walks up to 4 names).
fn bench_lookup(c: &mut Criterion) {
    let mut group = c.benchmark_group("lookup");
    for n in [1usize, 2, 3, 4, 6, 8, 16, 48] {
        let h = browser_headers(n);
        group.bench_with_input(BenchmarkId::new("walk", n), &h, |b, h| {
            b.iter(|| {
                let h = black_box(h);
                h.iter()
                    .find(|(name, _)| *name == ORIGIN)
                    .map(|(_, v)| v.len())
            })
        });
        group.bench_with_input(BenchmarkId::new("hashed", n), &h, |b, h| {
            b.iter(|| {
                let mut all = black_box(h).get_all(ORIGIN).iter();
                match (all.next(), all.next()) {
                    (Some(v), None) => Some(v.len()),
                    _ => None,
                }
            })
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    bench_paths,
    bench_allowlist,
    bench_evaluate,
    bench_lookup
);

/// A `tracing` subscriber that, like a production service logging at
/// `WARN`, enables `WARN` and `ERROR` events and records nothing.
struct WarnLevel;

impl tracing::Subscriber for WarnLevel {
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        *metadata.level() <= tracing::Level::WARN
    }
    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::WARN)
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

fn main() {
    // `OVERHEAD_WARN=1`: every measurement with events of level `WARN`
    // enabled, as a service that logs warnings runs.
    if std::env::var_os("OVERHEAD_WARN").is_some() {
        tracing::subscriber::set_global_default(WarnLevel).expect("no subscriber yet");
    }
    if std::env::var_os("OVERHEAD_TABLE").is_some() {
        table::table();
        return;
    }
    if let Ok(spec) = std::env::var("OVERHEAD_PROFILE") {
        table::profile(&spec);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
