//! Live reconfiguration: the allowlist lives in a file, and the running
//! server picks up each change without a restart.
//!
//! ```text
//! cargo run --example reload
//! ```
//!
//! The allowlist file (first argument; by default `strict-cors-allowlist.txt`
//! in the system's temporary directory, created on first run) holds one
//! origin per line; a line with `*` is a subdomain pattern
//! (`https://*.example.com`); blank lines and `#` comments are ignored.
//!
//! The file is checked every second (its modification time and size), and
//! on `SIGHUP` (`kill -HUP <pid>`, Unix). Each change is validated like
//! `build()`: a valid one is swapped in atomically and what changed is
//! printed; an invalid one is refused with every problem listed, and the
//! previous allowlist keeps serving. What is printed comes from the running
//! layer (`CorsHandle::config()`), not from a copy kept here; so does
//! `GET /admin/cors`, an admin endpoint showing the active configuration. The
//! API listens on `http://127.0.0.1:8080` (env `PORT`; loopback only).

use std::collections::BTreeSet;
use std::error::Error;
use std::io;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use axum::routing::get;
use axum::Router;
use strict_cors::{CorsBuilder, CorsConfig, CorsHandle, CorsLayer};
use tokio::net::TcpListener;

const INITIAL: &str = "\
# strict-cors allowlist: one origin per line; `*` makes a pattern.
http://localhost:*
https://app.example.com
https://*.preview.example.com
# tauri://localhost
";

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let path = match std::env::args_os().nth(1) {
        Some(p) => PathBuf::from(p),
        None => std::env::temp_dir().join("strict-cors-allowlist.txt"),
    };
    if !path.exists() {
        std::fs::write(&path, INITIAL)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    }
    let entries =
        read_allowlist(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    // The first configuration must be valid: there is nothing to fall back on.
    let (cors, handle) = policy(&entries).build_reloadable().map_err(|e| {
        format!(
            "invalid allowlist in {}:\n{e}\nfix the file and start again",
            path.display()
        )
    })?;

    let port: u16 = match std::env::var("PORT") {
        Ok(p) => p.parse().map_err(|e| format!("PORT={p:?}: {e}"))?,
        Err(_) => 8080,
    };
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port} (PORT): {e}"))?;
    let addr = listener.local_addr()?;
    // The admin endpoint reads the running configuration back from the
    // handle: after a reload it shows the new one.
    let admin = handle.clone();
    let app = Router::new()
        .route("/me", get(|| async { "{\"user\":\"demo\"}" }))
        .layer(cors)
        .route(
            "/admin/cors",
            get(move || {
                let config = admin.config();
                async move { describe(&config).join("\n") }
            }),
        );

    println!("allowlist: {} (edit it while this runs)", path.display());
    for line in describe(&handle.config()) {
        println!("  {line}");
    }
    println!("listening on http://{addr}, pid {}", std::process::id());
    println!("  curl -i -H 'origin: https://app.example.com' http://{addr}/me");
    println!("  curl http://{addr}/admin/cors   # the active configuration");
    #[cfg(unix)]
    println!("  kill -HUP {}   # reload now", std::process::id());

    tokio::spawn(watch(path, handle));
    axum::serve(listener, app).await?;
    Ok(())
}

/// The policy for an allowlist: the entries, with credentials.
fn policy(entries: &BTreeSet<String>) -> CorsBuilder {
    let (patterns, origins): (Vec<&String>, Vec<&String>) =
        entries.iter().partition(|e| e.contains('*'));
    CorsLayer::builder()
        .allow_origins(origins)
        .allow_origin_patterns(patterns)
        .allow_credentials(true)
        .allow_methods(["GET", "POST", "PUT", "DELETE"])
        .allow_headers(["content-type", "authorization"])
}

/// The active configuration, a line per setting.
fn describe(config: &CorsConfig) -> Vec<String> {
    let list = |l: &[String]| {
        if l.is_empty() {
            "-".to_owned()
        } else {
            l.join(", ")
        }
    };
    vec![
        format!("origins: {}", list(&config.allowed_origins)),
        format!("patterns: {}", list(&config.allowed_origin_patterns)),
        format!("credentials: {}", config.allow_credentials),
        format!("methods: {}", list(&config.allowed_methods)),
        format!("headers: {}", list(&config.allowed_headers)),
        format!("debug: {}", config.debug),
    ]
}

fn read_allowlist(path: &Path) -> io::Result<BTreeSet<String>> {
    Ok(std::fs::read_to_string(path)?
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

/// What identifies a version of the file without reading it.
fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// Reloads on a change of the file, or on SIGHUP.
async fn watch(path: PathBuf, handle: CorsHandle) {
    let mut last = stamp(&path);
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    #[cfg(unix)]
    let mut hangup = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
        Ok(s) => Some(s),
        Err(e) => {
            eprintln!("no SIGHUP reloads ({e}); watching the file only");
            None
        }
    };
    loop {
        #[cfg(unix)]
        let why = tokio::select! {
            _ = tick.tick() => "file changed",
            Some(()) = async {
                match hangup.as_mut() {
                    Some(s) => s.recv().await,
                    None => std::future::pending().await,
                }
            } => "SIGHUP",
        };
        #[cfg(not(unix))]
        let why = {
            tick.tick().await;
            "file changed"
        };
        let now = stamp(&path);
        if why == "file changed" && now == last {
            continue;
        }
        last = now;
        reload(&path, &handle, why);
    }
}

fn reload(path: &Path, handle: &CorsHandle, why: &str) {
    let entries = match read_allowlist(path) {
        Ok(e) => e,
        Err(e) => {
            eprintln!(
                "[{why}] cannot read {}: {e}; keeping the previous allowlist",
                path.display()
            );
            return;
        }
    };
    // What runs now, read back from the layer: no copy is kept here.
    let before = handle.config();
    match handle.reconfigure(policy(&entries)) {
        Ok(()) => {
            let after = handle.config();
            if after == before {
                println!("[{why}] allowlist unchanged");
                return;
            }
            println!("[{why}] reloaded:");
            let allowed = |c: &CorsConfig| -> BTreeSet<String> {
                c.allowed_origins
                    .iter()
                    .chain(&c.allowed_origin_patterns)
                    .cloned()
                    .collect()
            };
            let (old, new) = (allowed(&before), allowed(&after));
            for added in new.difference(&old) {
                println!("  + {added}");
            }
            for removed in old.difference(&new) {
                println!("  - {removed}");
            }
        }
        Err(e) => {
            eprintln!("[{why}] refused, keeping the previous allowlist:");
            for problem in e.problems() {
                eprintln!("  - {problem}");
            }
        }
    }
}
