//! Origins: the configured allowlist (exact origins and patterns), parsed
//! and normalised at `build()`, and the lookup of a request's `Origin`.
//!
//! Depends on nothing but the configuration errors: no request handling here.

mod hash;
mod host;
mod matcher;
mod parse;
mod pattern;
mod scheme;
mod set;
mod table;

pub(crate) use parse::parse_origin;
pub(crate) use pattern::parse_pattern;
pub(crate) use set::{OriginSet, OriginSetBuilder};
