//! `ioclens keys create|list|revoke`: API keys of the server (stored as SHA-256; the key is shown once).
use anyhow::{Result, bail};
use ioclens_server::{keys, store, store_pg, time};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: KeysCommand,
    /// The store: an `SQLite` file (`keys create` creates it when missing, `list` and `revoke` need it) or
    /// `postgres://USER@HOST:PORT/DB` (password from `PGPASSWORD` or `IOCLENS_DATABASE_PASSWORD_FILE`).
    #[arg(long, global = true, default_value = "ioclens.db")]
    db: PathBuf,
}

#[derive(clap::Subcommand)]
enum KeysCommand {
    /// Create a key and print it once (only its SHA-256 is stored).
    Create {
        /// A label for the key (who or what uses it).
        #[arg(long, default_value = "default")]
        name: String,
        /// Requests per minute; 0 = unlimited.
        #[arg(long, default_value_t = keys::DEFAULT_RATE_LIMIT)]
        rate_limit: i64,
    },
    /// List keys (never the secrets).
    List,
    /// Revoke a key by id or prefix.
    Revoke {
        /// Key id (from `keys list`) or its prefix (`ioc_…`).
        key: String,
    },
}

pub(crate) fn run(args: &Args) -> Result<ExitCode> {
    let mut store: Box<dyn keys::KeyStore> = match args.db.to_str().filter(|d| store_pg::is_url(d))
    {
        Some(url) => Box::new(store_pg::open(url)?),
        None if matches!(args.command, KeysCommand::Create { .. }) => {
            Box::new(store::open(&args.db)?)
        }
        None => Box::new(store::open_existing(&args.db)?),
    };
    let mut out = std::io::stdout().lock();
    match &args.command {
        KeysCommand::Create { name, rate_limit } => {
            let (key, info) = store.create(name, *rate_limit, time::now())?;
            writeln!(out, "{key}")?;
            let _ = writeln!(
                std::io::stderr(),
                "ioclens: key {} (`{}`, {} requests/minute) created; it is shown only this once",
                info.id,
                info.name,
                info.rate_limit
            );
        }
        KeysCommand::List => {
            serde_json::to_writer_pretty(&mut out, &store.list()?)?;
            writeln!(out)?;
        }
        KeysCommand::Revoke { key } => {
            if !store.revoke(key, time::now())? {
                bail!("no active key with id or prefix `{key}`");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
