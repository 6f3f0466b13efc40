//! HTTP/2 and HTTP/1 through one hyper 1 server on loopback (`hyper-util`'s
//! auto builder, which serves both, as deployed servers do), with hyper's own
//! clients: HTTP/1.1 with a `Host` header, and HTTP/2 with prior knowledge,
//! where the request's host is the `:authority` pseudo-header and there is no
//! `Host` header. The CORS answers must be the same both ways, and the cookie
//! audit must judge the site from `:authority`. HEAD gets what GET gets.
#![cfg(feature = "tracing")]

#[path = "support/capture.rs"]
mod capture;

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use capture::Capture;
use http::{HeaderMap, Method, Request, Response, StatusCode, Version};
use http_body_util::{BodyExt, Empty, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use strict_cors::CorsLayer;
use tokio::net::{TcpListener, TcpStream};
use tower::{service_fn, Layer};

const APP: &str = "https://app.example.com";
const API_HOST: &str = "api.example.com";

fn credentialed() -> CorsLayer {
    CorsLayer::builder()
        .allow_origins([APP, "http://localhost:3000"])
        .allow_credentials(true)
        .allow_methods(["GET", "POST", "PUT"])
        .allow_headers(["authorization", "content-type"])
        .expose_headers(["x-request-id"])
        .build()
        .unwrap()
}

/// The application: what it saw of the request's host comes back in
/// `x-saw-host` / `x-saw-authority` / `x-saw-version`; `/login` sets a
/// `SameSite=Lax` cookie; `/me` needs the cookie.
async fn app(req: Request<hyper::body::Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let host = req.headers().get("host").map_or("none".to_owned(), |h| {
        String::from_utf8_lossy(h.as_bytes()).into_owned()
    });
    let authority = req
        .uri()
        .authority()
        .map_or("none".to_owned(), |a| a.as_str().to_owned());
    let mut res = Response::builder()
        .header("x-request-id", "7")
        .header("x-saw-host", host)
        .header("x-saw-authority", authority)
        .header("x-saw-version", format!("{:?}", req.version()));
    if req.uri().path() == "/login" {
        res = res.header("set-cookie", "sid=1; Secure; HttpOnly; SameSite=Lax");
    } else if !req.headers().contains_key("cookie") {
        res = res.status(StatusCode::UNAUTHORIZED);
    }
    // A response to HEAD has no content (RFC 9110 section 9.3.2). hyper's
    // HTTP/1 server drops a HEAD response's body itself, its HTTP/2 server
    // does not (the client then resets the stream): the app leaves it out.
    let body = if req.method() == Method::HEAD {
        Bytes::new()
    } else {
        Bytes::from_static(b"hello")
    };
    Ok(res.body(Full::new(body)).unwrap())
}

/// A server on an ephemeral loopback port answering HTTP/1 and HTTP/2.
async fn serve(layer: CorsLayer) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let svc = TowerToHyperService::new(layer.layer(service_fn(app)));
            tokio::spawn(async move {
                let _ = auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    addr
}

/// One client connection, HTTP/1.1 or HTTP/2 (prior knowledge).
enum Client {
    H1(hyper::client::conn::http1::SendRequest<Empty<Bytes>>),
    H2(hyper::client::conn::http2::SendRequest<Empty<Bytes>>),
}

impl Client {
    async fn connect(addr: SocketAddr, version: Version) -> Client {
        let io = TokioIo::new(TcpStream::connect(addr).await.unwrap());
        if version == Version::HTTP_2 {
            let (sender, conn) = hyper::client::conn::http2::handshake(TokioExecutor::new(), io)
                .await
                .unwrap();
            tokio::spawn(conn);
            Client::H2(sender)
        } else {
            let (sender, conn) = hyper::client::conn::http1::handshake(io).await.unwrap();
            tokio::spawn(conn);
            Client::H1(sender)
        }
    }

    /// Sends `method path` with `headers` to `API_HOST` as a browser would:
    /// HTTP/1.1 names the host in `Host`; HTTP/2 in `:authority` (an
    /// absolute URI), with no `Host` header.
    async fn send(
        &mut self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (StatusCode, HeaderMap, Bytes) {
        let mut b = Request::builder().method(method);
        b = match self {
            Client::H1(_) => b.uri(path).header("host", API_HOST),
            Client::H2(_) => b
                .uri(format!("http://{API_HOST}{path}"))
                .version(Version::HTTP_2),
        };
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let req = b.body(Empty::new()).unwrap();
        let res = match self {
            Client::H1(s) => {
                s.ready().await.unwrap();
                s.send_request(req).await.unwrap()
            }
            Client::H2(s) => {
                s.ready().await.unwrap();
                s.send_request(req).await.unwrap()
            }
        };
        let expected = match self {
            Client::H1(_) => Version::HTTP_11,
            Client::H2(_) => Version::HTTP_2,
        };
        assert_eq!(res.version(), expected);
        let (parts, body) = res.into_parts();
        (
            parts.status,
            parts.headers,
            body.collect().await.unwrap().to_bytes(),
        )
    }
}

/// The CORS-relevant part of a response: status, every `Access-Control-*`
/// and `Vary` value, in order.
fn cors_view(status: StatusCode, h: &HeaderMap) -> (u16, Vec<(String, String)>) {
    let mut v: Vec<(String, String)> = h
        .iter()
        .filter(|(k, _)| k.as_str().starts_with("access-control-") || k.as_str() == "vary")
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap().to_owned()))
        .collect();
    v.sort();
    (status.as_u16(), v)
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<_> = list
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    v.sort();
    v
}

type Flow = (Method, &'static str, Vec<(&'static str, &'static str)>);
/// What `cors_view` must give.
type Expected = (u16, Vec<(String, String)>);

/// The credentialed flows a browser app sends, and the answers they must get.
fn flows() -> Vec<(Flow, Expected)> {
    let allowed_actual = |status| {
        (
            status,
            pairs(&[
                ("access-control-allow-origin", APP),
                ("access-control-allow-credentials", "true"),
                ("access-control-expose-headers", "x-request-id"),
                ("vary", "origin"),
            ]),
        )
    };
    let preflight_vary = (
        "vary",
        "origin, access-control-request-method, access-control-request-headers",
    );
    let mut out = Vec::new();
    let mut add = |flow: Flow, expected: Expected| out.push((flow, expected));
    // Actual GET with the session cookie.
    add(
        (
            Method::GET,
            "/me",
            vec![("origin", APP), ("cookie", "sid=1")],
        ),
        allowed_actual(200),
    );
    // HEAD: the same CORS headers as GET.
    add(
        (
            Method::HEAD,
            "/me",
            vec![("origin", APP), ("cookie", "sid=1")],
        ),
        allowed_actual(200),
    );
    // Without the cookie, the app's 401 is readable.
    add(
        (Method::GET, "/me", vec![("origin", APP)]),
        allowed_actual(401),
    );
    // Preflight for a PUT with Authorization and JSON.
    add(
        (
            Method::OPTIONS,
            "/me",
            vec![
                ("origin", APP),
                ("access-control-request-method", "PUT"),
                (
                    "access-control-request-headers",
                    "authorization,content-type",
                ),
            ],
        ),
        (
            204,
            pairs(&[
                ("access-control-allow-origin", APP),
                ("access-control-allow-credentials", "true"),
                ("access-control-allow-methods", "PUT"),
                ("access-control-allow-headers", "authorization,content-type"),
                preflight_vary,
            ]),
        ),
    );
    // The POST itself (a login form posted by `fetch`).
    add(
        (
            Method::POST,
            "/login",
            vec![("origin", APP), ("content-type", "text/plain")],
        ),
        allowed_actual(200),
    );
    // Refused: another origin's preflight, and its actual request.
    add(
        (
            Method::OPTIONS,
            "/me",
            vec![
                ("origin", "https://evil.example.net"),
                ("access-control-request-method", "PUT"),
            ],
        ),
        (403, pairs(&[preflight_vary])),
    );
    add(
        (
            Method::GET,
            "/me",
            vec![("origin", "https://evil.example.net"), ("cookie", "sid=1")],
        ),
        (200, pairs(&[("vary", "origin")])),
    );
    // Not CORS.
    add(
        (Method::GET, "/me", vec![]),
        (401, pairs(&[("vary", "origin")])),
    );
    out
}

#[tokio::test]
async fn http1_and_http2_get_identical_cors_answers() {
    let addr = serve(credentialed()).await;
    let mut h1 = Client::connect(addr, Version::HTTP_11).await;
    let mut h2 = Client::connect(addr, Version::HTTP_2).await;
    for ((method, path, headers), (status, expected)) in flows() {
        let what = format!("{method} {path} {headers:?}");
        let (s1, hm1, b1) = h1.send(method.clone(), path, &headers).await;
        let (s2, hm2, b2) = h2.send(method.clone(), path, &headers).await;
        assert_eq!(
            cors_view(s1, &hm1),
            (status, expected.clone()),
            "HTTP/1.1 {what}"
        );
        assert_eq!(cors_view(s2, &hm2), (status, expected), "HTTP/2 {what}");
        assert_eq!(b1, b2, "{what}");
        if method == Method::OPTIONS {
            // Preflights never reach the app.
            assert!(hm2.get("x-saw-version").is_none(), "{what}");
            assert!(b2.is_empty());
        } else if method == Method::HEAD {
            assert!(b2.is_empty());
        } else {
            assert_eq!(&b2[..], b"hello");
        }
        if let Some(v) = hm2.get("x-saw-version") {
            // The app saw HTTP/2 with `:authority` and no `Host` header, and
            // HTTP/1.1 with `Host`.
            assert_eq!(v, "HTTP/2.0");
            assert_eq!(hm2["x-saw-host"], "none");
            assert_eq!(hm2["x-saw-authority"], API_HOST);
            assert_eq!(hm1["x-saw-version"], "HTTP/1.1");
            assert_eq!(hm1["x-saw-host"], API_HOST);
        }
    }
}

// ---------------------------------------------------------------------------
// The cookie audit reads the host from `:authority` over HTTP/2.
// ---------------------------------------------------------------------------

/// Logs in over HTTP/2 from `origin` to the API at `authority`, with a fresh
/// server (the audit's rate limit is per layer); returns the audit's events.
/// `#[tokio::test]` runs on one thread, so the server's tasks run where the
/// thread-local subscriber is set.
async fn login_over_h2(origin: &str, authority: &str) -> Vec<BTreeMap<String, String>> {
    let capture = Capture::strict_cors_only();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let addr = serve(credentialed()).await;
    let io = TokioIo::new(TcpStream::connect(addr).await.unwrap());
    let (mut sender, conn) = hyper::client::conn::http2::handshake(TokioExecutor::new(), io)
        .await
        .unwrap();
    tokio::spawn(conn);
    let req = Request::post(format!("http://{authority}/login"))
        .version(Version::HTTP_2)
        .header("origin", origin)
        .body(Empty::<Bytes>::new())
        .unwrap();
    let res = sender.send_request(req).await.unwrap();
    assert_eq!(res.version(), Version::HTTP_2);
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["access-control-allow-origin"], origin);
    assert_eq!(res.headers()["x-saw-host"], "none");
    assert_eq!(res.headers()["x-saw-authority"], authority);
    capture.events().into_iter().map(|e| e.fields).collect()
}

#[tokio::test(flavor = "current_thread")]
async fn cookie_audit_takes_the_host_from_the_authority_over_http2() {
    // Same site (app.example.com and api.example.com): a Lax cookie is sent
    // back on the page's fetches; nothing to warn about.
    let events = login_over_h2(APP, API_HOST).await;
    assert!(events.is_empty(), "{events:?}");
    // Cross site (localhost:3000 and 127.0.0.1): the Lax cookie will never
    // come back; the audit warns, naming the cookie. Without the authority it
    // could not tell the site, and would stay silent.
    let events = login_over_h2("http://localhost:3000", "127.0.0.1:8080").await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["reason"], "cookie_not_sent_cross_site");
    assert_eq!(events[0]["cookie"], "sid");
}

/// The CSRF guard's same-origin rule (no `Sec-Fetch-Site`, `Origin`'s host
/// and port equal to the request's own) takes the request's own host from
/// `:authority` over HTTP/2, where there is no `Host` header, and from
/// `Host` over HTTP/1.1: the same answers both ways.
#[tokio::test]
async fn csrf_guard_takes_the_own_host_from_the_authority_over_http2() {
    let layer = CorsLayer::builder()
        .allow_origins([APP])
        .allow_credentials(true)
        .csrf_protection(true)
        .build()
        .unwrap();
    let addr = serve(layer).await;
    for version in [Version::HTTP_11, Version::HTTP_2] {
        let mut client = Client::connect(addr, version).await;
        let own = format!("http://{API_HOST}");
        // Same origin, old browser: the handler runs (401: no cookie).
        let (status, h, _) = client
            .send(Method::POST, "/me", &[("origin", own.as_str())])
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{version:?}");
        let saw_host = h["x-saw-host"].to_str().unwrap();
        match version {
            Version::HTTP_2 => {
                assert_eq!(saw_host, "none", "HTTP/2 sends no Host header");
                assert_eq!(h["x-saw-authority"], API_HOST);
            }
            _ => assert_eq!(saw_host, API_HOST),
        }
        // Another host, or the same host on another port: refused by the
        // layer, the handler never runs.
        for origin in [
            "https://evil.example.net".to_owned(),
            format!("http://{API_HOST}:8443"),
            format!("http://{API_HOST}.evil.net"),
            "null".to_owned(),
        ] {
            let (status, h, body) = client
                .send(Method::POST, "/me", &[("origin", origin.as_str())])
                .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{version:?} {origin}");
            assert!(body.is_empty());
            assert!(h.get("x-saw-version").is_none(), "the handler ran");
            assert!(h.keys().all(|k| !k.as_str().starts_with("access-control-")));
        }
        // An allowed origin's write, cross-site: the handler runs.
        let (status, h, _) = client
            .send(
                Method::PUT,
                "/me",
                &[("origin", APP), ("sec-fetch-site", "cross-site")],
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{version:?}");
        assert_eq!(h["access-control-allow-origin"], APP);
    }
}
