//! How a diagnosis is shown: steps for a person (colour only on a
//! terminal), or one JSON object.

use http::HeaderMap;
use serde_json::{json, Map, Value};
use strict_cors_model::doctor::{Diagnosis, Exchange, StepKind};
use strict_cors_model::FetchRequest;

/// The verdict, as the exit code and the JSON `verdict` say it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The script reads the response.
    Readable,
    /// The preflight passes; the actual request was not sent.
    PreflightOnly,
    /// The browser blocks it.
    Blocked,
    /// Network error, or nothing could be judged.
    Undecided,
}

impl Verdict {
    /// The verdict of `d`.
    pub fn of(d: &Diagnosis) -> Verdict {
        if !d.has_verdict() {
            Verdict::Undecided
        } else if d.failure.is_some() || !d.readable {
            Verdict::Blocked
        } else if d.actual_checked {
            Verdict::Readable
        } else {
            Verdict::PreflightOnly
        }
    }

    fn code(self) -> &'static str {
        match self {
            Verdict::Readable => "readable",
            Verdict::PreflightOnly => "preflight_only",
            Verdict::Blocked => "blocked",
            Verdict::Undecided => "no_verdict",
        }
    }
}

/// ANSI colours, or none.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// Whether to colour.
    pub colour: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// Why there is no verdict, when nothing failed on the network.
fn no_verdict_reason(req: &FetchRequest, d: &Diagnosis) -> String {
    match &d.error {
        Some(_) => "the server did not answer (the network error is above)".to_string(),
        None => format!(
            "a {} with only CORS-safelisted headers needs no preflight, and {} is not sent without --send",
            req.method, req.method
        ),
    }
}

/// The steps, the verdict, the console message and the fix, for a person.
pub fn text(req: &FetchRequest, d: &Diagnosis, style: Style) -> String {
    let mut out = String::new();
    let creds = if req.credentials {
        ", credentials: 'include'"
    } else {
        ""
    };
    out.push_str(&style.paint(
        "1",
        &format!(
            "{} {} from origin {}{creds}",
            req.method, req.url, req.origin
        ),
    ));
    out.push('\n');
    for step in &d.steps {
        let (mark, colour) = match step.kind {
            StepKind::Info => ("·", "0"),
            StepKind::Pass => ("✓", "32"),
            StepKind::Fail => ("✗", "31"),
            StepKind::Warn => ("!", "33"),
            StepKind::Skip => ("-", "2"),
        };
        let mut lines = step.text.lines();
        let first = lines.next().unwrap_or_default();
        out.push_str(&format!("  {} {first}\n", style.paint(colour, mark)));
        for line in lines {
            out.push_str(&format!("      {}\n", style.paint("2", line)));
        }
    }
    out.push('\n');
    match Verdict::of(d) {
        Verdict::Readable => out.push_str(&style.paint(
            "1;32",
            &format!(
                "READABLE: the page's script can read the {} response{}.",
                d.status.unwrap_or_default(),
                match d.warnings.len() {
                    0 => String::new(),
                    1 => " (1 warning above)".to_string(),
                    n => format!(" ({n} warnings above)"),
                }
            ),
        )),
        Verdict::PreflightOnly => out.push_str(&style.paint(
            "1;32",
            &format!(
                "PREFLIGHT PASSES: the actual {} was not sent (add --send); its response must carry the CORS headers too.",
                req.method
            ),
        )),
        Verdict::Undecided => out.push_str(&style.paint(
            "1;33",
            &format!("NO VERDICT: {}", no_verdict_reason(req, d)),
        )),
        Verdict::Blocked => {
            if let Some(f) = &d.failure {
                out.push_str(&style.paint(
                    "1;31",
                    &format!(
                        "BLOCKED ({}): the script sees a TypeError, not the response.",
                        f.code
                    ),
                ));
                out.push_str(&format!("\n\nconsole (Chromium):\n  {}\n", f.console));
                out.push_str(&format!("\nfix: {}\n", f.fix));
                if let Some(b) = &f.builder {
                    out.push_str(&format!("  strict-cors: {b}\n"));
                }
                return out;
            }
        }
    }
    out.push('\n');
    out
}

/// Headers whose values are secrets: shown as their length only.
fn is_secret(name: &str) -> bool {
    matches!(
        name,
        "authorization" | "cookie" | "set-cookie" | "proxy-authorization"
    )
}

/// Header name to value, several lines joined by ", " (what Fetch's "get"
/// sees); secrets (cookies, credentials) replaced by their length.
fn headers_json(headers: &HeaderMap) -> Value {
    let mut map = Map::new();
    for name in headers.keys() {
        let values: Vec<String> = headers
            .get_all(name)
            .iter()
            .map(|v| {
                if is_secret(name.as_str()) {
                    format!("<redacted: {} bytes>", v.len())
                } else {
                    String::from_utf8_lossy(v.as_bytes()).into_owned()
                }
            })
            .collect();
        map.insert(name.as_str().to_string(), Value::String(values.join(", ")));
    }
    Value::Object(map)
}

fn exchange_json(e: &Exchange) -> Value {
    json!({
        "method": e.request.method().as_str(),
        "url": e.request.uri().to_string(),
        "request_headers": headers_json(e.request.headers()),
        "status": e.status,
        "headers": headers_json(&e.headers),
    })
}

/// One JSON object: `readable`, `preflight`, `failure`, `console` (DESIGN
/// §7), plus `verdict`, `steps`, `warnings`, `fix`, and what was sent.
pub fn json(req: &FetchRequest, d: &Diagnosis) -> Value {
    let verdict = Verdict::of(d);
    let f = d.failure.as_ref();
    json!({
        "readable": verdict == Verdict::Readable || verdict == Verdict::PreflightOnly,
        "verdict": verdict.code(),
        "actual_checked": d.actual_checked,
        "status": d.status,
        "readable_headers": d.readable_headers,
        "preflight": d.preflight.as_ref().map(|p| json!({
            "status": p.status,
            "headers": headers_json(&p.headers),
        })),
        "failure": f.map(|f| f.code),
        "failed_in": f.map(|f| if f.in_preflight { "preflight" } else { "actual" }),
        "summary": f.map(|f| f.summary.clone()),
        "console": f.map(|f| f.console.clone()),
        "fix": f.map(|f| json!({ "text": f.fix, "strict_cors": f.builder })),
        "steps": d.steps.iter().map(|s| json!({
            "kind": match s.kind {
                StepKind::Info => "info",
                StepKind::Pass => "pass",
                StepKind::Fail => "fail",
                StepKind::Warn => "warn",
                StepKind::Skip => "skip",
            },
            "text": s.text,
        })).collect::<Vec<_>>(),
        "warnings": d.warnings.iter().map(|w| json!({ "code": w.code, "message": w.message })).collect::<Vec<_>>(),
        "exchanges": d.exchanges.iter().map(exchange_json).collect::<Vec<_>>(),
        "error": match (verdict, &d.error) {
            (Verdict::Undecided, Some(e)) => Some(format!("network error: {e}")),
            (Verdict::Undecided, None) => Some(no_verdict_reason(req, d)),
            _ => None,
        },
        "request": {
            "url": req.url,
            "origin": req.origin,
            "method": req.method,
            "credentials": req.credentials,
        },
    })
}
