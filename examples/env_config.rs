//! A CORS policy from the environment (12-factor style).
//!
//! ```text
//! CORS_ALLOWED_ORIGINS=http://localhost:3000 CORS_ALLOW_CREDENTIALS=true cargo run --example env_config
//! ```
//!
//! A dev server on any port, a Tauri app and a Chrome extension:
//!
//! ```text
//! CORS_ALLOWED_ORIGIN_PATTERNS='http://localhost:*' \
//! CORS_ALLOWED_ORIGINS='tauri://localhost, http://tauri.localhost, chrome-extension://abcdefghijklmnopabcdefghijklmnop' \
//! CORS_ALLOW_CREDENTIALS=true cargo run --example env_config
//! ```
//!
//! Reads `CORS_ALLOWED_ORIGINS`, `CORS_ALLOWED_ORIGIN_PATTERNS`,
//! `CORS_ALLOW_CREDENTIALS`, `CORS_ALLOWED_METHODS`, `CORS_ALLOWED_HEADERS`,
//! `CORS_EXPOSED_HEADERS`, `CORS_MAX_AGE`, … (see `CorsBuilder::from_env`),
//! logs the configuration it runs (`CorsLayer::config()`, normalised: what
//! the layer really allows) or every problem with it (and exits 1), then
//! serves `GET /me` on `http://127.0.0.1:8080` (env `PORT`; loopback only).
//! With `CHECK_ONLY=1` it stops after checking, like a config linter in CI.

use std::error::Error;
use std::net::Ipv4Addr;
use std::process::ExitCode;

use axum::routing::get;
use axum::Router;
use strict_cors::CorsBuilder;
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> Result<ExitCode, Box<dyn Error>> {
    // Every problem in every variable, one per line, each naming its
    // variable: the process refuses to start with a policy that would not
    // do what the configuration says.
    let cors = match CorsBuilder::from_env().and_then(CorsBuilder::build) {
        Ok(cors) => cors,
        Err(e) => {
            eprintln!("invalid CORS configuration:");
            for problem in e.problems() {
                eprintln!("  - {problem}");
            }
            if std::env::var_os("CORS_ALLOWED_ORIGINS").is_none() {
                eprintln!();
                eprintln!("try: CORS_ALLOWED_ORIGINS=http://localhost:3000 CORS_ALLOW_CREDENTIALS=true cargo run --example env_config");
            }
            return Ok(ExitCode::FAILURE);
        }
    };
    // One startup log line with the configuration the layer runs, read back
    // from it (normalised: lower case, default ports dropped, duplicates once).
    println!("cors: running {:?}", cors.config());
    if std::env::var_os("CHECK_ONLY").is_some() {
        return Ok(ExitCode::SUCCESS);
    }

    let port: u16 = match std::env::var("PORT") {
        Ok(p) => p.parse().map_err(|e| format!("PORT={p:?}: {e}"))?,
        Err(_) => 8080,
    };
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port} (PORT): {e}"))?;
    let addr = listener.local_addr()?;
    let app = Router::new()
        .route("/me", get(|| async { "{\"user\":\"demo\"}" }))
        .layer(cors);
    println!();
    println!("listening on http://{addr}; try:");
    println!("  curl -i -H 'origin: http://localhost:3000' http://{addr}/me");
    println!("  curl -i -X OPTIONS -H 'origin: http://localhost:3000' -H 'access-control-request-method: PUT' http://{addr}/me");
    axum::serve(listener, app).await?;
    Ok(ExitCode::SUCCESS)
}
