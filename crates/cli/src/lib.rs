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
            if code != 0 && std::env::args().any(|a| a == "--json") {
                let first = e.to_string().lines().next().unwrap_or_default().trim_start_matches("error: ").to_string();
                println!("{}", error_json(&first, "usage", code));
            }
            return ExitCode::from(code);
        }
    };
    let json = cli.json;
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("runtall: {e}");
            // A partial import has already printed its JSON report, which says what failed.
            let kind = match e {
                CliError::User(_) => Some("user"),
                CliError::Internal(_) => Some("internal"),
                CliError::Partial(_) => None,
            };
            if let (true, Some(kind)) = (json, kind) {
                println!("{}", error_json(&e.to_string(), kind, e.exit_code()));
            }
            ExitCode::from(e.exit_code())
        }
    }
}

/// Under `--json` a failure is JSON on standard output too, so a script reading it gets an object it can parse
/// instead of nothing: `{"error": {"message", "kind", "exit_code"}}`. The message also goes to standard error.
fn error_json(message: &str, kind: &str, exit_code: u8) -> String {
    serde_json::json!({ "error": { "message": message, "kind": kind, "exit_code": exit_code } }).to_string()
}
