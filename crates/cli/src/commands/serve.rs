//! `runtall serve`: the web app over the same database.

use super::{Ctx, read_input};
use crate::args::ServeArgs;
use crate::error::{CliError, CliResult};
use runtall_web::{ServeConfig, WebError};

pub fn run(ctx: &Ctx, a: ServeArgs) -> CliResult {
    let password = match &a.password_file {
        Some(path) => Some(read_input(path)?.trim().to_string()),
        None => a.password.clone(),
    };
    runtall_web::serve(ServeConfig { addr: a.bind, db_path: ctx.db_path.clone(), password }).map_err(|e| match e {
        WebError::Runtime(_) => CliError::Internal(anyhow::Error::new(e)),
        other => CliError::user(other.to_string()),
    })
}
