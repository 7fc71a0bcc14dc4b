//! One module per subcommand; each takes the parsed arguments and a [`Ctx`].

mod assess;
pub(crate) mod companion;
mod demo;
mod import;
pub(crate) mod insights;
mod journal;
mod library;
pub(crate) mod log;
mod plan;
pub(crate) mod posture;
mod profile;
mod report;
mod rescore;
mod runs;
mod screen;
mod serve;
mod server;
mod status;
mod sync;
pub(crate) mod watch;

use crate::args::{Cli, Command};
use crate::error::{CliError, CliResult};
use runtall_content::{Program, program};
use runtall_store::Store;
use serde::Serialize;
use std::path::PathBuf;

/// What every command needs: the content, where the database is, and how to print.
pub struct Ctx {
    pub program: &'static Program,
    pub db_path: PathBuf,
    pub json: bool,
}

impl Ctx {
    /// Opens the database only for commands that need it, so `runtall exercises` works without one (see
    /// [`runtall_app::open_local`] for what opening does).
    pub fn store(&self) -> CliResult<runtall_app::LocalStore> {
        Ok(runtall_app::open_local(&self.db_path)?)
    }

    /// Prints a value as pretty JSON.
    pub fn print_json<T: Serialize>(&self, value: &T) -> CliResult {
        let text = serde_json::to_string_pretty(value).map_err(|e| CliError::Internal(e.into()))?;
        println!("{text}");
        Ok(())
    }

    pub fn profile_or_default(&self, store: &dyn Store) -> CliResult<runtall_domain::profile::Profile> {
        Ok(store.profile()?.unwrap_or_default())
    }

    /// What the safety gate allows now, from the stored screen and assessment.
    pub fn permissions(&self, store: &dyn Store) -> CliResult<runtall_domain::safety::Permissions> {
        Ok(runtall_app::safety::permissions(self.program, store)?)
    }
}

/// A database path the runner typed (`--db` or `RUNTALL_DB`): its folder must exist. Only the default location
/// is created on first use; a mistyped folder is an error, never a new tree of folders with an empty database.
fn given_db(path: std::path::PathBuf) -> CliResult<std::path::PathBuf> {
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) if !dir.is_dir() => Err(CliError::user(format!(
            "the folder {} (for the database {}) does not exist: check --db or RUNTALL_DB, or create the folder first",
            dir.display(),
            path.display()
        ))),
        _ => Ok(path),
    }
}

pub fn run(cli: Cli) -> CliResult {
    // The clinic server has its own default database (clinic.db here, not the runner's own journal).
    let command = match cli.command {
        Command::Server(a) => return server::run(cli.db.map(given_db).transpose()?, cli.json, a),
        other => other,
    };
    let db_path = match cli.db {
        Some(p) => given_db(p)?,
        None => crate::paths::default_db().ok_or_else(|| {
            CliError::user("cannot find a data directory: set XDG_DATA_HOME or HOME, or pass --db PATH")
        })?,
    };
    let ctx = Ctx { program: program(), db_path, json: cli.json };
    match command {
        Command::Screen(a) => screen::run(&ctx, a),
        Command::Assess(a) => assess::run(&ctx, a),
        Command::Today(a) => plan::today(&ctx, a),
        Command::Plan(a) => plan::run(&ctx, a),
        Command::Exercises(a) => library::exercises(&ctx, a),
        Command::Routines(a) => library::routines(&ctx, a),
        Command::Learn(a) => library::learn(&ctx, a),
        Command::Relief(a) => library::relief(&ctx, a),
        Command::Sources => library::sources(&ctx),
        Command::Habits(a) => library::habits(&ctx, a),
        Command::Import(a) => import::run(&ctx, a),
        Command::Runs(a) => runs::run(&ctx, a),
        Command::Log(a) => log::run(&ctx, a),
        Command::Journal(a) => journal::run(&ctx, a),
        Command::Sync(a) => sync::run(&ctx, a),
        Command::Posture(a) => posture::run(&ctx, a),
        Command::Insights => insights::insights(&ctx),
        Command::Experiment(a) => insights::experiment(&ctx, a),
        Command::Progress => insights::progress(&ctx),
        Command::Guide(a) => companion::guide(&ctx, a),
        Command::Breathe(a) => companion::breathe(&ctx, a),
        Command::Cues(a) => companion::cues(&ctx, a),
        Command::Export(a) => companion::export(&ctx, a),
        Command::Remind(a) => companion::remind(&ctx, a),
        Command::Travel(a) => companion::travel(&ctx, a),
        Command::Serve(a) => serve::run(&ctx, a),
        Command::Server(a) => server::run(Some(ctx.db_path), ctx.json, a),
        Command::Report(a) => report::run(&ctx, a),
        Command::Profile(a) => profile::run(&ctx, a),
        Command::Demo(a) => demo::run(&ctx, a),
        Command::Status => status::run(&ctx),
    }
}

/// Reads a file named on the command line, naming it in the error.
pub fn read_input(path: &std::path::Path) -> CliResult<String> {
    std::fs::read_to_string(path).map_err(|e| CliError::user(format!("cannot read {}: {e}", path.display())))
}
