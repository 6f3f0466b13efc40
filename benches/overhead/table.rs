//! The interleaved table (`OVERHEAD_TABLE=1`) and the single-path run for
//! a profiler (`OVERHEAD_PROFILE`).

use std::convert::Infallible;
use std::hint::black_box;
use std::time::Instant;

use http::{Request, Response};
use tower::service_fn;
use tower::{Layer, Service};

use super::floor::{Floor, FloorLayered};
use super::{
    allowlist, drive, plain, strict_layer_for, tower_http_layer, typed, Inner, Path, ALLOWED,
    OTHER_ALLOWED,
};

/// Times one batch of requests through `svc`, in ns per request. The
/// requests are built before the clock starts; the responses are dropped
/// after it stops.
fn time_batch<S>(svc: &mut S, path: Path, n: usize, out: &mut Vec<Response<String>>) -> f64
where
    S: Service<Request<()>, Response = Response<String>, Error = Infallible>,
{
    let requests: Vec<Request<()>> = (0..n).map(|_| path.request()).collect();
    let start = Instant::now();
    for req in requests {
        out.push(drive(svc, black_box(req)));
    }
    let elapsed = start.elapsed();
    black_box(&mut *out).clear();
    elapsed.as_nanos() as f64 / n as f64
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// One row of the interleaved table: `rounds` rounds, each timing a batch
/// through the bare service, the floor, tower-http and strict-cors (in
/// rotating order), so that all see the same machine load. Overheads are the
/// medians of the per-round differences with the bare batch of the same round.
fn table_row(label: &str, path: Path, inner: Inner, origins: &[String], rounds: usize, n: usize) {
    let mut bare = service_fn(inner);
    let mut floor = Floor { inner, path };
    let mut th = tower_http_layer(origins).layer(service_fn(inner));
    let mut strict = strict_layer_for(origins, path.guarded()).layer(service_fn(inner));
    let mut layered = FloorLayered { inner, path };
    let mut out = Vec::with_capacity(n);
    let mut times: [Vec<f64>; 5] = Default::default();
    let mut overheads: [Vec<f64>; 5] = Default::default();
    for round in 0..rounds {
        let mut t = [0.0; 5];
        for k in 0..5 {
            let which = (round + k) % 5;
            t[which] = match which {
                0 => time_batch(&mut bare, path, n, &mut out),
                1 => time_batch(&mut floor, path, n, &mut out),
                2 => time_batch(&mut th, path, n, &mut out),
                3 => time_batch(&mut strict, path, n, &mut out),
                _ => time_batch(&mut layered, path, n, &mut out),
            };
        }
        for i in 0..5 {
            times[i].push(t[i]);
            overheads[i].push(t[i] - t[0]);
        }
    }
    let [bare, floor, th, sc, layered] = times.map(median);
    let [_, floor_o, th_o, sc_o, layered_o] = overheads.map(median);
    // The floor done as a layer (not the yardstick): its ratio to the floor.
    let layered_vs_floor = match path.answered_by_layer() {
        true => layered / floor,
        false => layered_o / floor_o,
    };
    // Neither strict-cors nor the floor passes a preflight to the inner
    // service: there the ratios compare whole times.
    let (vs_floor, vs_th) = match path.answered_by_layer() {
        true => (sc / floor, sc / th),
        false => (sc_o / floor_o, sc_o / th_o),
    };
    println!(
        "| {label:<30} | {bare:>6.0} | {floor:>6.0} | {th:>6.0} | {sc:>6.0} | {floor_o:>6.0} | \
         {th_o:>6.0} | {sc_o:>6.0} | {vs_floor:>5.2} | {vs_th:>5.2} | {layered_vs_floor:>5.2} |",
    );
}

/// `OVERHEAD_TABLE=1 cargo bench --bench overhead`: instead of criterion,
/// an interleaved, paired measurement of every path and allowlist size,
/// printed as a table (median ns per request; `OVERHEAD_ROUNDS`, default
/// 101, and `OVERHEAD_BATCH`, default 1000 requests per batch). Sturdier than
/// separate criterion benchmarks on a shared, noisy machine.
pub(crate) fn table() {
    let env = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let rounds = env("OVERHEAD_ROUNDS", 101);
    let n = env("OVERHEAD_BATCH", 1000);
    let runs = env("OVERHEAD_RUNS", 1);
    if runs > 1 {
        return table_of_runs(runs, rounds, n);
    }
    println!("{rounds} rounds of {n} requests; median ns per request");
    println!("columns: time per request (bare, floor, tower-http, strict-cors), then");
    println!("overhead over bare (floor, tower-http, strict-cors), then the ratios");
    println!("strict-cors overhead / floor overhead (target <= 1.5) and strict-cors");
    println!("overhead / tower-http overhead; preflights and refused writes: whole times;");
    println!("last, the floor done as a layer (wrapper future; not the yardstick) / floor");
    println!(
        "| {:<30} | {:>6} | {:>6} | {:>6} | {:>6} | {:>6} | {:>6} | {:>6} | {:>5} | {:>5} | {:>5} |",
        "path", "bare", "floor", "th", "sc", "+floor", "+th", "+sc", "sc/fl", "sc/th", "lf/fl"
    );
    println!(
        "|{:-<32}|{:->8}|{:->8}|{:->8}|{:->8}|{:->8}|{:->8}|{:->8}|{:->7}|{:->7}|{:->7}|",
        "", "", "", "", "", "", "", "", "", "", ""
    );
    let origins = [ALLOWED.to_owned(), OTHER_ALLOWED.to_owned()];
    for (variant, inner) in [("", plain as Inner), ("typed ", typed as Inner)] {
        for path in Path::ALL {
            let label = format!("{variant}{}", path.name());
            table_row(&label, path, inner, &origins, rounds, n);
        }
    }
    for size in [1usize, 10, 1000] {
        let label = format!("allowlist {size}, actual_allowed");
        table_row(
            &label,
            Path::ActualAllowed,
            plain,
            &allowlist(size),
            rounds,
            n,
        );
    }
}

/// `OVERHEAD_RUNS=<k>` (with `OVERHEAD_TABLE=1`): the table measured by `k`
/// processes one after the other, each its own run of `OVERHEAD_ROUNDS`
/// rounds, and printed as the median of the runs, cell by cell. A process's
/// figures depend on where its code and stack land in memory (a run moves
/// a ratio by up to ±0.2 on some paths, and keeps that for all its rounds):
/// fresh processes sample that too.
fn table_of_runs(runs: usize, rounds: usize, n: usize) {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => panic!("OVERHEAD_RUNS: no path to this benchmark: {e}"),
    };
    let mut labels: Vec<String> = Vec::new();
    let mut cells: Vec<Vec<Vec<f64>>> = Vec::new();
    for _ in 0..runs {
        let out = std::process::Command::new(&exe)
            .arg("--bench")
            .env("OVERHEAD_RUNS", "1")
            .output()
            .expect("a run of the table");
        assert!(out.status.success(), "a run of the table failed");
        let text = String::from_utf8_lossy(&out.stdout);
        let rows = text.lines().filter_map(|line| {
            let c: Vec<&str> = line.split('|').map(str::trim).collect();
            let values: Vec<f64> = c.iter().skip(2).filter_map(|v| v.parse().ok()).collect();
            (values.len() == 10).then(|| (c[1].to_owned(), values))
        });
        for (i, (label, values)) in rows.enumerate() {
            if i == labels.len() {
                labels.push(label);
                cells.push(vec![Vec::new(); 10]);
            }
            for (k, v) in values.into_iter().enumerate() {
                cells[i][k].push(v);
            }
        }
    }
    println!("median of {runs} runs (processes) of {rounds} rounds of {n} requests");
    println!("columns as in one run (OVERHEAD_RUNS unset)");
    for (label, row) in labels.iter().zip(cells) {
        let m: Vec<f64> = row.into_iter().map(median).collect();
        println!(
            "| {label:<30} | {:>6.0} | {:>6.0} | {:>6.0} | {:>6.0} | {:>6.0} | {:>6.0} | {:>6.0} | \
            {:>5.2} | {:>5.2} | {:>5.2} |",
            m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8], m[9]
        );
    }
}

/// `OVERHEAD_PROFILE=<path>:<service> cargo bench --bench overhead`: sends
/// `OVERHEAD_BATCH` (default 100,000) requests of one path through one
/// service (`bare`, `floor`, `floor-layered`, `tower-http`, `strict-cors`)
/// and nothing else,
/// for a profiler: under `valgrind --tool=callgrind` the instruction counts
/// per request are independent of the machine's load. Requests are built,
/// and responses dropped, in batches of 1,000 around the sends: compare
/// services by the inclusive cost of `drive`, or by whole counts against
/// `bare`.
pub(crate) fn profile(spec: &str) {
    let (path_name, svc) = spec.split_once(':').unwrap_or((spec, "strict-cors"));
    let Some(path) = Path::ALL.into_iter().find(|p| p.name() == path_name) else {
        panic!("OVERHEAD_PROFILE: unknown path {path_name:?}");
    };
    let n: usize = std::env::var("OVERHEAD_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let origins = [ALLOWED.to_owned(), OTHER_ALLOWED.to_owned()];
    let mut out = Vec::with_capacity(1000);
    let mut run = |f: &mut dyn FnMut(Request<()>) -> Response<String>| {
        for _ in 0..n / 1000 {
            let requests: Vec<Request<()>> = (0..1000).map(|_| path.request()).collect();
            for req in requests {
                out.push(f(black_box(req)));
            }
            black_box(&mut out).clear();
        }
    };
    match svc {
        "bare" => {
            let mut s = service_fn(plain as Inner);
            run(&mut |r| drive(&mut s, r))
        }
        "floor" => {
            let mut s = Floor { inner: plain, path };
            run(&mut |r| drive(&mut s, r))
        }
        "floor-layered" => {
            let mut s = FloorLayered { inner: plain, path };
            run(&mut |r| drive(&mut s, r))
        }
        "tower-http" => {
            let mut s = tower_http_layer(&origins).layer(service_fn(plain as Inner));
            run(&mut |r| drive(&mut s, r))
        }
        "strict-cors" => {
            let mut s =
                strict_layer_for(&origins, path.guarded()).layer(service_fn(plain as Inner));
            run(&mut |r| drive(&mut s, r))
        }
        other => panic!("OVERHEAD_PROFILE: unknown service {other:?}"),
    }
}
