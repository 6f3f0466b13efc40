//! Scale workload shared by `tests/scale_memory.rs` (the memory bound) and
//! `benches/scale.rs` (build and lookup time): a counting global allocator
//! that keeps the bytes live, and the allowlists a multi-tenant product
//! lists. Included with `#[path]` by both; each installs the allocator with
//! `#[global_allocator] static GLOBAL: Counting = Counting;`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

/// Forwards to `System`, counting the bytes live (allocated minus freed).
pub struct Counting;

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

/// The bytes live now (allocated minus freed since the process started).
pub fn live() -> isize {
    LIVE.load(Ordering::SeqCst)
}

/// Customer origins as a multi-tenant product lists them (~45 bytes each).
pub fn origins(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("https://tenant-{i}.customers.example-saas.com"))
        .collect()
}

/// Subdomain patterns, one per customer domain.
pub fn patterns(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("https://*.tenant-{i}.example-saas.net"))
        .collect()
}
