//! The any-port loopback pattern in real browsers (issue 14.5): an API
//! allowing `http://localhost:*` only, and blank pages on two random ports
//! of `localhost` (allowed: a credentialed `GET` and a preflighted `PUT` are
//! readable) and on `evil.localhost` and `localhost.evil.localhost`, the same
//! port (refused: the host is never a prefix, nor a suffix).
//!
//! Included by `tests/browser.rs` (it uses that file's runtime, binding and
//! task helpers); run once per engine, in the engine's session.

use std::sync::{Arc, Mutex, PoisonError};

use axum::response::Html;
use axum::routing::get;
use http::{HeaderMap, Method};
use serde_json::{json, Value};

use super::webdriver::Browser;
use super::{bind, servers, spawn_http, Tasks};

/// The only thing the API allows.
pub const PATTERN: &str = "http://localhost:*";

/// What one engine did with the pages.
pub struct AnyPort {
    /// `(page origin, what the script saw)`: two allowed, then two refused.
    pub pages: Vec<(String, Value)>,
    /// `(method, Origin)` of every request that reached the API's handler.
    pub handled: Vec<(String, String)>,
}

/// A credentialed `GET /me` and a preflighted credentialed `PUT /me` (JSON
/// body), each `{readable, status, body}` or `{readable: false, error}`.
const SCRIPT: &str = r#"
const [api] = arguments;
const done = arguments[arguments.length - 1];
async function call(init) {
  try {
    const res = await fetch(api + '/me', Object.assign({ credentials: 'include', cache: 'no-store' }, init));
    return { readable: true, status: res.status, body: await res.text() };
  } catch (e) {
    return { readable: false, error: String(e) };
  }
}
(async () => ({
  get: await call({}),
  put: await call({ method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' }),
}))().then(done, (e) => done(String(e)));
"#;

/// Serves the API and the page on the suite's runtime, loads each page and
/// runs [`SCRIPT`] in it.
pub fn run(browser: &Browser) -> Result<AnyPort, String> {
    let started = std::time::Instant::now();
    let handled: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let seen = handled.clone();
    let (ports, _tasks) = servers().block_on(async {
        let (mut l, ports) = bind(3).await?;
        let (second, first, api) = (
            l.pop().ok_or("listener")?,
            l.pop().ok_or("listener")?,
            l.pop().ok_or("listener")?,
        );
        let cors = strict_cors::CorsLayer::builder()
            .allow_origin_patterns([PATTERN])
            .allow_credentials(true)
            .allow_methods(["PUT"])
            .allow_headers(["content-type"])
            .build()
            .map_err(|e| format!("the any-port policy does not build: {e}"))?;
        let record = move |method: Method, headers: HeaderMap| {
            let origin = headers
                .get("origin")
                .and_then(|o| o.to_str().ok())
                .unwrap_or("-")
                .to_owned();
            seen.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((method.to_string(), origin));
            async { axum::Json(json!({ "user": "demo" })) }
        };
        let api_router = axum::Router::new()
            .route("/me", get(record.clone()).put(record))
            .layer(cors);
        let page = axum::Router::new().route(
            "/",
            get(|| async { Html("<!doctype html><title>any port</title>") }),
        );
        let tasks = Tasks(vec![
            spawn_http(api, api_router),
            spawn_http(first, page.clone()),
            spawn_http(second, page),
        ]);
        Ok::<_, String>((ports, tasks))
    })?;
    let (api, first, second) = (ports[0], ports[1], ports[2]);
    let api_base = format!("http://127.0.0.1:{api}");
    let origins = [
        format!("http://localhost:{first}"),
        format!("http://localhost:{second}"),
        format!("http://evil.localhost:{first}"),
        format!("http://localhost.evil.localhost:{first}"),
    ];
    let mut pages = Vec::new();
    for origin in origins {
        let fail = |e: String| {
            browser.with_driver_log(format!("{} any-port run ({origin}): {e}", browser.engine))
        };
        browser.goto(&format!("{origin}/")).map_err(fail)?;
        let seen = browser
            .execute_async(SCRIPT, json!([api_base]))
            .map_err(fail)?;
        pages.push((origin, seen));
    }
    // What the browsers logged is not another run's.
    browser.take_console()?;
    let handled = handled
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    eprintln!(
        "any-port: {}: 4 pages in {:.1?}",
        browser.engine,
        started.elapsed()
    );
    Ok(AnyPort { pages, handled })
}
