//! Writing the report: to stdout and stderr, where a reader that has gone
//! away (`strict-cors check … | head -1`) is not an error of the command.
//! `println!` would panic on the broken pipe; the verdict is the exit code,
//! whatever happened to the text.

use std::io::Write;

/// Writes `text` to stdout; a failed write (closed pipe) is ignored.
pub fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// Writes `text` and a newline to stdout; a failed write is ignored.
pub fn out_line(text: &str) {
    out(&format!("{text}\n"));
}

/// Writes `text` and a newline to stderr; a failed write is ignored.
pub fn err_line(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}
