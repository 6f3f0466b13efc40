//! Hostile `Access-Control-Request-Headers` through a `strict-cors` preflight:
//! the time to refuse must not grow with the size of the value (time per byte
//! flat or falling from 1 KiB to 1 MiB).
//!
//! Each benchmark is an otherwise allowed preflight (allowed origin, `PUT`)
//! whose `Access-Control-Request-Headers` is the hostile value, and reports
//! `Throughput::Bytes` of that value, so criterion prints bytes/s next to the
//! time (time per byte = time / bytes).
//!
//! Group `hostile_acrh` drives the `Cors` service synchronously (`poll_ready`,
//! `call`, one poll with a no-op waker) on the single-line cases, the request
//! built outside the timed region. Group `hostile_acrh_evaluate` times
//! `CorsLayer::evaluate` (the decision the service makes first; the rest of
//! the rejection path is a constant `403`) on every case, multi-line ones
//! included: rebuilding a 10 000-line request per iteration would make the
//! untimed setup dwarf the run.
//!
//! - `commas/<bytes>`: one line of `,` repeated (1 KiB, 16 KiB, 64 KiB, 1 MiB).
//! - `commas_lines/<bytes>`: the same bytes split over 64 lines.
//! - `names/10000`: `x-0,x-1,…,x-9999` (none allowed), one line.
//! - `names_lines/10000`: the same 10 000 names, one per line.
//! - `baseline/allowed`: the allowed `authorization,content-type`, for scale.
//!
//! Run: `cargo bench --bench hostile -- --warm-up-time 1 --measurement-time 3`.

use std::convert::Infallible;
use std::future::{ready, Future, Ready};
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use futures_util::task::noop_waker_ref;
use http::header::{ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use tower::{service_fn, Layer, Service};

const ALLOWED: &str = "https://app.example.com";

fn inner(_req: Request<()>) -> Ready<Result<Response<String>, Infallible>> {
    ready(Ok(Response::new(String::new())))
}

fn drive<S>(svc: &mut S, req: Request<()>) -> Response<String>
where
    S: Service<Request<()>, Response = Response<String>, Error = Infallible>,
{
    let mut cx = Context::from_waker(noop_waker_ref());
    assert!(svc.poll_ready(&mut cx).is_ready());
    let mut fut = pin!(svc.call(req));
    match fut.as_mut().poll(&mut cx) {
        Poll::Ready(Ok(response)) => response,
        _ => panic!("response future not ready"),
    }
}

/// A `'static` header value, so building the request copies nothing.
fn leak(s: String) -> HeaderValue {
    HeaderValue::from_static(Box::leak(s.into_boxed_str()))
}

fn preflight(acrh: &[HeaderValue]) -> Request<()> {
    let mut req = Request::builder()
        .method(Method::OPTIONS)
        .uri("/api/items")
        .header(ORIGIN, HeaderValue::from_static(ALLOWED))
        .header(
            ACCESS_CONTROL_REQUEST_METHOD,
            HeaderValue::from_static("PUT"),
        )
        .body(())
        .expect("request");
    for line in acrh {
        req.headers_mut()
            .append(ACCESS_CONTROL_REQUEST_HEADERS, line.clone());
    }
    req
}

fn bench_hostile(c: &mut Criterion) {
    let layer = strict_cors::CorsLayer::builder()
        .allow_origins([ALLOWED])
        .allow_credentials(true)
        .allow_methods(["GET", "POST", "PUT", "DELETE"])
        .allow_headers(["content-type", "authorization"])
        .expose_headers(["x-request-id"])
        .max_age(Duration::from_secs(600))
        .build()
        .expect("valid configuration");
    let mut svc = layer.layer(service_fn(inner));

    let mut cases: Vec<(&str, usize, Vec<HeaderValue>)> = Vec::new();
    cases.push((
        "baseline/allowed",
        "authorization,content-type".len(),
        vec![HeaderValue::from_static("authorization,content-type")],
    ));
    for kib in [1usize, 16, 64, 1024] {
        let bytes = kib * 1024;
        cases.push(("commas", bytes, vec![leak(",".repeat(bytes))]));
        let per_line = bytes / 64;
        cases.push((
            "commas_lines",
            bytes,
            (0..64).map(|_| leak(",".repeat(per_line))).collect(),
        ));
    }
    let names: Vec<String> = (0..10_000).map(|i| format!("x-{i}")).collect();
    let joined = names.join(",");
    cases.push(("names", joined.len(), vec![leak(joined)]));
    let total: usize = names.iter().map(String::len).sum();
    cases.push(("names_lines", total, names.into_iter().map(leak).collect()));

    // Through the service: single-line values only, so that building the
    // request (outside the timed region, but once per iteration) stays cheap.
    let mut group = c.benchmark_group("hostile_acrh");
    for (name, bytes, lines) in cases.iter().filter(|(_, _, l)| l.len() == 1) {
        let expected = if *name == "baseline/allowed" {
            StatusCode::NO_CONTENT
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(
            drive(&mut svc, preflight(lines)).status(),
            expected,
            "{name}"
        );
        group.throughput(Throughput::Bytes(*bytes as u64));
        group.bench_function(id(name, *bytes), |b| {
            b.iter_batched(
                || preflight(lines),
                |req| drive(&mut svc, black_box(req)),
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();

    // The decision alone (what the service computes first), on one request
    // built once: every case, multi-line ones included.
    let mut group = c.benchmark_group("hostile_acrh_evaluate");
    for (name, bytes, lines) in &cases {
        let (parts, ()) = preflight(lines).into_parts();
        let decision = layer.evaluate(&parts);
        assert_eq!(decision.is_allowed(), *name == "baseline/allowed", "{name}");
        group.throughput(Throughput::Bytes(*bytes as u64));
        group.bench_function(id(name, *bytes), |b| {
            b.iter(|| layer.evaluate(black_box(&parts)))
        });
    }
    group.finish();
}

fn id(name: &str, bytes: usize) -> BenchmarkId {
    if name.contains('/') {
        BenchmarkId::from_parameter(name)
    } else if name.starts_with("names") {
        BenchmarkId::new(name, 10_000)
    } else {
        BenchmarkId::new(name, bytes)
    }
}

criterion_group!(benches, bench_hostile);
criterion_main!(benches);
