//! `ioclens db migrate|copy`: the server store's schema and moving an `SQLite` store into `PostgreSQL`.
use anyhow::{Result, bail};
use ioclens_server::{store, store_pg};
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: DbCommand,
}

#[derive(clap::Subcommand)]
enum DbCommand {
    /// Bring a store to this build's schema (an `SQLite` file, or `postgres://USER@HOST:PORT/DB`).
    Migrate {
        /// The store; default `IOCLENS_DATABASE_URL`, else `ioclens.db`. The password of a `PostgreSQL` store
        /// comes from `PGPASSWORD` or the file named by `IOCLENS_DATABASE_PASSWORD_FILE`, never from here.
        #[arg(long)]
        db: Option<String>,
    },
    /// Copy an `SQLite` store into a new (empty) `PostgreSQL` store in one transaction; every table's row count
    /// and record checksum are compared before it commits. Prints the comparison as JSON.
    Copy {
        /// The `SQLite` store.
        #[arg(long)]
        from: String,
        /// The `PostgreSQL` store, `postgres://USER@HOST:PORT/DB` (default `IOCLENS_DATABASE_URL`).
        #[arg(long)]
        to: Option<String>,
    },
}

pub(crate) fn run(args: &Args) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match &args.command {
        DbCommand::Migrate { db } => {
            let db =
                db.clone().or_else(store_pg::env_url).unwrap_or_else(|| "ioclens.db".to_owned());
            if store_pg::is_url(&db) {
                let mut c = store_pg::open(&db)?;
                writeln!(out, "schema {}", store_pg::version(&mut c)?)?;
            } else {
                store::open_existing(Path::new(&db))?;
                writeln!(out, "schema {}", store::SCHEMA_VERSION)?;
            }
        }
        DbCommand::Copy { from, to } => {
            let Some(to) = to.clone().or_else(store_pg::env_url) else {
                bail!(
                    "no target: give --to postgres://USER@HOST:PORT/DB or set IOCLENS_DATABASE_URL"
                );
            };
            let lite = store::open_existing(Path::new(from))?;
            let mut pg = store_pg::open(&to)?;
            let report = store_pg::copy(&lite, &mut pg)?;
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
