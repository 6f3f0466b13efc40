//! The credentialed CORS demo: an API behind `strict-cors` and the page that
//! calls it from another origin, in the two deployment shapes:
//!
//! - *same site* (recommended): page `app.example.com`, API
//!   `api.example.com`; the session cookie is first-party,
//!   `SameSite=Lax; Domain=example.com`, and every browser sends it
//!   ([`SessionCookie::SameSite`]);
//! - *cross site*: page and API on different registrable domains; the cookie
//!   must be `SameSite=None; Secure`, a third-party cookie that WebKit
//!   (Safari) and browsers blocking third-party cookies never send
//!   ([`SessionCookie::CrossSite`]). Use a bearer token there.
//!
//! Shared by `main.rs` (the runnable demo) and `tests/browser.rs` (which loads
//! this same page in Chromium, Firefox and WebKit), so the demo a newcomer opens is the
//! one the browser suite proves.
//!
//! Routes of the API (all behind the CORS layer):
//!
//! | route | what it shows |
//! |---|---|
//! | `POST /login` | sets the `session` cookie ([`SessionCookie`]), returns the token |
//! | `GET /me`, `PUT /me` | need the cookie or `Authorization: Bearer`; 401 JSON otherwise |
//! | `DELETE /me` | exists, but is not in `allow_methods`: cross-origin pages are refused |
//! | `GET /status/{code}` | any status, to show 4xx/5xx stay readable |
//! | `GET /handler-sets-acao` | a handler setting its own `Access-Control-Allow-Origin: *` |
//! | `PUT /cached` | a preflighted request, for `max_age` |
//! | `GET /cookie-trap`, `GET /cookie-echo` | `SameSite=None` with and without `Secure` |
//! | `GET /_stats` | `OPTIONS` seen outside the layer, requests that reached the app, HTTP versions of CORS requests |
//! | `GET /_wait/{ms}` | a slow answer, to let real time pass |
//!
//! The API is dependency-light on purpose: JSON is written by hand and the
//! one JSON body it accepts is parsed by hand. A real application would use
//! `axum::Json` with `serde`.

use std::collections::hash_map::RandomState;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{AppendHeaders, Html, IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use strict_cors::{ConfigError, CorsLayer};

/// The page, with `__API_BASE__` where the page server writes the API's URL.
const PAGE: &str = include_str!("page.html");

/// Exposed to scripts through `expose_headers`.
const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// Sent on every response but *not* exposed: scripts read it as `null`.
const X_INTERNAL: HeaderName = HeaderName::from_static("x-internal");

/// Distinct paths the statistics keep apart; later ones are lumped together
/// so that a scanner cannot grow the maps without bound.
const STATS_KEYS_LIMIT: usize = 256;

/// How `POST /login` writes the session cookie: it depends on whether the
/// page and the API are on the same *site* (registrable domain).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionCookie {
    /// Page and API on different sites (`localhost` and `127.0.0.1`;
    /// `app.com` and `api.net`): `SameSite=None; Secure`, the only cookie
    /// sent cross-site. A third-party cookie: WebKit (Safari) and browsers
    /// set to block third-party cookies neither store nor send it.
    CrossSite,
    /// Page and API on one site (`app.example.localhost` and
    /// `api.example.localhost`): `SameSite=Lax; Domain=<domain>`, plus
    /// `Secure` when `secure` (the API is on https). First-party, sent by
    /// every browser; a page on another site never gets it sent.
    SameSite {
        /// The `Domain` attribute, e.g. `example.localhost`.
        domain: String,
        /// Add `Secure` (an https API).
        secure: bool,
    },
}

impl SessionCookie {
    /// The `Set-Cookie` value for `token` (`None`: the cookie that deletes it).
    fn set_cookie(&self, token: Option<&str>) -> String {
        let (value, expiry) = match token {
            Some(token) => (token, ""),
            None => ("", "; Max-Age=0"),
        };
        match self {
            SessionCookie::CrossSite => {
                format!("session={value}{expiry}; HttpOnly; Secure; SameSite=None; Path=/")
            }
            SessionCookie::SameSite { domain, secure } => format!(
                "session={value}{expiry}; HttpOnly;{} SameSite=Lax; Domain={domain}; Path=/",
                if *secure { " Secure;" } else { "" }
            ),
        }
    }
}

/// Who may call the API: exact origins and subdomain patterns.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Exact origins, e.g. `http://app.example.localhost:3001`.
    pub origins: Vec<String>,
    /// Subdomain patterns, e.g. `http://*.example.localhost:3001`.
    pub patterns: Vec<String>,
    /// How the session cookie is written.
    pub cookie: SessionCookie,
}

/// The CORS policy of the demo API: exact page origins (and patterns),
/// credentials on, and the CSRF guard on: a form POST, a `no-cors` fetch or
/// a WebSocket handshake from a page whose origin is not listed is refused
/// with `403` before any handler runs (CORS alone only stops the *read*).
///
/// `DELETE` is deliberately left out of `allow_methods`: `DELETE /me` exists,
/// but a cross-origin page cannot call it (the browser suite checks that the
/// handler never runs).
fn cors(policy: &Policy) -> Result<CorsLayer, ConfigError> {
    CorsLayer::builder()
        .allow_origins(policy.origins.iter().map(String::as_str))
        .allow_origin_patterns(policy.patterns.iter().map(String::as_str))
        .allow_credentials(true)
        .allow_methods(["GET", "POST", "PUT"])
        .allow_headers(["content-type", "authorization"])
        .expose_headers(["x-request-id"])
        .max_age(Duration::from_secs(600))
        .csrf_protection(true)
        .build()
}

/// The cross-site API, allowing credentialed calls from `page_origin`
/// (e.g. `http://localhost:3000`), with a `SameSite=None; Secure` cookie.
///
/// # Errors
///
/// The [`ConfigError`] from `strict-cors` when `page_origin` is not a valid
/// origin for a credentialed policy (say, `http://` on a non-loopback host).
pub fn api_router(page_origin: &str) -> Result<Router, ConfigError> {
    api_router_for(&Policy {
        origins: vec![page_origin.to_owned()],
        patterns: Vec::new(),
        cookie: SessionCookie::CrossSite,
    })
}

/// The API for `policy`.
///
/// # Errors
///
/// The [`ConfigError`] from `strict-cors` for an invalid origin or pattern.
pub fn api_router_for(policy: &Policy) -> Result<Router, ConfigError> {
    let state = AppState {
        cookie: Arc::new(policy.cookie.clone()),
        ..AppState::default()
    };
    let router = Router::new()
        .route("/login", post(login))
        .route("/me", get(read_me).put(update_me).delete(delete_me))
        .route("/status/{code}", get(status))
        .route("/handler-sets-acao", get(handler_sets_acao))
        .route("/cached", put(cached))
        .route("/cookie-trap", get(cookie_trap))
        .route("/cookie-echo", get(cookie_echo))
        .route("/_stats", get(stats))
        .route("/_wait/{ms}", get(wait))
        // Layers listed later wrap the earlier ones. Inside the CORS layer:
        // runs only for requests the layer passes on (never for preflights).
        .layer(middleware::from_fn_with_state(state.clone(), inside_cors))
        .layer(cors(policy)?)
        // Outside it: sees every request, including the preflights that the
        // CORS layer answers by itself.
        .layer(middleware::from_fn_with_state(state.clone(), outside_cors))
        .with_state(state);
    Ok(router)
}

/// The page server: `page.html` at `/`, told to call the API at `api_base`
/// (e.g. `http://127.0.0.1:8080`; `?api=…` in the page's URL overrides it).
pub fn page_router(api_base: &str) -> Router {
    let page: Arc<str> = PAGE.replace("__API_BASE__", &escape_html(api_base)).into();
    Router::new()
        .route(
            "/",
            get(move || {
                let page = page.clone();
                async move {
                    (
                        [(header::CACHE_CONTROL, "no-store")],
                        Html(page.to_string()),
                    )
                }
            }),
        )
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
}

#[derive(Clone)]
struct AppState {
    /// How the session cookie is written.
    cookie: Arc<SessionCookie>,
    /// Session token → user. The same token works as cookie and as bearer.
    sessions: Arc<Mutex<HashMap<String, Session>>>,
    stats: Arc<Mutex<Stats>>,
    next_request_id: Arc<AtomicU64>,
}

impl Default for AppState {
    fn default() -> Self {
        AppState {
            cookie: Arc::new(SessionCookie::CrossSite),
            sessions: Arc::default(),
            stats: Arc::default(),
            next_request_id: Arc::default(),
        }
    }
}

#[derive(Clone)]
struct Session {
    user: String,
    name: String,
}

#[derive(Default)]
struct Stats {
    /// `OPTIONS` requests by path, counted outside the CORS layer.
    options: BTreeMap<String, u64>,
    /// Requests that got through the CORS layer to the app, by `METHOD path`.
    handled: BTreeMap<String, u64>,
    /// Requests with an `Origin` (the page's), by HTTP version (`HTTP/2.0`).
    versions: BTreeMap<String, u64>,
}

impl AppState {
    fn sessions(&self) -> MutexGuard<'_, HashMap<String, Session>> {
        // A panic while holding the lock leaves the map usable: keep going.
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn stats(&self) -> MutexGuard<'_, Stats> {
        self.stats.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn bump(map: &mut BTreeMap<String, u64>, key: String) {
    let key = if map.len() >= STATS_KEYS_LIMIT && !map.contains_key(&key) {
        "(other)".to_owned()
    } else {
        key
    };
    *map.entry(key).or_default() += 1;
}

/// Outside the CORS layer: counts every `OPTIONS` request, and the HTTP
/// version of every request with an `Origin`.
async fn outside_cors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() == Method::OPTIONS {
        bump(&mut state.stats().options, req.uri().path().to_owned());
    }
    if req.headers().contains_key(header::ORIGIN) {
        bump(&mut state.stats().versions, format!("{:?}", req.version()));
    }
    next.run(req).await
}

/// Inside the CORS layer: counts what reaches the app and adds the demo's
/// response headers.
async fn inside_cors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let key = format!("{} {}", req.method(), req.uri().path());
    bump(&mut state.stats().handled, key);
    let id = state.next_request_id.fetch_add(1, Ordering::Relaxed) + 1;
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.insert(X_REQUEST_ID, HeaderValue::from(id));
    headers.insert(X_INTERNAL, HeaderValue::from_static("backend-7"));
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// `POST /login`: starts a session for the demo user.
///
/// The token goes out twice, to show both ways of authenticating a
/// cross-origin call: as an `HttpOnly` cookie (sent by the browser with
/// `credentials: 'include'`, never readable by scripts) and in the body, for
/// an `Authorization: Bearer` header. A real app usually picks one.
async fn login(State(state): State<AppState>) -> Response {
    let token = new_token();
    let session = Session {
        user: "ada".to_owned(),
        name: "Ada Lovelace".to_owned(),
    };
    let body = format!(
        r#"{{"user":"{}","name":"{}","token":"{}"}}"#,
        escape_json(&session.user),
        escape_json(&session.name),
        token
    );
    // Cross-site (page on `localhost`, API on `127.0.0.1`), a cookie is only
    // stored and sent back with `SameSite=None`, and browsers drop
    // `SameSite=None` cookies that lack `Secure`. Loopback is a secure
    // context, so `Secure` cookies work over plain http://127.0.0.1. Same
    // site, `SameSite=Lax` is enough and works in every browser.
    let cookie = state.cookie.set_cookie(Some(&token));
    state.sessions().insert(token, session);
    (
        StatusCode::OK,
        [(header::SET_COOKIE, cookie)],
        json_body(body),
    )
        .into_response()
}

/// The session token from `Authorization: Bearer …` (preferred) or the
/// `session` cookie, with how it came.
fn credentials(headers: &HeaderMap) -> Option<(String, &'static str)> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_owned())
        });
    if let Some(token) = bearer {
        return Some((token, "bearer"));
    }
    cookie_pairs(headers)
        .find(|(name, _)| *name == "session")
        .map(|(_, value)| (value.to_owned(), "cookie"))
}

/// `name=value` pairs of every `Cookie` header line.
fn cookie_pairs(headers: &HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
}

/// Why a request is not authenticated: answered with a 401.
struct Unauthorized(&'static str);

impl IntoResponse for Unauthorized {
    fn into_response(self) -> Response {
        error(StatusCode::UNAUTHORIZED, self.0)
    }
}

/// The session a request authenticates as: its token, the user, and how the
/// token came (`"cookie"` or `"bearer"`).
fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<(String, Session, &'static str), Unauthorized> {
    let (token, via) = credentials(headers).ok_or(Unauthorized(
        "not logged in: send the session cookie or Authorization: Bearer <token>",
    ))?;
    let session = state
        .sessions()
        .get(&token)
        .cloned()
        .ok_or(Unauthorized("unknown or expired session"))?;
    Ok((token, session, via))
}

fn me_body(session: &Session, via: &str) -> Response {
    json_body(format!(
        r#"{{"user":"{}","name":"{}","via":"{}"}}"#,
        escape_json(&session.user),
        escape_json(&session.name),
        via
    ))
}

/// `GET /me`: who the cookie or bearer token belongs to; 401 otherwise.
async fn read_me(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match authenticate(&state, &headers) {
        Ok((_, session, via)) => me_body(&session, via),
        Err(unauthorized) => unauthorized.into_response(),
    }
}

/// `PUT /me` with `{"name": "…"}`: renames the user.
async fn update_me(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let (token, _, via) = match authenticate(&state, &headers) {
        Ok(found) => found,
        Err(unauthorized) => return unauthorized.into_response(),
    };
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    if !is_json {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send Content-Type: application/json",
        );
    }
    let Some(name) = std::str::from_utf8(&body).ok().and_then(parse_name) else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            r#"expected {"name": "<1 to 64 characters, no quotes or backslashes>"}"#,
        );
    };
    let mut sessions = state.sessions();
    let Some(session) = sessions.get_mut(&token) else {
        return error(StatusCode::UNAUTHORIZED, "unknown or expired session");
    };
    session.name = name;
    me_body(session, via)
}

/// `DELETE /me`: ends the session. Not in `allow_methods`, so only
/// same-origin clients (or curl) can call it; cross-origin pages are refused
/// at the preflight and this handler never runs for them.
async fn delete_me(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let (token, _, _) = match authenticate(&state, &headers) {
        Ok(found) => found,
        Err(unauthorized) => return unauthorized.into_response(),
    };
    state.sessions().remove(&token);
    (
        [(header::SET_COOKIE, state.cookie.set_cookie(None))],
        json_body(r#"{"logged_out":true}"#.to_owned()),
    )
        .into_response()
}

/// Parses exactly `{"name": "…"}` (whitespace allowed), 1 to 64 characters
/// without quotes, backslashes or control characters.
fn parse_name(body: &str) -> Option<String> {
    let inner = body.trim().strip_prefix('{')?.strip_suffix('}')?.trim();
    let value = inner
        .strip_prefix(r#""name""#)?
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    let (name, rest) = value.split_once('"')?;
    let valid = rest.trim().is_empty()
        && (1..=64).contains(&name.chars().count())
        && !name.contains('\\')
        && !name.chars().any(char::is_control);
    valid.then(|| name.to_owned())
}

/// `GET /status/{code}`: a JSON error (or success) with that status, to show
/// that the allowed origin can read the app's 4xx/5xx bodies.
async fn status(Path(code): Path<u16>) -> Response {
    match StatusCode::from_u16(code) {
        Ok(status) => (status, json_body(format!(r#"{{"status":{code}}}"#))).into_response(),
        Err(_) => error(StatusCode::BAD_REQUEST, "not an HTTP status code"),
    }
}

/// `GET /handler-sets-acao`: a handler that sets its own
/// `Access-Control-Allow-Origin: *`, as copied-and-pasted code often does.
/// With credentials, a `*` reaching the browser (or two values) would fail
/// the request; the CORS layer replaces it with the one right value.
async fn handler_sets_acao() -> Response {
    (
        [(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")],
        json_body(r#"{"handler_set_acao":"*"}"#.to_owned()),
    )
        .into_response()
}

/// `PUT /cached`: a preflighted request whose preflights are counted, to
/// show `max_age` at work.
async fn cached() -> Response {
    json_body(r#"{"cached":true}"#.to_owned())
}

/// `GET /cookie-trap`: sets two cross-site cookies, one with `Secure` and one
/// without. Browsers reject `SameSite=None` without `Secure`, silently: the
/// response looks fine and the cookie is simply never sent back.
async fn cookie_trap() -> Response {
    (
        // `AppendHeaders`: a plain `[(name, value); N]` would *insert*, and the
        // second `Set-Cookie` would replace the first.
        AppendHeaders([
            (
                header::SET_COOKIE,
                "with_secure=1; SameSite=None; Secure; Path=/",
            ),
            (
                header::SET_COOKIE,
                "without_secure=1; SameSite=None; Path=/",
            ),
        ]),
        json_body(r#"{"set":["with_secure","without_secure"]}"#.to_owned()),
    )
        .into_response()
}

/// `GET /cookie-echo`: the names (not values) of the cookies that came in.
async fn cookie_echo(headers: HeaderMap) -> Response {
    let names: Vec<String> = cookie_pairs(&headers)
        .map(|(name, _)| format!(r#""{}""#, escape_json(name)))
        .collect();
    json_body(format!(r#"{{"cookies":[{}]}}"#, names.join(",")))
}

/// `GET /_stats`: `{"options": {path: n}, "handled": {"METHOD path": n},
/// "versions": {"HTTP/1.1": n}}`.
async fn stats(State(state): State<AppState>) -> Response {
    let stats = state.stats();
    json_body(format!(
        r#"{{"options":{},"handled":{},"versions":{}}}"#,
        json_counts(&stats.options),
        json_counts(&stats.handled),
        json_counts(&stats.versions)
    ))
}

/// `GET /_wait/{ms}`: answers after `ms` milliseconds (at most 10 000), so
/// that a page can let real time pass (timers may run on virtual time in
/// headless browsers; the network never does).
async fn wait(Path(ms): Path<u64>) -> Response {
    let ms = ms.min(10_000);
    tokio::time::sleep(Duration::from_millis(ms)).await;
    json_body(format!(r#"{{"waited_ms":{ms}}}"#))
}

fn json_counts(map: &BTreeMap<String, u64>) -> String {
    let entries: Vec<String> = map
        .iter()
        .map(|(key, n)| format!(r#""{}":{n}"#, escape_json(key)))
        .collect();
    format!("{{{}}}", entries.join(","))
}

fn json_body(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn error(status: StatusCode, message: &str) -> Response {
    (
        status,
        json_body(format!(r#"{{"error":"{}"}}"#, escape_json(message))),
    )
        .into_response()
}

fn escape_json(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// 128 bits from std's randomly keyed SipHash, the clock and a counter:
/// unguessable enough for a loopback demo. Real apps use a CSPRNG
/// (`getrandom`, `rand::rngs::OsRng`).
fn new_token() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut token = String::with_capacity(32);
    for half in 0..2u8 {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u128(nanos);
        hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        hasher.write_u8(half);
        token.push_str(&format!("{:016x}", hasher.finish()));
    }
    token
}
