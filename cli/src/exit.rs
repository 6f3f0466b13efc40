//! The exit codes of DESIGN §7.

use std::process::ExitCode;

/// How the command ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0: the page could read the response; `lint`: no problem.
    Readable,
    /// 1: the browser would block it; `lint`: problems found.
    Blocked,
    /// 2: no verdict: bad arguments, network error, unreadable file.
    NoVerdict,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(match e {
            Exit::Readable => 0,
            Exit::Blocked => 1,
            Exit::NoVerdict => 2,
        })
    }
}
