//! The reflection probe: the same request from a made-up origin. A server
//! that allows it too reflects any origin, so every site can read what the
//! page reads (with the user's cookies, when credentialed).

use http::header::ACCESS_CONTROL_ALLOW_ORIGIN;

use super::{Diagnosis, Exchange, StepKind, Transport, Warning};
use crate::cors_check::cors_check;
use crate::engine_rules::AuthorizationUnderWildcard;
use crate::preflight::{preflight_check_under, DEFAULT_MAX_AGE_CAP};
use crate::request::{actual_request, preflight_request, FetchRequest};

/// The made-up origin (`.invalid` is reserved by RFC 6761 and never
/// resolves, so no real site has it).
pub const PROBE_ORIGIN: &str = "https://cors-probe.invalid";

/// Sends `req`'s preflight (when `preflight`) or its actual request (a safe
/// method only: the caller checks) from [`PROBE_ORIGIN`], without cookies,
/// and records what the server did with it (`authorization` under `*` judged
/// by `rule`).
pub(crate) fn probe(
    d: &mut Diagnosis,
    transport: &mut dyn Transport,
    req: &FetchRequest,
    preflight: bool,
    rule: AuthorizationUnderWildcard,
) {
    let mut other = req.clone();
    other.origin = PROBE_ORIGIN.to_string();
    let request = if preflight {
        preflight_request(&other)
    } else {
        actual_request(&other)
    };
    let response = match transport.send(&request) {
        Ok(r) => r,
        Err(e) => {
            d.step(
                StepKind::Info,
                format!("probe from {PROBE_ORIGIN} failed: {e}"),
            );
            return;
        }
    };
    d.exchanges.push(Exchange {
        request,
        status: response.status().as_u16(),
        headers: response.headers().clone(),
    });
    let allowed = if preflight {
        preflight_check_under(
            &other,
            response.status(),
            response.headers(),
            DEFAULT_MAX_AGE_CAP,
            rule,
        )
        .is_ok()
    } else {
        cors_check(&other, response.headers()).is_ok()
    };
    let wildcard = response
        .headers()
        .get(ACCESS_CONTROL_ALLOW_ORIGIN)
        .is_some_and(|v| v.as_bytes() == b"*");
    let what = if preflight { "preflight" } else { "request" };
    if !allowed || wildcard {
        d.step(
            StepKind::Pass,
            format!(
                "probe: the same {what} from a made-up origin ({PROBE_ORIGIN}) is {}",
                if allowed {
                    "allowed by the wildcard, as expected"
                } else {
                    "refused: the server checks the origin"
                }
            ),
        );
        return;
    }
    let message = format!(
        "the server also allows a made-up origin ({PROBE_ORIGIN}): it reflects any origin{}; list the allowed origins instead, e.g. .allow_origins([{:?}])",
        if req.credentials {
            ", with credentials: any site the user visits can read these responses with the user's cookies"
        } else {
            " (harmless only for public data; then send * instead)"
        },
        req.origin
    );
    d.step(StepKind::Warn, format!("warning: {message}"));
    d.warnings.push(Warning {
        code: "reflects_any_origin",
        message,
    });
}
