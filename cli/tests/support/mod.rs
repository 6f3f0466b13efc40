//! Shared by the command's tests: loopback servers (scripted raw hyper, or
//! any Tower service such as strict-cors and tower-http) on their own
//! threads, and a runner for the built `strict-cors` binary.
#![allow(dead_code)]

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::process::Command;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};
use tower::Service;

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: Method,
    pub path: String,
    pub headers: HeaderMap,
}

/// A running loopback server and every request that reached its handler.
pub struct Server {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// How many requests with `method` reached the handler.
    pub fn count(&self, method: &str) -> usize {
        self.seen().iter().filter(|s| s.method == method).count()
    }
}

/// A reply: status and header lines, in order (repeats allowed).
pub type Reply = (u16, Vec<(&'static str, String)>);

pub fn response(reply: Reply) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from_static(b"{}")));
    *r.status_mut() = StatusCode::from_u16(reply.0).unwrap();
    for (n, v) in reply.1 {
        r.headers_mut().append(n, v.parse().unwrap());
    }
    r
}

/// Serves `make()`'s service on an ephemeral loopback port, each connection
/// on its own task, on a thread of its own.
pub fn serve_tower<S, F>(make: F) -> Server
where
    F: Fn(Arc<Mutex<Vec<Seen>>>) -> S + Send + 'static,
    S: Service<Request<Incoming>, Response = Response<Full<Bytes>>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let addr = accept_loop(move || {
        let svc = make(record);
        move |stream| {
            let svc = TowerToHyperService::new(svc.clone());
            async move {
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            }
        }
    });
    Server { addr, seen }
}

/// Listens on an ephemeral loopback port, on a thread of its own with a
/// current-thread runtime: `setup` runs there once, and the handler it
/// returns gets each connection, on a task of its own. Returns the address.
pub fn accept_loop<S, H, F>(setup: S) -> SocketAddr
where
    S: FnOnce() -> H + Send + 'static,
    H: FnMut(TcpStream) -> F,
    F: Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            let mut handle = setup();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(handle(stream));
            }
        });
    });
    rx.recv().unwrap()
}

/// A raw server: `handler` scripts every reply from the request it sees.
pub fn scripted<H>(handler: H) -> Server
where
    H: Fn(&Seen) -> Reply + Send + Sync + 'static,
{
    let handler = Arc::new(handler);
    serve_tower(move |record| {
        let handler = handler.clone();
        tower::service_fn(move |req: Request<Incoming>| {
            let seen = Seen {
                method: req.method().clone(),
                path: req.uri().path().to_string(),
                headers: req.headers().clone(),
            };
            record.lock().unwrap().push(seen.clone());
            let reply = handler(&seen);
            async move { Ok::<_, Infallible>(response(reply)) }
        })
    })
}

pub fn is_preflight(s: &Seen) -> bool {
    s.method == Method::OPTIONS && s.headers.contains_key("access-control-request-method")
}

/// What the command printed and how it ended.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", self.stdout, self.stderr))
    }
}

/// Runs the built binary with `args`.
pub fn run(args: &[&str]) -> Run {
    run_with_env(args, &[])
}

pub fn run_with_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_strict-cors"));
    cmd.args(args).env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `check <url> --origin <origin> --json` plus `extra`.
pub fn check_json(url: &str, origin: &str, extra: &[&str]) -> (Run, Value) {
    let mut args = vec!["check", url, "--origin", origin, "--json"];
    args.extend_from_slice(extra);
    let r = run(&args);
    let v = r.json();
    (r, v)
}
