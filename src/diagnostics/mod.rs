//! Runtime diagnostics: they read the decision, never make one.
//!
//! - `events`: a `tracing` event per refused request;
//! - `cookies`: the audit of `Set-Cookie` on allowed credentialed responses;
//! - `rate_limit`: the runtime state (rate limits), shared beside the policy
//!   cell so that a reload does not reset it.
//!
//! Nothing here logs a cookie value or an `Authorization` value. Debug mode's
//! `x-cors-debug` header is part of the decision (`protocol`), not of these.

mod cookies;
#[cfg(feature = "tracing")]
mod events;
mod rate_limit;

pub(crate) use cookies::CookieAudit;
#[cfg(feature = "tracing")]
pub(crate) use events::{listening, report};
pub(crate) use rate_limit::Runtime;
