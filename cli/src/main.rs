//! `strict-cors`: the CORS doctor. `check` asks a server what a browser would
//! ask and says what the browser will do, why, and the fix; `lint` checks a
//! configuration the way strict-cors's `build()` does. See the README.

mod args;
mod check;
mod exit;
mod lint;
mod output;
mod render;
mod transport;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};
use crate::exit::Exit;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version print and succeed; a usage error is "no
            // verdict" (2), which is also clap's own code.
            let _ = e.print();
            return if e.use_stderr() {
                Exit::NoVerdict.into()
            } else {
                Exit::Readable.into()
            };
        }
    };
    match &cli.command {
        Command::Check(args) => check::run(args),
        Command::Lint(args) => lint::run(args),
    }
    .into()
}
