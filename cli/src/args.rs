//! The command line (clap derive): `check` and `lint`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// The CORS doctor: asks a server what a browser would ask, and says what the
/// browser will do, why, and the fix. Exit codes: 0 the page could read the
/// response (or the configuration is clean), 1 the browser would block it (or
/// the configuration has problems), 2 no verdict (bad arguments, network
/// error, unreadable file).
#[derive(Debug, Parser)]
#[command(
    name = "strict-cors",
    version,
    about,
    long_about = None,
    after_help = "Exit codes: 0 the page could read the response (lint: clean), 1 the browser would block it (lint: problems), 2 no verdict (bad arguments, network error, unreadable file)."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Ask a server what a browser would ask (preflight, actual request,
    /// redirects) and say what the browser will do.
    Check(CheckArgs),
    /// Check a CORS configuration (a TOML or JSON `CorsConfig`, or the
    /// CORS_* environment variables) the way strict-cors's build() does.
    Lint(LintArgs),
}

/// `strict-cors check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The URL the page's script fetches (http or https).
    pub url: String,
    /// The page's origin, as the browser sends it (scheme://host[:port]).
    #[arg(long)]
    pub origin: String,
    /// The method passed to fetch().
    #[arg(long, default_value = "GET")]
    pub method: String,
    /// A request header the script sets, "name: value" (repeatable).
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// credentials: 'include' (cookies, Authorization, client certificates).
    #[arg(long)]
    pub credentials: bool,
    /// A Cookie header value for the actual request (never the preflight);
    /// needs --credentials, as browsers send cookies only then.
    #[arg(long, requires = "credentials", value_name = "NAME=VALUE; ...")]
    pub cookie: Option<String>,
    /// Send the actual request even when it is not GET or HEAD (it may
    /// change data on the server). Without it, only the preflight is judged.
    #[arg(long)]
    pub send: bool,
    /// A response header the script reads (repeatable): a warning when it
    /// cannot.
    #[arg(long = "read-header", value_name = "NAME")]
    pub read_headers: Vec<String>,
    /// Do not send the reflection probe (by default, once the page's origin
    /// is allowed by name, the preflight or the GET/HEAD is sent once more
    /// from https://cors-probe.invalid to catch a server allowing any origin).
    #[arg(long)]
    pub no_probe: bool,
    /// Accept any TLS certificate (self-signed test servers).
    #[arg(long)]
    pub insecure: bool,
    /// Seconds to wait for each response.
    #[arg(long, default_value_t = 10.0, value_name = "SECONDS")]
    pub timeout: f64,
    /// Print one JSON object instead of the steps.
    #[arg(long)]
    pub json: bool,
}

/// `strict-cors lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// A CorsConfig file: TOML or JSON (by extension, else by content).
    #[arg(required_unless_present = "env", conflicts_with = "env")]
    pub file: Option<PathBuf>,
    /// Check the CORS_* environment variables instead of a file.
    #[arg(long)]
    pub env: bool,
    /// The variables' prefix, with --env.
    #[arg(long, requires = "env", default_value = "CORS_")]
    pub prefix: String,
}
