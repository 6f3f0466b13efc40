//! The HTTP client behind `check`: reqwest with rustls, one request at a
//! time, redirects not followed (the doctor judges each hop), names under
//! `.localhost` resolved to loopback.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use http::{Request, Response};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use strict_cors_model::doctor::Transport;

/// RFC 6761 §6.3: `localhost` and names under `.localhost` are loopback,
/// whatever DNS says; anything else goes to the system resolver.
#[derive(Debug, Default)]
struct LoopbackResolver;

/// Whether `host` is `localhost` or under `.localhost` (RFC 6761 §6.3).
pub fn is_localhost_name(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost")
}

impl Resolve for LoopbackResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            if is_localhost_name(&host) {
                let addrs: Addrs = Box::new(
                    [
                        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
                        SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), 0),
                    ]
                    .into_iter(),
                );
                return Ok(addrs);
            }
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

/// The client and the runtime it runs on.
pub struct HttpTransport {
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
}

impl HttpTransport {
    /// A client that waits `timeout` for each response and, with `insecure`,
    /// accepts any certificate.
    ///
    /// # Errors
    ///
    /// When the runtime or the TLS configuration cannot be set up.
    pub fn new(timeout: Duration, insecure: bool) -> Result<Self, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the runtime: {e}"))?;
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(LoopbackResolver))
            .no_proxy()
            .timeout(timeout)
            .connect_timeout(timeout)
            .danger_accept_invalid_certs(insecure)
            .user_agent(concat!(
                "strict-cors/",
                env!("CARGO_PKG_VERSION"),
                " (CORS doctor)"
            ))
            .build()
            .map_err(|e| format!("cannot set up the HTTP client: {}", chain(&e)))?;
        Ok(HttpTransport { runtime, client })
    }
}

/// An error and its causes, one line: "error sending request: ...: connection refused".
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let line = s.to_string();
        if !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = s.source();
    }
    text
}

impl Transport for HttpTransport {
    fn send(&mut self, request: &Request<()>) -> Result<Response<()>, String> {
        let url = request.uri().to_string();
        let mut builder = self.client.request(request.method().clone(), &url);
        for (name, value) in request.headers() {
            builder = builder.header(name, value);
        }
        let response = self
            .runtime
            // The future must be created inside the runtime: reqwest arms its
            // timeout when the request is built into a future.
            .block_on(async move { builder.send().await })
            .map_err(|e| chain(&e))?;
        let mut out = Response::new(());
        *out.status_mut() = response.status();
        *out.headers_mut() = response.headers().clone();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localhost_names() {
        for yes in [
            "localhost",
            "LOCALHOST",
            "api.localhost",
            "a.b.localhost",
            "api.localhost.",
        ] {
            assert!(is_localhost_name(yes), "{yes}");
        }
        for no in [
            "localhost.example.com",
            "notlocalhost",
            "example.com",
            "127.0.0.1",
        ] {
            assert!(!is_localhost_name(no), "{no}");
        }
    }
}
