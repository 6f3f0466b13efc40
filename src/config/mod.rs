//! Configuration: the settings a user gives ([`CorsBuilder`]), where they can
//! come from (code, the environment, a file), and their validation into a
//! compiled [`Policy`](crate::protocol::Policy).
//!
//! Depends on `origin` and `protocol`; nothing here knows about layers,
//! services or reloading.

mod builder;
mod compile;
mod data;
mod env;
mod kept;
mod snapshot;

pub use builder::CorsBuilder;
pub use compile::MAX_AGE_LIMIT;
pub use data::CorsConfig;
pub(crate) use snapshot::max_age_secs;
