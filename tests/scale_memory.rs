//! DESIGN.md §4, scale: 100,000 exact origins plus 20,000 subdomain patterns
//! take at most twice the memory of their text once built. Memory is
//! deterministic, so it is asserted here; time is measured by
//! `benches/scale.rs` only.
//!
//! A counting global allocator keeps the bytes live (allocated minus freed);
//! the layer's footprint is the live bytes with the layer built minus those
//! before, the input strings existing in both.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use http::Request;
use strict_cors::{CorsLayer, RequestKind};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is forwarded unchanged to `System`; the counter is a
// plain atomic.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        p
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            LIVE.fetch_add(
                new_size as isize - layout.size() as isize,
                Ordering::Relaxed,
            );
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Customer origins as a multi-tenant product lists them.
fn origins(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("https://tenant-{i}.customers.example-saas.com"))
        .collect()
}

fn patterns(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("https://*.tenant-{i}.example-saas.net"))
        .collect()
}

fn allowed(layer: &CorsLayer, origin: &str) -> bool {
    let (parts, ()) = Request::get("/")
        .header("origin", origin)
        .body(())
        .expect("request")
        .into_parts();
    {
        let d = layer.evaluate(&parts);
        d.kind() == RequestKind::Actual && d.is_allowed()
    }
}

// One test only: the counter is process-wide, and a second test running on
// another thread would be counted too.
#[test]
fn hundred_thousand_origins_and_twenty_thousand_patterns_take_at_most_twice_their_text() {
    let origins = origins(100_000);
    let patterns = patterns(20_000);
    let text: usize = origins.iter().chain(&patterns).map(String::len).sum();

    let before = LIVE.load(Ordering::SeqCst);
    let layer = CorsLayer::builder()
        .allow_origins(&origins)
        .allow_origin_patterns(&patterns)
        .allow_credentials(true)
        .build()
        .expect("valid");
    let after = LIVE.load(Ordering::SeqCst);
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
