//! DESIGN.md §4, scale: 100,000 exact origins plus 20,000 subdomain patterns
//! take at most twice the memory of their text once built. Memory is
//! deterministic, so it is asserted here; time is measured by
//! `benches/scale.rs` only.
//!
//! A counting global allocator keeps the bytes live (allocated minus freed);
//! the layer's footprint is the live bytes with the layer built minus those
//! before, the input strings existing in both.

#[path = "support/allowed.rs"]
mod allowed;
#[path = "support/scale.rs"]
mod scale;

use allowed::allowed;
use scale::{live, origins, patterns, Counting};
use strict_cors::CorsLayer;

#[global_allocator]
static GLOBAL: Counting = Counting;

// One test only: the counter is process-wide, and a second test running on
// another thread would be counted too.
#[test]
fn hundred_thousand_origins_and_twenty_thousand_patterns_take_at_most_twice_their_text() {
    let origins = origins(100_000);
    let patterns = patterns(20_000);
    let text: usize = origins.iter().chain(&patterns).map(String::len).sum();

    let before = live();
    let layer = CorsLayer::builder()
        .allow_origins(&origins)
        .allow_origin_patterns(&patterns)
        .allow_credentials(true)
        .build()
        .expect("valid");
    let after = live();
    let used = usize::try_from(after - before).expect("the layer holds memory");

    println!(
        "text {text} B, layer {used} B: {:.2}x",
        used as f64 / text as f64
    );
    assert!(
        used <= 2 * text,
        "the layer takes {used} bytes for {text} bytes of text ({:.2}x, bound 2x)",
        used as f64 / text as f64
    );
    // And it is the allowlist it claims to be.
    assert!(allowed(
        &layer,
        "https://tenant-99999.customers.example-saas.com"
    ));
    assert!(allowed(&layer, "https://app.tenant-19999.example-saas.net"));
    assert!(!allowed(
        &layer,
        "https://tenant-100000.customers.example-saas.com"
    ));
    assert!(!allowed(
        &layer,
        "https://app.tenant-20000.example-saas.net"
    ));
}
