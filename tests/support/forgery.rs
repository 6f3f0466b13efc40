//! The CSRF scenario of the browser suite (DESIGN §6): an API on
//! `api.example.localhost` with two copies of one CORS policy, `/on/…` with
//! the guard and `/off/…` without, a login page that sets the session cookie
//! first-party, a page of the API's own with a same-origin form, and a page
//! server for the attacker's pages (`evil.localhost`: another site;
//! `evil.example.localhost`: the same site, not in the allowlist) and the
//! allowed front end (`app.example.localhost`).
//!
//! Everything that reaches the API is recorded twice: outside the CORS
//! layer (what the browser sent: `Origin`, `Sec-Fetch-Site`, whether the
//! cookie came along, and the status it got back) and in the handler (which
//! the guard must keep from running). The WebSocket endpoint is a plain
//! handler that counts handshakes and answers `400`: whether a handshake
//! reaches it is the question, not the socket.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{AppendHeaders, Html, IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use serde_json::Value;
use strict_cors::CorsLayer;

use super::webdriver::{Browser, Engine};

/// The session cookies (names distinct from the demo's), both set by
/// `/login`: `SameSite=None; Secure` (sent cross-site, where the engine
/// keeps it) and `SameSite=Lax` (sent by every engine on same-site
/// requests, which is why `Lax` alone does not stop a sibling subdomain).
pub const COOKIES: [(&str, &str); 2] = [
    (
        "none",
        "csrf_none=1; Path=/; HttpOnly; Secure; SameSite=None",
    ),
    ("lax", "csrf_lax=1; Path=/; HttpOnly; SameSite=Lax"),
];

/// One request as the API saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    /// `sent` (outside the CORS layer) or `handler` (the handler ran).
    pub stage: &'static str,
    pub method: String,
    /// The full path (`/on/transfer-form`), also in the handler.
    pub path: String,
    pub origin: Option<String>,
    pub site: Option<String>,
    /// Which session cookies came along: `none`, `lax`, `none+lax`, or `-`.
    pub cookie: String,
    pub websocket: bool,
    /// The status sent back (`sent` only; 0 in the handler).
    pub status: u16,
}

/// What the API saw, shared with the test.
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<Vec<Seen>>>);

impl Log {
    fn push(&self, seen: Seen) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(seen);
    }

    /// Everything recorded so far.
    pub fn all(&self) -> Vec<Seen> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

fn text(h: &HeaderMap, name: header::HeaderName) -> Option<String> {
    h.get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

fn seen(stage: &'static str, method: &Method, path: String, h: &HeaderMap) -> Seen {
    let sent: String = h
        .get_all(header::COOKIE)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect::<Vec<_>>()
        .join("; ");
    let names: Vec<&str> = COOKIES
        .iter()
        .filter(|(name, _)| {
            sent.split(';')
                .any(|c| c.trim().starts_with(&format!("csrf_{name}=")))
        })
        .map(|(name, _)| *name)
        .collect();
    let cookie = match names.is_empty() {
        true => "-".to_owned(),
        false => names.join("+"),
    };
    Seen {
        stage,
        method: method.to_string(),
        path,
        origin: text(h, header::ORIGIN),
        site: text(h, header::HeaderName::from_static("sec-fetch-site")),
        cookie,
        websocket: h.contains_key(header::UPGRADE),
        status: 0,
    }
}

async fn outside(State(log): State<Log>, req: Request, next: Next) -> Response {
    let mut record = seen(
        "sent",
        req.method(),
        req.uri().path().to_owned(),
        req.headers(),
    );
    let res = next.run(req).await;
    record.status = res.status().as_u16();
    log.push(record);
    res
}

/// The CORS policy both halves share: the front end's origin, credentials.
fn policy(app_origin: &str, guard: bool) -> Result<CorsLayer, String> {
    let b = CorsLayer::builder()
        .allow_origins([app_origin])
        .allow_credentials(true)
        .allow_methods(["GET", "POST", "PUT"])
        .allow_headers(["content-type"]);
    let b = match guard {
        true => b.csrf_protection(true).csrf_exempt_paths(["/hooks/"]),
        false => b,
    };
    b.build()
        .map_err(|e| format!("the CSRF scenario's policy: {e}"))
}

/// The protected application: any method on any path; records that it ran.
fn application(log: Log, prefix: &'static str) -> Router {
    let handler = move |req: Request| {
        let log = log.clone();
        async move {
            let record = seen(
                "handler",
                req.method(),
                format!("{prefix}{}", req.uri().path()),
                req.headers(),
            );
            let (cookie, websocket) = (record.cookie.clone(), record.websocket);
            log.push(record);
            if websocket {
                // Counted; no socket is opened.
                return (StatusCode::BAD_REQUEST, "no websocket here").into_response();
            }
            format!("ran cookie={cookie}").into_response()
        }
    };
    Router::new().route("/{*rest}", any(handler))
}

/// The API: `GET /login` (sets the cookie, first-party), `GET /page` (a
/// same-origin form), `/on/…` (guarded), `/off/…` (not).
pub fn api(log: &Log, app_origin: &str) -> Result<Router, String> {
    let login = || async {
        (
            // Appended: an array of pairs would insert, keeping the last.
            AppendHeaders([
                (header::SET_COOKIE, COOKIES[0].1),
                (header::SET_COOKIE, COOKIES[1].1),
            ]),
            Html("<p id=done>logged in</p>"),
        )
    };
    let own = || async {
        Html(
            "<form id=f method=POST action=/on/transfer-own><input name=amount value=1></form>\
             <script>document.getElementById('f').submit()</script>",
        )
    };
    Ok(Router::new()
        .route("/login", get(login))
        .route("/page", get(own))
        .nest(
            "/on",
            application(log.clone(), "/on").layer(policy(app_origin, true)?),
        )
        .nest(
            "/off",
            application(log.clone(), "/off").layer(policy(app_origin, false)?),
        )
        .layer(middleware::from_fn_with_state(log.clone(), outside)))
}

/// The attacker's pages and the front end, calling the API at `api`
/// (`http://api.example.localhost:<port>`). `GET /attack?mode=fetch|form&target=on|off`,
/// `GET /allowed`.
pub fn pages(api: &str) -> Router {
    let attack = ATTACK.replace("__API__", api);
    let allowed = ALLOWED.replace("__API__", api);
    Router::new()
        .route(
            "/attack",
            get(move || {
                let page = attack.clone();
                async move { ([(header::CACHE_CONTROL, "no-store")], Html(page)) }
            }),
        )
        .route(
            "/allowed",
            get(move || {
                let page = allowed.clone();
                async move { ([(header::CACHE_CONTROL, "no-store")], Html(page)) }
            }),
        )
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
}

/// `?mode=fetch`: a `no-cors` credentialed POST, then a WebSocket; the
/// outcome lands in `document.body.dataset.done`. `?mode=form`: a form
/// POST, submitted on load (the top-level page navigates to the API).
const ATTACK: &str = r#"<!doctype html><meta charset=utf-8><title>attack</title>
<form id=f method=POST><input name=amount value=1000></form>
<script>
const API = '__API__';
const q = new URLSearchParams(location.search);
const target = q.get('target');
if (q.get('mode') === 'form') {
  const f = document.getElementById('f');
  f.action = API + '/' + target + '/transfer-form';
  f.submit();
} else {
  (async () => {
    const out = {};
    try {
      await fetch(API + '/' + target + '/transfer-fetch', {
        method: 'POST', mode: 'no-cors', credentials: 'include',
        headers: {'content-type': 'application/x-www-form-urlencoded'}, body: 'amount=1000',
      });
      out.fetch = 'sent';
    } catch (e) { out.fetch = 'error: ' + e; }
    out.ws = await new Promise((resolve) => {
      let ws;
      try { ws = new WebSocket(API.replace(/^http/, 'ws') + '/' + target + '/ws'); }
      catch (e) { resolve('throw: ' + e); return; }
      ws.onopen = () => { ws.close(); resolve('open'); };
      ws.onerror = () => resolve('error');
      ws.onclose = (e) => resolve('close ' + e.code);
      setTimeout(() => resolve('timeout'), 5000);
    });
    document.body.dataset.done = JSON.stringify(out);
  })();
}
</script>"#;

/// The front end: a credentialed `POST` and a preflighted `PUT` to the
/// guarded API, reading the answers.
const ALLOWED: &str = r#"<!doctype html><meta charset=utf-8><title>app</title>
<script>
const API = '__API__';
(async () => {
  const out = {};
  for (const [method, type, body] of [
    ['POST', 'application/x-www-form-urlencoded', 'amount=1'],
    ['PUT', 'application/json', '{"amount":1}'],
  ]) {
    try {
      const r = await fetch(API + '/on/transfer-app', {
        method, credentials: 'include', headers: {'content-type': type}, body,
      });
      out[method] = r.status + ' ' + await r.text();
    } catch (e) { out[method] = 'error: ' + e; }
  }
  document.body.dataset.done = JSON.stringify(out);
})();
</script>"#;

// ---------------------------------------------------------------------------
// Driving one engine through the scenario.

/// The API's site: the front end and the same-site attacker live under it.
const SITE: &str = "example.localhost";

/// The attacker's pages: another site, and the API's own site.
pub const ATTACKERS: [(&str, &str); 2] = [
    ("cross-site", "evil.localhost"),
    ("same-site", "evil.example.localhost"),
];

/// The three forgeries each attacker page tries: path under `/on` or `/off`.
pub const VECTORS: [(&str, &str); 3] = [
    ("form POST", "/transfer-form"),
    ("no-cors fetch POST", "/transfer-fetch"),
    ("WebSocket", "/ws"),
];

/// What one engine did in the CSRF scenario.
pub struct Csrf {
    pub engine: Engine,
    /// Everything the API saw, in order.
    pub seen: Vec<Seen>,
    /// Per attacker label, its page origin.
    pub origins: Vec<(&'static str, String)>,
    /// The front end's origin, and its outcome (`{"POST": "200 ran cookie=true", …}`).
    pub app_origin: String,
    pub allowed: Value,
    /// The API's own origin (the same-origin form).
    pub api_origin: String,
    /// Per attacker label and target, what the page's script saw.
    pub scripts: Vec<(&'static str, &'static str, Value)>,
}

impl Csrf {
    /// Records of `stage` for `path` from `origin`.
    pub fn find(&self, stage: &str, path: &str, origin: &str) -> Vec<&Seen> {
        self.seen
            .iter()
            .filter(|s| s.stage == stage && s.path == path && s.origin.as_deref() == Some(origin))
            .collect()
    }

    /// The origin of the attacker page `label`.
    pub fn origin(&self, label: &str) -> &str {
        self.origins
            .iter()
            .find(|(l, _)| *l == label)
            .map_or("", |(_, o)| o.as_str())
    }

    /// One line per attacker, vector and target: what the engine sent and
    /// what happened (shown with `--show-output`).
    pub fn table(&self) -> String {
        let mut out = format!(
            "csrf: {}: page | vector | target | Sec-Fetch-Site | Origin | cookie sent | status | handler ran\n",
            self.engine
        );
        for (label, _) in ATTACKERS {
            let origin = self.origin(label);
            for (vector, path) in VECTORS {
                for target in ["/on", "/off"] {
                    let full = format!("{target}{path}");
                    let sent = self.find("sent", &full, origin);
                    let ran = self.find("handler", &full, origin).len();
                    let line = match sent.first() {
                        Some(s) => format!(
                            "csrf: {}: {label} | {vector} | {target} | {} | {} | {} | {} | {ran}\n",
                            self.engine,
                            s.site.as_deref().unwrap_or("(none)"),
                            s.origin.as_deref().unwrap_or("(none)"),
                            s.cookie,
                            s.status
                        ),
                        None => format!(
                            "csrf: {}: {label} | {vector} | {target} | not sent | | | | {ran}\n",
                            self.engine
                        ),
                    };
                    out.push_str(&line);
                }
            }
        }
        for (label, target, outcome) in &self.scripts {
            out.push_str(&format!(
                "csrf: {}: {label} page's script, /{target}: {outcome}\n",
                self.engine
            ));
        }
        for (who, path) in [
            ("front end", "/on/transfer-app"),
            ("own form", "/on/transfer-own"),
        ] {
            for s in self
                .seen
                .iter()
                .filter(|s| s.stage == "sent" && s.path == path)
            {
                out.push_str(&format!(
                    "csrf: {}: {who} | {} | /on | {} | {} | {} | {} |\n",
                    self.engine,
                    s.method,
                    s.site.as_deref().unwrap_or("(none)"),
                    s.origin.as_deref().unwrap_or("(none)"),
                    s.cookie,
                    s.status
                ));
            }
        }
        out
    }
}

/// Waits (bounded) until `log` holds a `sent` record for `path` beyond the
/// first `before`.
fn wait_sent(log: &Log, path: &str, before: usize) -> Result<(), String> {
    let started = Instant::now();
    loop {
        let n = log
            .all()
            .iter()
            .filter(|s| s.stage == "sent" && s.path == path)
            .count();
        if n > before {
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(15) {
            return Err(format!("no request to {path} reached the API within 15 s"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn count_sent(log: &Log, path: &str) -> usize {
    log.all()
        .iter()
        .filter(|s| s.stage == "sent" && s.path == path)
        .count()
}

/// The page's `document.body.dataset.done`, parsed, once it is set.
fn wait_done(browser: &Browser) -> Result<Value, String> {
    let done = browser.wait_for(
        "return document.body && document.body.dataset.done || null;",
        Duration::from_secs(30),
        "return document.documentElement.outerHTML.slice(0, 500);",
    )?;
    let text = done.as_str().unwrap_or_default();
    serde_json::from_str(text).map_err(|e| format!("{e}: {text}"))
}

/// Runs the scenario in `browser`, with servers started by `start` (which
/// returns the API's and the pages' ports, and keeps them running while the
/// guard it returns lives).
pub fn run<T>(
    browser: &Browser,
    start: impl FnOnce(Log) -> Result<(u16, u16, T), String>,
) -> Result<Csrf, String> {
    let log = Log::default();
    let (api_port, page_port, _servers) = start(log.clone())?;
    let api_origin = format!("http://api.{SITE}:{api_port}");
    let app_origin = format!("http://app.{SITE}:{page_port}");
    // The session cookie, set first-party: a top-level visit to the API.
    browser.goto(&format!("{api_origin}/login"))?;
    browser.wait_for(
        "return document.getElementById('done') ? true : null;",
        Duration::from_secs(30),
        "return document.documentElement.outerHTML.slice(0, 500);",
    )?;
    let mut origins = Vec::new();
    let mut scripts = Vec::new();
    for (label, host) in ATTACKERS {
        let page = format!("http://{host}:{page_port}");
        origins.push((label, page.clone()));
        for target in ["on", "off"] {
            browser.goto(&format!("{page}/attack?mode=fetch&target={target}"))?;
            let outcome = wait_done(browser).map_err(|e| format!("{label} {target}: {e}"))?;
            scripts.push((label, target, outcome));
            let path = format!("/{target}/transfer-form");
            let before = count_sent(&log, &path);
            browser.goto(&format!("{page}/attack?mode=form&target={target}"))?;
            wait_sent(&log, &path, before).map_err(|e| format!("{label}: {e}"))?;
        }
    }
    browser.goto(&format!("{app_origin}/allowed"))?;
    let allowed = wait_done(browser).map_err(|e| format!("front end: {e}"))?;
    let before = count_sent(&log, "/on/transfer-own");
    browser.goto(&format!("{api_origin}/page"))?;
    wait_sent(&log, "/on/transfer-own", before)?;
    Ok(Csrf {
        engine: browser.engine,
        seen: log.all(),
        origins,
        app_origin,
        allowed,
        api_origin,
        scripts,
    })
}
