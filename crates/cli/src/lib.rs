//! The `runtall` command line. Thin: parsing, prompting and printing over the domain and store crates.

mod args;
mod commands;
mod error;
mod paths;
mod prompt;
mod render;
mod render_insights;
mod render_runs;

pub use args::Cli;
pub use error::{CliError, CliResult};

use clap::Parser;
use std::process::ExitCode;

/// Runs the command line and maps the outcome to the documented exit codes: 0 ok, 1 user error, 2 internal.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2 by default);
            // usage errors are the user's to fix, so they exit 1 like every other user error.
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("runtall: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
