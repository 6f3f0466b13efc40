//! The CORS protocol: the rules of the standards as data, the compiled
//! policy, and the decision for a request.

mod allowlists;
mod decision;
mod evaluate;
pub(crate) mod fetch;
mod policy;
mod request_headers;

pub(crate) use allowlists::{AllowedHeaders, AllowedMethods};
pub use decision::{Decision, PreflightGrant, Rejection};
pub(crate) use evaluate::Evaluation;
pub(crate) use policy::{AllowedOrigins, Policy};
