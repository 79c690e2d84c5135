//! `ioclens serve`: the lookup and feed API (and the web page) on 127.0.0.1:8080 by default.
use anyhow::{Context as _, Result};
use ioclens_server::ingest::{self, FeedSpec};
use ioclens_server::store::{self, Category, Level};
use ioclens_server::{Config, keys, sectors, time};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// The store (`SQLite` file, created when missing).
    #[arg(long, default_value = "ioclens.db")]
    db: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Static files served at `/` (default: `www/dist` when it exists).
    #[arg(long, value_name = "DIR")]
    www: Option<PathBuf>,
    /// Load the demo feed (a small STIX bundle plus built-in Maltrail) and print a demo API key.
    #[arg(long)]
    demo: bool,
    /// Let pages from ORIGIN call the API from a browser (CORS; repeat for more). `scheme://host[:port]`,
    /// `scheme://*` (e.g. `moz-extension://*`) or `*`. Default: none (the page served here is same-origin, and
    /// an extension granted access to this server needs no CORS).
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    cors_origin: Vec<String>,
    /// Worker threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
}

fn load_demo(db: &std::path::Path) -> Result<String> {
    let mut conn = store::open(db)?;
    let now = time::now();
    let demo = FeedSpec {
        name: "ioclens-demo".to_owned(),
        category: Category::Government,
        confidence: Level::High,
        sectors: sectors::mask(["energy", "financial-services"]).map_err(anyhow::Error::msg)?,
        tags: vec!["demo".to_owned()],
        reference_url: None,
        first_seen: None,
        last_seen: None,
    };
    ingest::ingest(&mut conn, &demo, ingest::parse_text(ingest::DEMO_STIX, "json")?, now, &|_| {})?;
    let maltrail = FeedSpec {
        name: "maltrail".to_owned(),
        category: Category::Community,
        confidence: Level::Medium,
        sectors: 0,
        tags: Vec::new(),
        reference_url: Some(ingest::BUILTINS[1].1.to_owned()),
        first_seen: None,
        last_seen: None,
    };
    ingest::ingest(&mut conn, &maltrail, ingest::builtin("maltrail")?, now, &|_| {})?;
    let (key, _) = keys::create(&conn, "demo", 0, now)?;
    Ok(key)
}

pub(crate) fn run(args: &Args) -> Result<ExitCode> {
    let cors = ioclens_server::api::Cors::new(&args.cors_origin).map_err(anyhow::Error::msg)?;
    let www = args.www.clone().or_else(|| Some(PathBuf::from("www/dist")).filter(|p| p.is_dir()));
    let mut err = std::io::stderr();
    if args.demo {
        let key = load_demo(&args.db).context("loading the demo feed")?;
        let _ = writeln!(err, "ioclens: demo feed loaded; demo API key (unlimited): {key}");
        let _ = writeln!(
            err,
            "ioclens: try  curl -g -H 'Authorization: Bearer {key}' 'http://{}/api/v1/lookup?ioc=admin-panels[.]info'",
            args.listen
        );
    }
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    rt.enable_all();
    if let Some(n) = args.threads {
        rt.worker_threads(n.max(1));
    }
    let rt = rt.build().context("starting the async runtime")?;
    let _ = writeln!(err, "ioclens: serving {} on http://{}", args.db.display(), args.listen);
    rt.block_on(ioclens_server::serve(Config {
        db: args.db.clone(),
        listen: args.listen,
        www,
        cors,
    }))?;
    Ok(ExitCode::SUCCESS)
}
