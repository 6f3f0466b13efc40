//! Events for the 2 AM runbook: one `tracing` event per refused or
//! malformed request, read from the decision, rate-limited per reason code
//! (a client triggers them at will: [`super::rate_limit`]). Never a cookie
//! value or an `Authorization` value: the origin, the methods, the offending
//! header *name* and a reason code, each escaped and cut at 256 bytes.

use super::rate_limit::Runtime;
use crate::protocol::{Decision, Facts, Rejection, Shown};

/// Whether any subscriber records events at all: one relaxed atomic load
/// (`tracing`'s global maximum level, `OFF` without a subscriber), so that
/// a refusal costs nothing more when nobody listens.
#[inline]
pub(crate) fn listening() -> bool {
    tracing::level_enabled!(tracing::Level::ERROR)
}

/// Emits the event for a refused (or malformed) request, unless its
/// reason's rate limit holds it back; the first event admitted after some
/// were held back carries their number in `suppressed`.
#[inline(never)]
pub(crate) fn report(
    unknown_origin_level: tracing::Level,
    method: &http::Method,
    decision: &Decision,
    facts: &Facts<'_>,
    runtime: &Runtime,
) {
    use tracing::Level;

    // Only events that would be recorded use up the budget.
    fn enabled(level: Level) -> bool {
        match level {
            Level::ERROR => tracing::enabled!(target: "strict_cors", Level::ERROR),
            Level::WARN => tracing::enabled!(target: "strict_cors", Level::WARN),
            Level::INFO => tracing::enabled!(target: "strict_cors", Level::INFO),
            Level::DEBUG => tracing::enabled!(target: "strict_cors", Level::DEBUG),
            _ => tracing::enabled!(target: "strict_cors", Level::TRACE),
        }
    }

    macro_rules! event_at {
        ($level:expr, $($rest:tt)*) => {
            match $level {
                Level::ERROR => tracing::event!(target: "strict_cors", Level::ERROR, $($rest)*),
                Level::WARN => tracing::event!(target: "strict_cors", Level::WARN, $($rest)*),
                Level::INFO => tracing::event!(target: "strict_cors", Level::INFO, $($rest)*),
                Level::DEBUG => tracing::event!(target: "strict_cors", Level::DEBUG, $($rest)*),
                _ => tracing::event!(target: "strict_cors", Level::TRACE, $($rest)*),
            }
        };
    }

    let method = Shown(method.as_str().as_bytes());
    if facts.multiple_origins && decision.is_allowed() {
        if !enabled(Level::WARN) {
            return;
        }
        let Some(suppressed) = runtime.multiple_origins().admit() else {
            return;
        };
        tracing::warn!(
            target: "strict_cors",
            reason = "multiple_origins",
            method = %method,
            suppressed,
            "request with several Origin headers treated as not CORS"
        );
        return;
    }
    let Some(rejection) = decision.rejection() else {
        return;
    };
    let preflight = decision.is_preflight();
    let level = match rejection {
        Rejection::OriginNotAllowed => unknown_origin_level,
        Rejection::MethodNotAllowed | Rejection::HeaderNotAllowed => Level::INFO,
        Rejection::InvalidMethod | Rejection::MalformedHeaders => Level::WARN,
        // A refused write is what an attack looks like, and also what a
        // forgotten exemption (a webhook) looks like: worth a warning.
        Rejection::CsrfCrossSite | Rejection::CsrfOriginMismatch | Rejection::CsrfNullOrigin => {
            Level::WARN
        }
    };
    if !enabled(level) {
        return;
    }
    let Some(suppressed) = runtime.refusals(rejection).admit() else {
        return;
    };
    let origin = Shown(facts.origin.map_or(&[][..], |o| o.as_bytes()));
    let requested_method = Shown(facts.requested_method.map_or(&[][..], |m| m.as_bytes()));
    let header = Shown(facts.offending_header.unwrap_or_default());
    event_at!(
        level,
        reason = rejection.code(),
        preflight,
        origin = %origin,
        method = %method,
        requested_method = %requested_method,
        header = %header,
        suppressed,
        "CORS request refused: {}",
        rejection
    );
}
