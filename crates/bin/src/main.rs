//! `ixorg`: the command line of the dental-care budget platform. A thin front: it parses
#![expect(
    clippy::print_stdout,
    reason = "a command-line program prints its results"
)]
//! arguments and settings, starts logging, and calls one `app` or `web` function per command.
//!
//! Exit codes: 0 success; 1 a command that failed; 2 an argument error, whether clap finds it
//! (an unknown flag, a missing or unparsable value) or the command does (a value clap cannot
//! check, such as an AGB code's format: its message starts with the flag, `--agb …`).

mod cli;
mod settings;
mod telemetry;

use std::process::ExitCode;

use clap::Parser;

/// The exit code of an argument error (clap's own, kept for ours).
const EXIT_ARGUMENT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    telemetry::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", one_line(&e));
            if is_argument_error(&e) {
                ExitCode::from(EXIT_ARGUMENT_ERROR)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// The error and its causes on one line, each message once: a cause whose text its outer
/// message already holds (an error type that writes its source into its own message) is left
/// out, as are empty messages.
fn one_line(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let message = cause.to_string();
        let message = message.trim();
        if message.is_empty() || line.contains(message) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(message);
    }
    line
}

/// Whether a command refused one of its arguments: by convention its message names the flag
/// first (`--agb is not an 8-digit AGB code`).
fn is_argument_error(e: &anyhow::Error) -> bool {
    e.to_string().starts_with("--")
}

#[cfg(test)]
mod tests {
    use anyhow::Context as _;

    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot open the database: {0}")]
    struct Outer(#[source] Inner);

    #[derive(Debug, thiserror::Error)]
    #[error("no such directory")]
    struct Inner;

    #[test]
    fn a_cause_that_its_outer_message_already_holds_is_printed_once() {
        let e = anyhow::Error::new(Outer(Inner)).context("Failed to open the sqlite database");
        assert_eq!(
            one_line(&e),
            "Failed to open the sqlite database: cannot open the database: no such directory"
        );
    }

    #[test]
    fn an_error_naming_a_flag_first_is_an_argument_error() {
        let flag: anyhow::Result<()> = Err(anyhow::anyhow!("bad")).context("--agb is not valid");
        assert!(is_argument_error(&flag.expect_err("an error")));
        assert!(!is_argument_error(&anyhow::anyhow!("the file was refused")));
    }
}
