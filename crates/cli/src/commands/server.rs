//! `runtall server`: the clinic server (accounts, many athletes and their clinicians), its admin commands and the
//! PostgreSQL migrations.

use crate::args::{AdminCommand, ServerArgs, ServerCommand};
use crate::error::{CliError, CliResult};
use runtall_web::admin::AdminError;
use runtall_web::{ClinicConfig, ClinicDatabase, TlsFiles, WebError};
use std::path::PathBuf;

/// The database `--database-url` (PostgreSQL) or `--db` (SQLite, `clinic.db` by default) names.
fn database(db: Option<PathBuf>, a: &ServerArgs) -> CliResult<ClinicDatabase> {
    match &a.database_url {
        Some(url) => {
            let database = runtall_app::connect_clinic_postgres(url)?;
            let files = a.files.clone().unwrap_or_else(|| PathBuf::from("."));
            Ok(ClinicDatabase::Shared { database: Box::new(database), files })
        }
        None => Ok(ClinicDatabase::Sqlite(db.unwrap_or_else(|| PathBuf::from("clinic.db")))),
    }
}

fn web_error(e: WebError) -> CliError {
    match e {
        WebError::Runtime(_) => CliError::Internal(anyhow::Error::new(e)),
        WebError::Store(e) => e.into(),
        other => CliError::user(other.to_string()),
    }
}

fn admin_error(e: AdminError) -> CliError {
    match e {
        AdminError::Store(e) => e.into(),
        AdminError::User(message) => CliError::user(message),
    }
}

pub fn run(db: Option<PathBuf>, json: bool, a: ServerArgs) -> CliResult {
    match &a.command {
        Some(ServerCommand::Migrate { owner_url, app_role }) => {
            let version = runtall_app::migrate_clinic_postgres(owner_url, app_role)?;
            println!(
                "The schema is at version {version} and {app_role} may use it. Start the server with --database-url \
                 as {app_role}."
            );
            Ok(())
        }
        Some(ServerCommand::Admin { command }) => {
            let db = database(db, &a)?.open().map_err(web_error)?;
            let (email, code, what) = match command {
                AdminCommand::AddClinician { email, name } => {
                    let code = runtall_web::admin::add_clinician(&db, email, name).map_err(admin_error)?;
                    (email, code, "set the password of the new clinician account (works once, within 7 days)")
                }
                AdminCommand::Reset { email } => {
                    let code = runtall_web::admin::reset_code(&db, email).map_err(admin_error)?;
                    (email, code, "set a new password (works once, within one hour)")
                }
            };
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "email": email, "code": code, "page": format!("/reset?code={code}") })
                );
            } else {
                println!("One-time code for {email}, to {what}:\n\n  {code}\n");
                println!("Give it to them: they open /reset?code={code} on the server and choose a password.");
            }
            Ok(())
        }
        None => {
            let tls = match (&a.tls_cert, &a.tls_key) {
                (Some(cert), Some(key)) => Some(TlsFiles { cert: cert.clone(), key: key.clone() }),
                (None, None) => None,
                _ => return Err(CliError::user(WebError::TlsIncomplete.to_string())),
            };
            let config = ClinicConfig {
                addr: a.bind,
                database: database(db, &a)?,
                allow_hosts: a.allow_host.clone(),
                tls,
                limits: runtall_web::Limits::default(),
            };
            runtall_web::serve_clinic(config).map_err(web_error)
        }
    }
}
