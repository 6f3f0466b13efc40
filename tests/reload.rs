//! Live reconfiguration: `build_reloadable` and `CorsHandle::reconfigure`.

use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderMap, Method, Request, Response};
use strict_cors::{ConfigProblem, CorsBuilder, CorsHandle, CorsLayer};
use tower::{service_fn, Layer, Service, ServiceExt};

const OLD: &str = "https://old.example.com";
const NEW: &str = "https://new.example.com";

/// Two policies that differ in every header the layer writes, so a response
/// judged by one and stamped by the other is visible.
fn old_policy() -> CorsBuilder {
    CorsLayer::builder()
        .allow_origins([OLD])
        .allow_credentials(true)
        .allow_methods(["PUT"])
        .expose_headers(["x-old"])
        .max_age(Duration::from_secs(600))
}

fn new_policy() -> CorsBuilder {
    CorsLayer::builder()
        .allow_origins([NEW])
        .allow_methods(["DELETE"])
        .expose_headers(["x-new"])
        .max_age(Duration::from_secs(60))
}

fn request(method: Method, origin: &str, preflight: bool) -> Request<()> {
    let mut b = Request::builder()
        .method(method)
        .uri("/")
        .header("origin", origin);
    if preflight {
        b = b.header("access-control-request-method", "PUT");
    }
    b.body(()).expect("request")
}

fn get(h: &HeaderMap, name: &str) -> Option<String> {
    let mut all = h.get_all(name).iter();
    let first = all
        .next()
        .map(|v| v.to_str().unwrap_or("<bytes>").to_owned());
    assert!(all.next().is_none(), "{name} repeated: {h:?}");
    first
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    Old,
    New,
}

/// Which policy an actual response is consistent with, or a panic naming the
/// mix.
fn judge_actual(origin: &str, h: &HeaderMap) -> Seen {
    let acao = get(h, "access-control-allow-origin");
    let acac = get(h, "access-control-allow-credentials");
    let expose = get(h, "access-control-expose-headers");
    let got = (acao.as_deref(), acac.as_deref(), expose.as_deref());
    match (origin, got) {
        (OLD, (Some(OLD), Some("true"), Some("x-old"))) => Seen::Old,
        (NEW, (None, None, None)) => Seen::Old,
        (NEW, (Some(NEW), None, Some("x-new"))) => Seen::New,
        (OLD, (None, None, None)) => Seen::New,
        _ => panic!("mixed response for {origin}: {got:?}"),
    }
}

/// The same for a preflight (`PUT` requested).
fn judge_preflight(origin: &str, status: u16, h: &HeaderMap) -> Seen {
    let acao = get(h, "access-control-allow-origin");
    let acac = get(h, "access-control-allow-credentials");
    let age = get(h, "access-control-max-age");
    let got = (status, acao.as_deref(), acac.as_deref(), age.as_deref());
    match (origin, got) {
        (OLD, (204, Some(OLD), Some("true"), Some("600"))) => Seen::Old,
        (NEW, (403, None, None, None)) => Seen::Old,
        // The new policy allows NEW but not `PUT`; OLD not at all.
        (OLD, (403, None, None, None)) => Seen::New,
        _ => panic!("mixed preflight for {origin}: {got:?}"),
    }
}

#[tokio::test]
async fn reconfigure_reaches_every_clone_and_service() {
    let (layer, handle) = old_policy().build_reloadable().expect("valid");
    let clone = layer.clone();
    let inner =
        service_fn(|_req: Request<()>| async { Ok::<_, Infallible>(Response::new(String::new())) });
    let mut made_before = layer.layer(inner);

    let r = made_before
        .ready()
        .await
        .unwrap()
        .call(request(Method::GET, OLD, false))
        .await
        .unwrap();
    assert_eq!(judge_actual(OLD, r.headers()), Seen::Old);

    handle.clone().reconfigure(new_policy()).expect("valid");

    for origin in [OLD, NEW] {
        let r = made_before
            .ready()
            .await
            .unwrap()
            .call(request(Method::GET, origin, false))
            .await
            .unwrap();
        assert_eq!(judge_actual(origin, r.headers()), Seen::New, "{origin}");
        let (parts, ()) = request(Method::GET, origin, false).into_parts();
        assert_eq!(
            clone.evaluate(&parts).is_allowed(),
            origin == NEW,
            "{origin}"
        );
    }
    assert!(format!("{handle:?}").contains(NEW));
    assert!(format!("{layer:?}").contains(NEW));
}

#[tokio::test]
async fn an_invalid_configuration_is_refused_and_the_old_one_stays() {
    let (layer, handle) = old_policy().build_reloadable().expect("valid");
    let err = handle
        .reconfigure(
            CorsLayer::builder()
                .allow_any_origin()
                .allow_credentials(true)
                .allow_methods(["TRACE"]),
        )
        .unwrap_err();
    assert_eq!(err.problems().len(), 2);
    assert_eq!(
        err.problems()[0],
        ConfigProblem::WildcardOriginWithCredentials
    );
    let err = handle
        .reconfigure(CorsLayer::builder().allow_origin_patterns(["https://*.com"]))
        .unwrap_err();
    assert!(matches!(
        err.problems()[0],
        ConfigProblem::PatternOverPublicSuffix { .. }
    ));

    let (parts, ()) = request(Method::GET, OLD, false).into_parts();
    assert!(layer.evaluate(&parts).is_allowed());
    let (parts, ()) = request(Method::GET, NEW, false).into_parts();
    assert!(!layer.evaluate(&parts).is_allowed());
}

#[test]
fn handle_and_layer_are_shareable() {
    fn check<T: Clone + Send + Sync + std::fmt::Debug + 'static>() {}
    check::<CorsHandle>();
    check::<CorsLayer>();
}

#[test]
fn build_reloadable_reports_errors_like_build() {
    let err = CorsLayer::builder()
        .allow_origins(["https://a.example.com/"])
        .build_reloadable()
        .unwrap_err();
    assert!(matches!(
        err.problems()[0],
        ConfigProblem::InvalidOrigin { .. }
    ));
}

/// Many tasks send requests through clones of one layer while another task
/// flips the policy back and forth: every response is consistent with
/// exactly one of the two policies, and both are seen.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_reconfiguration_never_mixes_policies() {
    const TASKS: usize = 16;
    const PER_TASK: usize = 500;
    let (layer, handle) = old_policy().build_reloadable().expect("valid");
    let stop = Arc::new(AtomicBool::new(false));
    let flips = Arc::new(AtomicUsize::new(0));

    let flipper = {
        let stop = stop.clone();
        let flips = flips.clone();
        tokio::spawn(async move {
            let mut old = false;
            while !stop.load(Ordering::Relaxed) {
                let next = if old { old_policy() } else { new_policy() };
                handle.reconfigure(next).expect("valid");
                // A refused configuration in between changes nothing.
                assert!(handle
                    .reconfigure(CorsLayer::builder().allow_origins(["null"]))
                    .is_err());
                old = !old;
                flips.fetch_add(1, Ordering::Relaxed);
                tokio::task::yield_now().await;
            }
        })
    };

    let mut tasks = Vec::new();
    for t in 0..TASKS {
        let layer = layer.clone();
        tasks.push(tokio::spawn(async move {
            // The inner service yields, so that a reconfiguration can land
            // between `call` (the decision) and the response being stamped.
            let inner = service_fn(|_req: Request<()>| async {
                for _ in 0..4 {
                    tokio::task::yield_now().await;
                }
                Ok::<_, Infallible>(Response::new(String::new()))
            });
            let mut svc = layer.layer(inner);
            let (mut old, mut new) = (0usize, 0usize);
            for i in 0..PER_TASK {
                let origin = if (i + t) % 2 == 0 { OLD } else { NEW };
                let preflight = i % 5 == 0;
                let method = if preflight {
                    Method::OPTIONS
                } else {
                    Method::GET
                };
                let req = request(method, origin, preflight);
                let response = svc.ready().await.unwrap().call(req).await.unwrap();
                let seen = if preflight {
                    judge_preflight(origin, response.status().as_u16(), response.headers())
                } else {
                    judge_actual(origin, response.headers())
                };
                match seen {
                    Seen::Old => old += 1,
                    Seen::New => new += 1,
                }
            }
            (old, new)
        }));
    }
    let (mut old, mut new) = (0, 0);
    for task in tasks {
        let (o, n) = task.await.expect("no mixed response");
        old += o;
        new += n;
    }
    stop.store(true, Ordering::Relaxed);
    flipper.await.expect("flipper");
    assert_eq!(old + new, TASKS * PER_TASK);
    assert!(
        flips.load(Ordering::Relaxed) > 2,
        "the policy never flipped"
    );
    assert!(old > 0 && new > 0, "old {old}, new {new}");
}
