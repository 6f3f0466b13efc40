//! A credentialed cross-site API behind `strict-cors`, and a page that uses it.
//!
//! ```text
//! cargo run --example credentialed
//! ```
//!
//! then open <http://localhost:3000> (the name `localhost`, not `127.0.0.1`).
//!
//! - API on `http://127.0.0.1:8080` (env `API_PORT`), allowing the page's
//!   origin `http://localhost:3000` with credentials.
//! - Page on `http://localhost:3000` (env `PAGE_PORT`), bound to 127.0.0.1.
//!
//! `localhost` and `127.0.0.1` are different *sites*, so the session cookie is
//! a genuine third-party cookie: it needs `SameSite=None; Secure`, and
//! `Secure` works over plain http because loopback is a secure context.
//! `tests/browser.rs` drives this same page in headless Chromium.

mod app;

use std::error::Error;
use std::future::IntoFuture;
use std::net::Ipv4Addr;

use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let api_port = port_from_env("API_PORT", 8080)?;
    let page_port = port_from_env("PAGE_PORT", 3000)?;

    // Loopback only. Port 0 picks a free port, hence the `local_addr` below.
    let api_listener = TcpListener::bind((Ipv4Addr::LOCALHOST, api_port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{api_port} (API_PORT): {e}"))?;
    let page_listener = TcpListener::bind((Ipv4Addr::LOCALHOST, page_port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{page_port} (PAGE_PORT): {e}"))?;
    let api_port = api_listener.local_addr()?.port();
    let page_port = page_listener.local_addr()?.port();

    let page_origin = format!("http://localhost:{page_port}");
    let api_base = format!("http://127.0.0.1:{api_port}");
    // A wrong CORS configuration is an error here, at startup, not a
    // mysterious failure in the browser later.
    let api = app::api_router(&page_origin)?;
    let page = app::page_router(&api_base);

    println!("strict-cors credentialed demo");
    println!("  API   {api_base}  (allows origin {page_origin}, with credentials)");
    println!("  page  {page_origin}  (listening on 127.0.0.1:{page_port})");
    println!();
    println!("Open {page_origin}/ in a browser: it logs in, reads /me with the");
    println!("session cookie, and sends a preflighted PUT with a bearer token.");
    println!("Use the name `localhost`: the page origin must be exactly {page_origin}.");
    println!();
    println!("More:");
    println!("  {page_origin}/?suite=1");
    println!("      every scenario the browser test suite checks");
    println!("  http://127.0.0.1:{page_port}/?suite=foreign");
    println!("      the same page from an origin the API does not allow: every call is blocked");
    println!();
    println!("If the cookie step fails, the browser blocks third-party cookies");
    println!("(Safari, Chrome with third-party cookies off); the bearer step still works.");
    println!("Ctrl-C stops the demo.");

    tokio::try_join!(
        axum::serve(api_listener, api).into_future(),
        axum::serve(page_listener, page).into_future(),
    )?;
    Ok(())
}

/// The port in environment variable `name`, or `default` when unset.
fn port_from_env(name: &str, default: u16) -> Result<u16, Box<dyn Error>> {
    match std::env::var(name) {
        Ok(value) => value
            .trim()
            .parse()
            .map_err(|e| format!("{name}={value:?} is not a port number: {e}").into()),
        Err(std::env::VarError::NotPresent) => Ok(default),
        Err(e) => Err(format!("{name}: {e}").into()),
    }
}
