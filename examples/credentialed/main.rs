//! A credentialed API behind `strict-cors`, and a page that uses it, in the
//! two deployment shapes.
//!
//! ```text
//! cargo run --example credentialed
//! ```
//!
//! - **Same site** (choose this one): page `http://app.example.localhost:3001`
//!   (env `SAME_SITE_PAGE_PORT`), API `http://api.example.localhost:8081`
//!   (env `SAME_SITE_API_PORT`). Two origins of one site, like
//!   `app.example.com` and `api.example.com`: the session cookie is
//!   first-party, `SameSite=Lax; Domain=example.localhost`, and every
//!   browser sends it, Safari included.
//! - **Cross site**: page `http://localhost:3000` (env `PAGE_PORT`), API
//!   `http://127.0.0.1:8080` (env `API_PORT`). `localhost` and `127.0.0.1`
//!   are different *sites*, so the session cookie is a third-party cookie:
//!   it needs `SameSite=None; Secure` (`Secure` works over plain http on
//!   loopback), and Safari (WebKit) and browsers blocking third-party
//!   cookies never send it; only the bearer token works there.
//!
//! Every server listens on 127.0.0.1 only; browsers resolve `*.localhost`
//! to loopback themselves (Safari on older macOS may need a hosts entry,
//! `127.0.0.1 app.example.localhost api.example.localhost`).
//! `tests/browser.rs` drives this same page in Chromium, Firefox and WebKit.

mod app;

use std::error::Error;
use std::future::IntoFuture;
use std::net::Ipv4Addr;

use app::{Policy, SessionCookie};
use tokio::net::TcpListener;

/// The site both origins of the same-site shape belong to.
const SITE: &str = "example.localhost";

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let api_port = port_from_env("API_PORT", 8080)?;
    let page_port = port_from_env("PAGE_PORT", 3000)?;
    let same_api_port = port_from_env("SAME_SITE_API_PORT", 8081)?;
    let same_page_port = port_from_env("SAME_SITE_PAGE_PORT", 3001)?;

    // Loopback only. Port 0 picks a free port, hence the `local_addr` below.
    let bind = |port: u16, var: &'static str| async move {
        TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .await
            .map_err(|e| format!("cannot listen on 127.0.0.1:{port} ({var}): {e}"))
    };
    let api_listener = bind(api_port, "API_PORT").await?;
    let page_listener = bind(page_port, "PAGE_PORT").await?;
    let same_api_listener = bind(same_api_port, "SAME_SITE_API_PORT").await?;
    let same_page_listener = bind(same_page_port, "SAME_SITE_PAGE_PORT").await?;
    let api_port = api_listener.local_addr()?.port();
    let page_port = page_listener.local_addr()?.port();
    let same_api_port = same_api_listener.local_addr()?.port();
    let same_page_port = same_page_listener.local_addr()?.port();

    // Cross site: page on `localhost`, API on `127.0.0.1`.
    let page_origin = format!("http://localhost:{page_port}");
    let api_base = format!("http://127.0.0.1:{api_port}");
    // Same site: both under `example.localhost`.
    let same_page_origin = format!("http://app.{SITE}:{same_page_port}");
    let same_api_base = format!("http://api.{SITE}:{same_api_port}");

    // A wrong CORS configuration is an error here, at startup, not a
    // mysterious failure in the browser later.
    let api = app::api_router(&page_origin)?;
    let page = app::page_router(&api_base);
    let same_api = app::api_router_for(&Policy {
        origins: vec![same_page_origin.clone()],
        patterns: Vec::new(),
        cookie: SessionCookie::SameSite {
            domain: SITE.to_owned(),
            secure: false,
        },
    })?;
    let same_page = app::page_router(&same_api_base);

    println!("strict-cors credentialed demo, in two deployment shapes");
    println!();
    println!("Same site, cross origin (choose this shape):");
    println!("  page  {same_page_origin}/");
    println!("  API   {same_api_base}  (allows {same_page_origin}, with credentials)");
    println!("  Session cookie: SameSite=Lax; Domain={SITE}. Both origins are one");
    println!("  site (like app.example.com and api.example.com), so the cookie is");
    println!("  first-party: every browser sends it, Safari included.");
    println!();
    println!("Cross site:");
    println!("  page  {page_origin}/");
    println!("  API   {api_base}  (allows {page_origin}, with credentials)");
    println!("  Session cookie: SameSite=None; Secure, a third-party cookie: Safari");
    println!("  (WebKit) and browsers that block third-party cookies never send it,");
    println!("  so there the cookie step fails and only the bearer token works.");
    println!();
    println!("Open a page: it logs in, reads /me with the session cookie, and sends a");
    println!("preflighted PUT with a bearer token. Type the names exactly as above:");
    println!("the API allows those origins and no other. Everything listens on");
    println!("127.0.0.1; browsers resolve *.localhost to loopback themselves (Safari");
    println!("on older macOS may need a hosts entry: 127.0.0.1 app.{SITE} api.{SITE}).");
    println!();
    println!("Both APIs also run the CSRF guard (csrf_protection(true)): a form POST,");
    println!("no-cors fetch or WebSocket from a page the API does not allow gets 403");
    println!("and never reaches a handler, cookie or not.");
    println!();
    println!("More:");
    println!("  {page_origin}/?suite=1");
    println!("      every scenario the browser test suite checks");
    println!("  http://127.0.0.1:{page_port}/?suite=foreign");
    println!("      the same page from an origin the API does not allow: every call is blocked");
    println!("Ctrl-C stops the demo.");

    tokio::try_join!(
        axum::serve(api_listener, api).into_future(),
        axum::serve(page_listener, page).into_future(),
        axum::serve(same_api_listener, same_api).into_future(),
        axum::serve(same_page_listener, same_page).into_future(),
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
