//! The exit codes of DESIGN §7.

use std::process::ExitCode;

/// The page could read the response; `lint`: no problem.
pub const READABLE: u8 = 0;
/// The browser would block it; `lint`: problems found.
pub const BLOCKED: u8 = 1;
/// No verdict: bad arguments, network error, unreadable file.
pub const NO_VERDICT: u8 = 2;

/// How the command ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0.
    Readable,
    /// 1.
    Blocked,
    /// Any code, e.g. [`NO_VERDICT`].
    Code(u8),
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(match e {
            Exit::Readable => READABLE,
            Exit::Blocked => BLOCKED,
            Exit::Code(c) => c,
        })
    }
}
