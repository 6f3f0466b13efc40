//! The CORS protocol: the rules of the standards as data, the compiled
//! policy, the decision for a request, and its application to a response.
//!
//! - [`fetch`]: rules taken from WHATWG Fetch and RFC 9110 (token grammar,
//!   safelisted and forbidden methods, forbidden header names);
//! - `allowlists`, `request_headers`: the configured methods and headers,
//!   and the parser of `Access-Control-Request-Headers`;
//! - `policy`: the compiled configuration;
//! - `csrf`: the cross-site request forgery guard's reading of a request
//!   (its verdict is a branch of `evaluate`);
//! - `evaluate`: request → [`Decision`], pure;
//! - `decision`, `rejection`: the decision, the complete answer;
//! - `apply`: decision + response → response, mechanical;
//! - `lookup`: finding the single value of a request header;
//! - `facts`: what an evaluation saw, for events and debug mode;
//! - `debug`: debug mode's reason header.
//!
//! # How to add a new kind of answer
//!
//! As the cross-site request forgery guard did (`csrf.rs`, and its branch
//! in `evaluate.rs`), which refuses a cross-site write with a `403` of the
//! layer's own, on a request that is not a preflight:
//!
//! 1. add a [`Rejection`] variant, with its stable [`code`](Rejection::code)
//!    and its `Display` (and, for debug mode, its detail in `debug.rs`; for
//!    logs, its level in `diagnostics/events.rs`);
//! 2. add one branch in `evaluate.rs` (`Policy::decide`) that returns a
//!    [`Decision`] saying the whole answer: its kind, its rejection, the
//!    status (`Some(403)`: the layer answers and the inner service is never
//!    called; `None`: the inner service answers) and the headers it sets.
//!
//! Nothing else changes: `apply` writes any decision to a response without
//! knowing why it was made, the service answers whenever the decision has a
//! status, and `CorsLayer::evaluate` tells users exactly what is sent.

mod allowlists;
mod apply;
mod csrf;
mod debug;
mod decision;
mod evaluate;
mod facts;
pub(crate) mod fetch;
mod lookup;
mod policy;
mod rejection;
mod request_headers;
mod value;

pub(crate) use allowlists::{AllowedHeaders, AllowedMethods};
pub(crate) use apply::{apply, respond};
pub(crate) use csrf::CsrfGuard;
pub(crate) use debug::Shown;
pub use decision::{Decision, RequestKind};
pub(crate) use decision::{Grant, PreflightValues};
pub(crate) use facts::Facts;
pub(crate) use policy::{AllowedOrigins, Policy};
pub use rejection::Rejection;
pub(crate) use value::Value;
