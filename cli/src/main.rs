//! `ioclens`: classify, extract, map, score and hunt indicators from the command line.
//!
//! Exit codes (`output::exit`, listed by `ioclens --help` and docs/cli.md): 0 ok; 1 some inputs were not
//! indicators, were refused or skipped; 2 usage; 3 I/O or store (a closed pipe is not an error). Errors go to
//! stderr as one line.
use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod cmd;
mod output;
mod providers;

#[derive(Parser)]
#[command(
    name = "ioclens",
    version,
    about = "IOC enrichment: classify, extract, ATT&CK, score, hunt",
    after_help = output::EXIT_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Classify values (defanged or not): type, canonical value and facts.
    Classify(cmd::classify::Args),
    /// Extract every indicator from a file or stdin.
    Extract(cmd::extract::Args),
    /// Hunting queries (Splunk SPL, Sentinel KQL, Sigma, STIX) for indicators, batched per type.
    Hunt(cmd::hunt::Args),
    /// Enrich values: type, risk score with its reasons, ATT&CK techniques and hunting queries.
    Lookup(cmd::lookup::Args),
    /// Look up ATT&CK ids (T1059.001, TA0001, G0007, S0154 …): tactics, detection, mitigations; --coverage for CTID/KEV.
    Attack(cmd::attack::Args),
    /// Serve the lookup and IOC feed API (and the web page) from a local store.
    Serve(cmd::serve::Args),
    /// Load, list and remove threat feeds in the server's store.
    Feed(cmd::feed::Args),
    /// Create, list and revoke the server's API keys.
    Keys(cmd::keys::Args),
    /// Fetch public intel sources into a local intel pack (`update`) and report their freshness (`status`).
    Intel(cmd::intel::Args),
    /// The server store's schema (`migrate`) and moving an `SQLite` store into `PostgreSQL` (`copy`).
    Db(cmd::db::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Classify(args) => cmd::classify::run(&args),
        Command::Extract(args) => cmd::extract::run(&args),
        Command::Hunt(args) => cmd::hunt::run(&args),
        Command::Lookup(args) => cmd::lookup::run(&args),
        Command::Attack(args) => cmd::attack::run(&args),
        Command::Serve(args) => cmd::serve::run(&args),
        Command::Feed(args) => cmd::feed::run(&args),
        Command::Keys(args) => cmd::keys::run(&args),
        Command::Intel(args) => cmd::intel::run(&args),
        Command::Db(args) => cmd::db::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            if output::is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            output::error_line(&err);
            ExitCode::from(err.downcast_ref::<output::Exit>().map_or(output::exit::IO, |e| e.code))
        }
    }
}
