//! The command's output piped into a reader that has gone away
//! (`strict-cors check … | head -1`): the write fails with a broken pipe,
//! which must not panic; the exit code is still the verdict.

use std::process::{Command, Stdio};

/// Runs the binary with `args`, its stdout a pipe whose reading end is
/// already closed: the exit code and stderr.
fn run_into_closed_pipe(args: &[&str]) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_strict-cors"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_into_a_closed_pipe_does_not_panic_and_keeps_its_exit_code() {
    // A port nothing listens on: a network error, no verdict (2), and the
    // report written to stdout, in text and in JSON.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/");
    for extra in [&[][..], &["--json"][..]] {
        let mut args = vec!["check", &url, "--origin", "http://localhost:3000"];
        args.extend_from_slice(extra);
        let (code, stderr) = run_into_closed_pipe(&args);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
    }
}

#[test]
fn lint_into_a_closed_pipe_does_not_panic_and_keeps_its_exit_code() {
    let dir = std::env::temp_dir().join(format!("strict-cors-pipe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let clean = dir.join("clean.toml");
    std::fs::write(&clean, "allowed_origins = [\"https://app.example.com\"]\n").unwrap();
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "allowed_origins = [\"https://app.example.com/\"]\n").unwrap();
    for (file, expected) in [(&clean, 0), (&bad, 1)] {
        let (code, stderr) = run_into_closed_pipe(&["lint", file.to_str().unwrap()]);
        assert!(!stderr.contains("panicked"), "{}: {stderr}", file.display());
        assert_eq!(code, Some(expected), "{}: {stderr}", file.display());
    }
}
