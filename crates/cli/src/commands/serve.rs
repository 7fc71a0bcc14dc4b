//! `runtall serve`: the web app over the same database.

use super::{Ctx, read_input};
use crate::args::ServeArgs;
use crate::error::{CliError, CliResult};
use runtall_web::{ServeConfig, TlsFiles, WebError};

/// Where the password comes from, most explicit first: `--password`, `--password-file`, `RUNTALL_WEB_PASSWORD`.
fn password(a: &ServeArgs) -> CliResult<Option<String>> {
    if let Some(p) = &a.password {
        eprintln!(
            "warning: a password given with --password is visible to other users of this machine in the process \
             list (ps). Prefer RUNTALL_WEB_PASSWORD or --password-file."
        );
        return Ok(Some(p.clone()));
    }
    if let Some(path) = &a.password_file {
        return Ok(Some(read_input(path)?.trim().to_string()));
    }
    Ok(std::env::var("RUNTALL_WEB_PASSWORD").ok().filter(|p| !p.is_empty()))
}

pub fn run(ctx: &Ctx, a: ServeArgs) -> CliResult {
    let password = password(&a)?;
    let tls = match (a.tls_cert, a.tls_key) {
        (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
        (None, None) => None,
        _ => return Err(CliError::user(WebError::TlsIncomplete.to_string())),
    };
    let config = ServeConfig {
        addr: a.bind,
        db_path: ctx.db_path.clone(),
        password,
        allow_hosts: a.allow_host,
        tls,
        ..ServeConfig::default()
    };
    runtall_web::serve(config).map_err(|e| match e {
        WebError::Runtime(_) => CliError::Internal(anyhow::Error::new(e)),
        WebError::Store(e) => e.into(),
        other => CliError::user(other.to_string()),
    })
}
