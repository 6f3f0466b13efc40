//! Two layers are the same policy when they decide the same for every
//! request that could tell them apart: this probe sends a fixed set of
//! requests (origins allowed and not, patterns, methods, header lists,
//! private network, preflights and actual requests) to both and compares
//! the `Decision`s, which carry the whole answer.
//!
//! Included with `#[path]` by the binaries that need it, so that it does not
//! pull the Fetch model into them.

use http::Request;
use strict_cors::{CorsLayer, Decision};

const ORIGINS: [&str; 8] = [
    "https://app.example.com",
    "http://localhost:3000",
    "https://a.preview.example.com",
    "https://preview.example.com",
    "https://evil.example.net",
    "https://app.example.com:443",
    "null",
    "",
];
const METHODS: [&str; 6] = ["GET", "POST", "PUT", "DELETE", "PATCH", "put"];
const HEADERS: [Option<&str>; 5] = [
    None,
    Some("content-type"),
    Some("authorization"),
    Some("content-type, authorization"),
    Some("x-other"),
];

/// Every decision of `layer` over the probe requests, in order.
pub fn decisions(layer: &CorsLayer) -> Vec<(String, Decision)> {
    let mut out = Vec::new();
    let mut evaluate = |label: String, req: http::request::Builder| {
        let (parts, ()) = req.body(()).expect("request").into_parts();
        out.push((label, layer.evaluate(&parts)));
    };
    evaluate("no origin".into(), Request::get("/"));
    for origin in ORIGINS {
        for method in ["GET", "POST", "DELETE"] {
            evaluate(
                format!("{method} from {origin}"),
                Request::builder().method(method).header("origin", origin),
            );
        }
        for method in METHODS {
            for headers in HEADERS {
                for pn in [false, true] {
                    let mut req = Request::options("/")
                        .header("origin", origin)
                        .header("access-control-request-method", method);
                    if let Some(h) = headers {
                        req = req.header("access-control-request-headers", h);
                    }
                    if pn {
                        req = req.header("access-control-request-private-network", "true");
                    }
                    evaluate(
                        format!("preflight {method} {headers:?} pn={pn} from {origin}"),
                        req,
                    );
                }
            }
        }
    }
    out
}

/// Panics, naming the first request they disagree on, unless `a` and `b`
/// decide the same for every probe request.
pub fn assert_same_policy(a: &CorsLayer, b: &CorsLayer) {
    for ((label, da), (_, db)) in decisions(a).into_iter().zip(decisions(b)) {
        assert_eq!(da, db, "the layers disagree on: {label}");
    }
}
