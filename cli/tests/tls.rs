//! HTTPS: a self-signed loopback server (rcgen, tokio-rustls) is refused
//! without --insecure (no verdict) and judged with it.

mod support;

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use support::{accept_loop, check_json};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

const APP: &str = "https://app.localhost:3000";

/// An HTTPS server for `localhost` with a fresh self-signed certificate,
/// answering every request with the page's origin allowed.
fn serve_tls() -> u16 {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let cert: CertificateDer<'static> = certified.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    accept_loop(move || {
        move |stream| {
            let acceptor = acceptor.clone();
            async move {
                let Ok(tls) = acceptor.accept(stream).await else {
                    return;
                };
                let svc = hyper::service::service_fn(|_req: Request<Incoming>| async {
                    Ok::<_, Infallible>(
                        Response::builder()
                            .header("access-control-allow-origin", APP)
                            .header("access-control-allow-credentials", "true")
                            .header("vary", "origin")
                            .body(Full::new(Bytes::from_static(b"{}")))
                            .unwrap(),
                    )
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), svc)
                    .await;
            }
        }
    })
    .port()
}

#[test]
fn self_signed_needs_insecure() {
    let port = serve_tls();
    let url = format!("https://localhost:{port}/me");

    let (r, v) = check_json(&url, APP, &["--credentials"]);
    assert_eq!(r.code, 2, "{v:#}");
    assert_eq!(v["verdict"], "no_verdict");
    assert!(
        v["error"].as_str().unwrap().contains("certificate"),
        "{v:#}"
    );

    let (r, v) = check_json(&url, APP, &["--credentials", "--insecure"]);
    assert_eq!(r.code, 0, "{v:#}");
    assert_eq!(v["verdict"], "readable");
    assert_eq!(v["status"], 200);
}
