//! Multi-tenant scale (DESIGN.md §4): build time, memory and lookup time of
//! large allowlists.
//!
//! - `scale_build/<n>`: `CorsLayer::builder().allow_origins(..).build()` for
//!   1k / 10k / 100k / 1M exact origins; `scale_build/100k+20k patterns`
//!   with 20,000 subdomain patterns beside; `scale_reconfigure/100k+20k`
//!   the same through `CorsHandle::reconfigure`.
//! - `scale_lookup/{allowed,refused}/<n>`: `CorsLayer::evaluate` on an
//!   actual request whose `Origin` is allowed or not, for 1 / 1k / 10k / 100k / 1M
//!   origins, for 20,000 subdomain patterns, and for 20,000 patterns over one
//!   suffix (`https://*.example.com:<port>`, issue 12.11).
//!
//! Memory is not a criterion measure: `SCALE_TABLE=1 cargo bench --bench
//! scale` prints, instead of criterion, a plain table (build ms, MiB held by
//! the layer as a counting global allocator sees it, bytes per origin
//! against bytes of text, lookup ns; medians with the minimum beside, since
//! interference on a shared machine only adds time), quickly
//! (`SCALE_ROUNDS`, default 5 builds, and 31 lookup batches), and the
//! latency of requests on one thread while another runs `SCALE_ROUNDS`
//! reconfigurations of 100k origins + 20k patterns, against as long without.
//!
//! Run: `cargo bench --bench scale -- --warm-up-time 1 --measurement-time 3`.

#[path = "../tests/support/scale.rs"]
mod scale;

use std::hint::black_box;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use criterion::{criterion_group, BenchmarkId, Criterion};
use http::request::Parts;
use http::{HeaderValue, Request};
use scale::{live, origins, patterns, Counting};
use strict_cors::{CorsBuilder, CorsLayer};

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Subdomain patterns over one suffix, one per port (issue 12.11).
fn port_patterns(n: usize) -> Vec<String> {
    (1..=n)
        .map(|port| format!("https://*.example.com:{port}"))
        .collect()
}

fn builder(origins: &[String], patterns: &[String]) -> CorsBuilder {
    let mut b = CorsLayer::builder().allow_credentials(true);
    if !origins.is_empty() {
        b = b.allow_origins(origins);
    }
    if !patterns.is_empty() {
        b = b.allow_origin_patterns(patterns);
    }
    b
}

fn build(origins: &[String], patterns: &[String]) -> CorsLayer {
    builder(origins, patterns).build().expect("valid")
}

/// Request parts with this `Origin`, built once.
fn parts(origin: &str) -> Parts {
    let (mut parts, ()) = Request::get("/me").body(()).expect("request").into_parts();
    parts
        .headers
        .insert("origin", HeaderValue::from_str(origin).expect("value"));
    parts
}

/// One lookup scenario: a layer, an allowed and a refused request.
struct Lookup {
    name: String,
    layer: CorsLayer,
    allowed: Parts,
    refused: Parts,
}

fn lookups() -> Vec<Lookup> {
    let mut out = Vec::new();
    for n in [1usize, 1_000, 10_000, 100_000, 1_000_000] {
        let list = origins(n);
        out.push(Lookup {
            name: format!("{n} origins"),
            layer: build(&list, &[]),
            allowed: parts(&list[n / 2]),
            refused: parts("https://tenant-x.customers.example-saas.com"),
        });
    }
    out.push(Lookup {
        name: "20k patterns".into(),
        layer: build(&[], &patterns(20_000)),
        allowed: parts("https://app.tenant-10000.example-saas.net"),
        refused: parts("https://app.tenant-x.example-saas.net"),
    });
    out.push(Lookup {
        name: "20k patterns, one suffix".into(),
        layer: build(&[], &port_patterns(20_000)),
        allowed: parts("https://app.example.com:10000"),
        refused: parts("https://app.example.com:30000"),
    });
    for l in &out {
        assert!(l.layer.evaluate(&l.allowed).is_allowed(), "{}", l.name);
        assert!(!l.layer.evaluate(&l.refused).is_allowed(), "{}", l.name);
    }
    out
}

fn bench_build(c: &mut Criterion) {
    let mut group = c.benchmark_group("scale_build");
    group.sample_size(10);
    for n in [1_000usize, 10_000, 100_000, 1_000_000] {
        let list = origins(n);
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| build(black_box(&list), &[]))
        });
    }
    let (list, pats) = (origins(100_000), patterns(20_000));
    group.bench_function("100k+20k patterns", |b| b.iter(|| build(&list, &pats)));
    group.finish();

    let mut group = c.benchmark_group("scale_reconfigure");
    group.sample_size(10);
    let (_layer, handle) = builder(&list, &pats).build_reloadable().expect("valid");
    group.bench_function("100k+20k patterns", |b| {
        b.iter(|| handle.reconfigure(builder(&list, &pats)).expect("valid"))
    });
    group.finish();
}

fn bench_lookup(c: &mut Criterion) {
    let all = lookups();
    let mut group = c.benchmark_group("scale_lookup");
    for l in &all {
        group.bench_function(BenchmarkId::new("allowed", &l.name), |b| {
            b.iter(|| l.layer.evaluate(black_box(&l.allowed)))
        });
        group.bench_function(BenchmarkId::new("refused", &l.name), |b| {
            b.iter(|| l.layer.evaluate(black_box(&l.refused)))
        });
    }
    group.finish();
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Median and minimum: on a shared machine interference only ever adds
/// time, so the minimum is the figure least disturbed by other work.
fn median_min(v: Vec<f64>) -> (f64, f64) {
    let min = v.iter().copied().fold(f64::INFINITY, f64::min);
    (median(v), min)
}

/// Median and minimum ns per `evaluate` over `rounds` batches of 10,000.
fn lookup_ns(layer: &CorsLayer, parts: &Parts, rounds: usize) -> (f64, f64) {
    const BATCH: u32 = 10_000;
    median_min(
        (0..rounds)
            .map(|_| {
                let start = Instant::now();
                for _ in 0..BATCH {
                    black_box(layer.evaluate(black_box(parts)));
                }
                start.elapsed().as_nanos() as f64 / f64::from(BATCH)
            })
            .collect(),
    )
}

/// Median and minimum build time, and the bytes the layer holds.
fn build_stats(
    origins: &[String],
    patterns: &[String],
    rounds: usize,
) -> (Duration, Duration, usize) {
    let mut times = Vec::new();
    let mut held = 0;
    for _ in 0..rounds {
        let before = live();
        let start = Instant::now();
        let layer = build(origins, patterns);
        times.push(start.elapsed().as_secs_f64());
        held = usize::try_from(live() - before).unwrap_or(0);
        drop(black_box(layer));
    }
    let (median, min) = median_min(times);
    (
        Duration::from_secs_f64(median),
        Duration::from_secs_f64(min),
        held,
    )
}

/// Request latency (`evaluate` on a reloadable layer, one thread) while
/// `swaps` reconfigurations of 100k origins + 20k patterns run on another,
/// and for as long without them: (worst, 99.99th percentile, requests) each.
fn swap_latency(swaps: usize) -> [(Duration, Duration, usize); 2] {
    let (list, pats) = (origins(100_000), patterns(20_000));
    let (layer, handle) = builder(&list, &pats).build_reloadable().expect("valid");
    let allowed = parts(&list[500]);
    let run = |swapping: bool, period: Option<Duration>| {
        let stop = AtomicBool::new(false);
        std::thread::scope(|s| {
            let reader = s.spawn(|| {
                let mut lat: Vec<u32> = Vec::with_capacity(1 << 22);
                while !stop.load(Ordering::Relaxed) {
                    let start = Instant::now();
                    black_box(layer.evaluate(black_box(&allowed)));
                    let ns = start.elapsed().as_nanos();
                    if lat.len() < lat.capacity() {
                        lat.push(u32::try_from(ns).unwrap_or(u32::MAX));
                    }
                }
                lat
            });
            let start = Instant::now();
            if swapping {
                for _ in 0..swaps {
                    handle.reconfigure(builder(&list, &pats)).expect("valid");
                }
            } else if let Some(p) = period {
                std::thread::sleep(p);
            }
            let took = start.elapsed();
            stop.store(true, Ordering::Relaxed);
            let mut lat = reader.join().expect("reader");
            lat.sort_unstable();
            let pick = |q: f64| {
                let i = ((lat.len() as f64 - 1.0) * q) as usize;
                Duration::from_nanos(lat.get(i).copied().map_or(0, u64::from))
            };
            (took, (pick(1.0), pick(0.9999), lat.len()))
        })
    };
    let (took, with) = run(true, None);
    let (_, without) = run(false, Some(took));
    [with, without]
}

/// `SCALE_TABLE=1 cargo bench --bench scale`: the table, without criterion.
fn table() {
    let rounds = std::env::var("SCALE_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5usize);
    println!("build: median (min) of {rounds}; memory: bytes live after build minus before");
    println!(
        "| {:<27} | {:>15} | {:>8} | {:>8} | {:>10} | {:>6} |",
        "allowlist", "build ms", "MiB", "text MiB", "B/entry", "x text"
    );
    println!(
        "|{:-<29}|{:->17}|{:->10}|{:->10}|{:->12}|{:->8}|",
        "", "", "", "", "", ""
    );
    let cases: [(&str, Vec<String>, Vec<String>); 7] = [
        ("1k origins", origins(1_000), vec![]),
        ("10k origins", origins(10_000), vec![]),
        ("100k origins", origins(100_000), vec![]),
        ("1M origins", origins(1_000_000), vec![]),
        ("20k patterns", vec![], patterns(20_000)),
        (
            "100k origins + 20k patterns",
            origins(100_000),
            patterns(20_000),
        ),
        (
            "1M origins + 20k patterns",
            origins(1_000_000),
            patterns(20_000),
        ),
    ];
    for (name, list, pats) in &cases {
        let text: usize = list.iter().chain(pats).map(String::len).sum();
        let (time, min, held) = build_stats(list, pats, rounds);
        let entries = list.len() + pats.len();
        println!(
            "| {:<27} | {:>6.1} ({:>6.1}) | {:>8.2} | {:>8.2} | {:>4.0} / {:>3.0} | {:>6.2} |",
            name,
            time.as_secs_f64() * 1e3,
            min.as_secs_f64() * 1e3,
            held as f64 / 1048576.0,
            text as f64 / 1048576.0,
            held as f64 / entries as f64,
            text as f64 / entries as f64,
            held as f64 / text as f64,
        );
    }
    let (list, pats) = (origins(100_000), patterns(20_000));
    let (_layer, handle) = builder(&list, &pats).build_reloadable().expect("valid");
    let times: Vec<f64> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            handle.reconfigure(builder(&list, &pats)).expect("valid");
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    let (med, min) = median_min(times);
    println!("reconfigure 100k origins + 20k patterns: {med:.1} ms median ({min:.1} min)");
    let [with, without] = swap_latency(rounds);
    println!(
        "request latency during {rounds} swaps: worst {:?}, p99.99 {:?} ({} requests); \
         as long without swaps: worst {:?}, p99.99 {:?} ({} requests)",
        with.0, with.1, with.2, without.0, without.1, without.2
    );

    println!();
    println!("lookup: CorsLayer::evaluate, ns, median (min) of 31 batches of 10,000");
    println!(
        "| {:<27} | {:>15} | {:>15} |",
        "allowlist", "allowed", "refused"
    );
    println!("|{:-<29}|{:->17}|{:->17}|", "", "", "");
    for l in lookups() {
        let (am, an) = lookup_ns(&l.layer, &l.allowed, 31);
        let (rm, rn) = lookup_ns(&l.layer, &l.refused, 31);
        println!(
            "| {:<27} | {am:>6.1} ({an:>6.1}) | {rm:>6.1} ({rn:>6.1}) |",
            l.name
        );
    }
}

criterion_group!(benches, bench_build, bench_lookup);

fn main() {
    if std::env::var_os("SCALE_TABLE").is_some() {
        table();
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
