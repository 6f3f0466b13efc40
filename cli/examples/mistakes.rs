//! A server that makes the classic CORS mistakes, one per path, to try
//! `strict-cors check` on: `cargo run -p strict-cors-cli --example mistakes`,
//! then for instance
//! `strict-cors check http://127.0.0.1:8082/auth-first --origin http://localhost:3000 --method PUT -H "authorization: Bearer t" --credentials`.
//!
//! | path | mistake |
//! |---|---|
//! | `/wildcard` | `Access-Control-Allow-Origin: *` (a credentialed page is blocked) |
//! | `/trailing-slash` | the origin written with a trailing `/` |
//! | `/twice` | `Access-Control-Allow-Origin` sent twice (handler and proxy) |
//! | `/no-credentials` | no `Access-Control-Allow-Credentials` |
//! | `/auth-first` | auth runs before CORS: `401` to the preflight |
//! | `/headers` | the preflight allows `content-type` only |
//! | `/no-vary` | reflects the origin without `Vary: Origin` |
//! | `/any-header` | `Access-Control-Allow-Headers: *` for `authorization` (readable in today's browsers, not by the standard) |
//!
//! Listens on `127.0.0.1:8082` (env `PORT`), loopback only.

use std::convert::Infallible;

use bytes::Bytes;
use http::{Method, Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

fn reply(req: &Request<Incoming>) -> Response<Full<Bytes>> {
    let origin = req
        .headers()
        .get("origin")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("null")
        .to_string();
    let preflight = req.method() == Method::OPTIONS
        && req.headers().contains_key("access-control-request-method");
    let mut r = Response::builder();
    let vary = ("vary", "origin");
    r = match req.uri().path() {
        "/wildcard" => r.header("access-control-allow-origin", "*"),
        "/trailing-slash" => r
            .header("access-control-allow-origin", format!("{origin}/"))
            .header("access-control-allow-credentials", "true")
            .header(vary.0, vary.1),
        "/twice" => r
            .header("access-control-allow-origin", origin.as_str())
            .header("access-control-allow-origin", origin.as_str())
            .header(vary.0, vary.1),
        "/no-credentials" => r
            .header("access-control-allow-origin", origin.as_str())
            .header(vary.0, vary.1),
        "/auth-first" if preflight => r.status(401).header("www-authenticate", "Bearer"),
        "/headers" if preflight => r
            .status(204)
            .header("access-control-allow-origin", origin.as_str())
            .header("access-control-allow-credentials", "true")
            .header("access-control-allow-methods", "GET, PUT")
            .header("access-control-allow-headers", "content-type")
            .header(vary.0, vary.1),
        "/auth-first" | "/headers" => r
            .header("access-control-allow-origin", origin.as_str())
            .header("access-control-allow-credentials", "true")
            .header(vary.0, vary.1),
        "/no-vary" => r.header("access-control-allow-origin", origin.as_str()),
        "/any-header" if preflight => r
            .status(204)
            .header("access-control-allow-origin", "*")
            .header("access-control-allow-methods", "GET, PUT")
            .header("access-control-allow-headers", "*"),
        "/any-header" => r.header("access-control-allow-origin", "*"),
        _ => r.status(404),
    };
    r.body(Full::new(Bytes::from_static(b"{}\n")))
        .unwrap_or_default()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = std::env::var("PORT").map_or(Ok(8082), |p| p.parse())?;
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    println!("CORS mistakes on http://127.0.0.1:{port}: /wildcard /trailing-slash /twice /no-credentials /auth-first /headers /no-vary /any-header");
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(|req: Request<Incoming>| async move {
                Ok::<_, Infallible>(reply(&req))
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}
