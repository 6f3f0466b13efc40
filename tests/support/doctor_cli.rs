//! The built `strict-cors` command (package `strict-cors-cli`), run on
//! differential cases: the browser suite compares its verdict with the
//! engines'.
//!
//! The binary is the real one, as users run it: a test of the root package
//! cannot ask Cargo to build another package's binary (`CARGO_BIN_EXE_*` only
//! exists in the binary's own package), so it is built beforehand
//! (`cargo build -p strict-cors-cli`, which `.ci/run` does before the browser
//! suite) and found next to this test binary, in `target/<profile>/`, or at
//! `STRICT_CORS_BIN`. A missing binary, or one older than the sources it is
//! built from, is an error, never a skip.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use serde_json::Value;

use crate::differential::Case;

/// Environment variable naming the `strict-cors` binary to run.
pub const BIN_VAR: &str = "STRICT_CORS_BIN";

/// The binary's name on this platform.
fn file_name() -> String {
    format!("strict-cors{}", std::env::consts::EXE_SUFFIX)
}

/// The newest modification time of the files under `dir` (recursively).
fn newest(dir: &Path) -> Option<(SystemTime, PathBuf)> {
    let mut best: Option<(SystemTime, PathBuf)> = None;
    let entries = std::fs::read_dir(dir).ok()?;
    for entry in entries.flatten() {
        let path = entry.path();
        let found = if path.is_dir() {
            newest(&path)
        } else {
            entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .map(|t| (t, path))
        };
        if let Some((t, p)) = found {
            if best.as_ref().map_or(true, |(b, _)| t > *b) {
                best = Some((t, p));
            }
        }
    }
    best
}

/// The `strict-cors` binary: [`BIN_VAR`], else `target/<profile>/strict-cors`
/// beside this test binary (`target/<profile>/deps/browser-…`). Fails when
/// it is missing or older than a source it is built from (the command's, the
/// model's, the layer's), with the command that builds it.
pub fn locate() -> Result<PathBuf, String> {
    let build =
        "build it first: cargo build -p strict-cors-cli (.ci/run does, before the browser suite)";
    let path = match std::env::var_os(BIN_VAR) {
        Some(p) => PathBuf::from(p),
        None => {
            let exe = std::env::current_exe()
                .map_err(|e| format!("cannot find this test binary: {e}"))?;
            let profile_dir = exe
                .parent()
                .and_then(Path::parent)
                .ok_or_else(|| format!("{} has no target/<profile>/ above it", exe.display()))?;
            profile_dir.join(file_name())
        }
    };
    let built = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .map_err(|e| format!("the strict-cors command {}: {e}; {build}", path.display()))?;
    if std::env::var_os(BIN_VAR).is_none() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for dir in ["cli/src", "model/src", "src"] {
            if let Some((t, source)) = newest(&root.join(dir)) {
                if t > built {
                    return Err(format!(
                        "the strict-cors command {} is older than {}: {build}",
                        path.display(),
                        source.display()
                    ));
                }
            }
        }
    }
    Ok(path)
}

/// The command's verdict on one case.
#[derive(Clone, Debug)]
pub struct Run {
    /// The exit code (`None`: killed by a signal).
    pub code: Option<i32>,
    /// `--json`'s object (`Value::Null` when stdout was not JSON).
    pub json: Value,
    pub stdout: String,
    pub stderr: String,
    /// The command line, for a person reproducing it.
    pub command_line: String,
}

impl Run {
    /// `readable`, as the exit code says it (0 readable, 1 blocked), when
    /// the exit code and `--json`'s `readable` agree and the verdict covers
    /// the actual response; otherwise why not.
    pub fn readable(&self) -> Result<bool, String> {
        let by_code = match self.code {
            Some(0) => true,
            Some(1) => false,
            other => return Err(format!("exit code {other:?}: no verdict")),
        };
        if self.json["readable"].as_bool() != Some(by_code) {
            return Err(format!(
                "exit code {:?} but --json's readable is {}",
                self.code, self.json["readable"]
            ));
        }
        let expected = if by_code { "readable" } else { "blocked" };
        if self.json["verdict"].as_str() != Some(expected) {
            return Err(format!(
                "exit code {:?} but --json's verdict is {} (with --send it must be {expected:?})",
                self.code, self.json["verdict"]
            ));
        }
        Ok(by_code)
    }

    /// The verdict in the shape of the batch script's
    /// (`{readable, status, exposed, other}`), for the suite's comparison.
    pub fn as_page_verdict(&self) -> Result<Value, String> {
        let readable = self.readable()?;
        let can_read = |name: &str| {
            self.json["readable_headers"]
                .as_array()
                .is_some_and(|h| h.iter().any(|v| v.as_str() == Some(name)))
        };
        Ok(serde_json::json!({
            "readable": readable,
            "status": self.json["status"],
            "exposed": readable && can_read("x-exposed"),
            "other": readable && can_read("x-other"),
        }))
    }
}

/// The arguments of `strict-cors check` for `case`, fetched from a page on
/// `page_origin` at `api_base`: the method as the script passes it, its
/// headers, `--credentials` for `credentials: 'include'`; `--send` (the
/// case's method may be unsafe: without it only the preflight is judged),
/// `--no-probe` (the reflection probe is a request no browser sends: the
/// server's count of requests must be a browser's) and `--json`. No
/// `--cookie`: the page's script sets none.
pub fn args(case: &Case, page_origin: &str, api_base: &str) -> Vec<String> {
    let mut args = vec![
        "check".to_owned(),
        format!("{api_base}{}", case.path),
        "--origin".to_owned(),
        page_origin.to_owned(),
        "--method".to_owned(),
        case.request.method.clone(),
    ];
    for (name, value) in &case.request.headers {
        args.push("--header".to_owned());
        args.push(format!("{name}: {value}"));
    }
    if case.request.credentials {
        args.push("--credentials".to_owned());
    }
    for flag in ["--send", "--no-probe", "--json"] {
        args.push(flag.to_owned());
    }
    args
}

/// Runs `binary` with [`args`] for `case`.
pub fn check(binary: &Path, case: &Case, page_origin: &str, api_base: &str) -> Run {
    let args = args(case, page_origin, api_base);
    let command_line = std::iter::once("strict-cors".to_owned())
        .chain(args.iter().map(|a| {
            if a.contains(' ') {
                format!("'{a}'")
            } else {
                a.clone()
            }
        }))
        .collect::<Vec<_>>()
        .join(" ");
    match Command::new(binary)
        .args(&args)
        .env("NO_COLOR", "1")
        .output()
    {
        Ok(out) => {
            let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
            Run {
                code: out.status.code(),
                json: serde_json::from_str(&stdout).unwrap_or(Value::Null),
                stdout,
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
                command_line,
            }
        }
        Err(e) => Run {
            code: None,
            json: Value::Null,
            stdout: String::new(),
            stderr: format!("cannot run {}: {e}", binary.display()),
            command_line,
        },
    }
}
