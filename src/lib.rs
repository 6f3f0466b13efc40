//! Tower middleware for CORS done right for credentialed APIs.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod builder;
mod error;
mod headers;
mod layer;
mod origin;
mod policy;
mod service;

pub use builder::{CorsBuilder, MAX_AGE_LIMIT};
pub use error::{ConfigError, ConfigProblem, HeaderSetting, OriginDefect};
pub use layer::CorsLayer;
pub use policy::{Decision, PreflightGrant, Rejection};
pub use service::{Cors, ResponseFuture};
