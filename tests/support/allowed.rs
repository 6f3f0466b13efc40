//! Whether a layer lets an origin in: its decision on a plain `GET /` from
//! that origin (an actual request, not a preflight).
//!
//! Included with `#[path]` by the binaries that ask it, so that it does not
//! pull the Fetch model or the harness into them.

use http::Request;
use strict_cors::{CorsLayer, Decision, RequestKind};

/// The layer's decision on `GET /` with `Origin: origin`.
pub fn decide(layer: &CorsLayer, origin: &str) -> Decision {
    let (parts, ()) = Request::get("/")
        .header("origin", origin)
        .body(())
        .expect("request")
        .into_parts();
    layer.evaluate(&parts)
}

/// True when the layer allows `GET /` from `origin` as an actual request.
#[allow(dead_code)] // some includers check more than this
pub fn allowed(layer: &CorsLayer, origin: &str) -> bool {
    let d = decide(layer, origin);
    d.kind() == RequestKind::Actual && d.is_allowed()
}
