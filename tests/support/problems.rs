//! What a configuration that must not build is refused for.
//!
//! Included with `#[path]` by the binaries that ask it, so that it does not
//! pull the Fetch model or the harness into them.

use strict_cors::{ConfigProblem, CorsBuilder};

/// Every problem `b.build()` reports; panics if it builds.
pub fn problems(b: CorsBuilder) -> Vec<ConfigProblem> {
    match b.build() {
        Ok(layer) => panic!("expected an error, built {layer:?}"),
        Err(e) => e.into_problems(),
    }
}

/// The one problem `b.build()` reports; panics if it builds or reports more.
pub fn one(b: CorsBuilder) -> ConfigProblem {
    let mut p = problems(b);
    assert_eq!(p.len(), 1, "{p:?}");
    p.remove(0)
}
