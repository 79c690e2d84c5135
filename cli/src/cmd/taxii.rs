//! `ioclens feed add taxii2+https://HOST/API_ROOT/collections/ID/`: pulls a TAXII 2.1 collection into a feed,
//! page by page (`limit`, `next`, `added_after`), resuming where the last run stopped. The store side (resume
//! state, merging each page) is `ioclens_server::taxii_pull`; this file does the HTTP. docs/intel.md.
use anyhow::{Result, bail};
use ioclens_server::api::TAXII_MEDIA_TYPE;
use ioclens_server::ingest::{self, FeedSpec};
use ioclens_server::taxii_pull::{self, State};
use ioclens_server::{store, time};
use serde_json::{Value, json};
use std::io::Write as _;
use std::path::Path;
use std::time::Duration;

/// Ceiling on one page's body.
const MAX_PAGE_BYTES: u64 = 256 * 1024 * 1024;
/// Ceiling on pages in one run (a server that never says `more: false`).
const MAX_PAGES: usize = 100_000;

/// How to authenticate: HTTP Basic (`--taxii-user` with `IOCLENS_TAXII_PASSWORD`) or a bearer token
/// (`IOCLENS_TAXII_TOKEN`). Never printed.
pub(crate) enum Auth {
    None,
    Basic(String),
    Bearer(String),
}

impl Auth {
    /// From `--taxii-user` and the environment.
    #[expect(
        clippy::disallowed_methods,
        reason = "the CLI reads its environment; the ban is for core"
    )]
    pub(crate) fn from_env(user: Option<&str>) -> Result<Self, String> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        match (user, var("IOCLENS_TAXII_PASSWORD"), var("IOCLENS_TAXII_TOKEN")) {
            (Some(_), _, Some(_)) => {
                Err("give --taxii-user (Basic) or IOCLENS_TAXII_TOKEN (Bearer), not both"
                    .to_owned())
            }
            (Some(u), Some(p), None) => {
                use base64::Engine as _;
                Ok(Self::Basic(
                    base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}")),
                ))
            }
            (Some(_), None, None) => {
                Err("--taxii-user needs the password in IOCLENS_TAXII_PASSWORD".to_owned())
            }
            (None, _, Some(t)) => Ok(Self::Bearer(t)),
            (None, _, None) => Ok(Self::None),
        }
    }

    fn header(&self) -> Option<String> {
        match self {
            Self::None => None,
            Self::Basic(b) => Some(format!("Basic {b}")),
            Self::Bearer(t) => Some(format!("Bearer {t}")),
        }
    }
}

struct Client {
    agent: ureq::Agent,
    auth: Auth,
}

/// One answer: status, `X-TAXII-Date-Added-Last`, JSON body.
struct Answer {
    status: u16,
    last: Option<String>,
    body: Value,
}

impl Client {
    fn get(&self, url: &str, query: &[(&str, &str)]) -> Result<Answer> {
        let mut req = self.agent.get(url).header("Accept", TAXII_MEDIA_TYPE);
        for (k, v) in query {
            req = req.query(*k, *v);
        }
        if let Some(h) = self.auth.header() {
            req = req.header("Authorization", &h);
        }
        // The error names the URL (which holds no credentials) and never the Authorization header.
        let resp = req.call().map_err(|e| anyhow::anyhow!("GET {url}: {e}"))?;
        let status = resp.status().as_u16();
        let (last, bytes) = read_page(resp, MAX_PAGE_BYTES)
            .map_err(|e| anyhow::anyhow!("GET {url}: reading the body: {e}"))?;
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok(Answer { status, last, body })
    }

    /// A 200 answer's body, or an error naming the status and the server's TAXII error title.
    fn ok(&self, url: &str, query: &[(&str, &str)]) -> Result<Answer> {
        let a = self.get(url, query)?;
        if a.status == 200 {
            return Ok(a);
        }
        let title: String = a.body["title"].as_str().unwrap_or("").chars().take(300).collect();
        let hint = match a.status {
            401 => {
                " (the server wants credentials: --taxii-user with IOCLENS_TAXII_PASSWORD, or IOCLENS_TAXII_TOKEN)"
            }
            403 => " (the credentials may not read this collection)",
            404 => " (no such API root or collection)",
            406 => " (the server does not speak TAXII 2.1)",
            _ => "",
        };
        bail!(
            "GET {url}: HTTP {}{hint}{}",
            a.status,
            if title.is_empty() { String::new() } else { format!(": {title}") }
        )
    }
}

/// What a run did (printed as JSON).
#[derive(serde::Serialize)]
struct Report {
    feed: String,
    format: &'static str,
    collection: String,
    status: &'static str,
    pages: usize,
    objects: usize,
    records: usize,
    rejected: usize,
    unsupported: usize,
    resumed: bool,
    added_after: Option<String>,
}

/// Pulls the collection `arg` (`taxii2+http(s)://…/collections/ID/`) into feed `spec` (its `reference_url`
/// defaults to the collection URL), `limit` objects per page.
pub(crate) fn pull(
    db: &Path,
    mut spec: FeedSpec,
    arg: &str,
    auth: Auth,
    limit: u32,
) -> Result<std::process::ExitCode> {
    let url = taxii_pull::collection_url(arg).map_err(anyhow::Error::msg)?;
    spec.reference_url.get_or_insert_with(|| url.clone());
    let mut conn = store::open(db)?;
    let mut st = match taxii_pull::state(&conn, &spec.name)? {
        None => State { url: url.clone(), ..State::default() },
        Some(Some(st)) if st.url == url => st,
        Some(Some(st)) => bail!(
            "feed `{}` is pulled from {}; remove it first (`ioclens feed remove {}`) or give another --source",
            spec.name,
            st.url,
            spec.name
        ),
        Some(None) => bail!(
            "feed `{}` exists and was not pulled from TAXII; remove it first (`ioclens feed remove {}`) or give \
             another --source",
            spec.name,
            spec.name
        ),
    };
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_mins(2)))
        .http_status_as_error(false)
        .user_agent(concat!("ioclens/", env!("CARGO_PKG_VERSION"), " (TAXII 2.1)"))
        .build();
    let client = Client { agent: config.into(), auth };
    // The collection must exist and be readable before anything is written.
    let coll = client.ok(&url, &[])?.body;
    if coll["can_read"] != Value::Bool(true) {
        bail!("collection {url} is not readable with these credentials (can_read is not true)");
    }
    let mut report = Report {
        feed: spec.name.clone(),
        format: "taxii2",
        collection: url.clone(),
        status: "unchanged",
        pages: 0,
        objects: 0,
        records: 0,
        rejected: 0,
        unsupported: 0,
        resumed: st.next.is_some(),
        added_after: st.added_after.clone(),
    };
    let objects_url = format!("{url}objects/");
    let limit = limit.to_string();
    loop {
        if report.pages >= MAX_PAGES {
            bail!(
                "{objects_url}: more than {MAX_PAGES} pages in one run; stopping (run again to go on)"
            );
        }
        let mut query: Vec<(&str, &str)> = vec![("limit", &limit)];
        if let Some(a) = &st.added_after {
            query.push(("added_after", a));
        }
        if let Some(n) = &st.next {
            query.push(("next", n));
        }
        let page = client.get(&objects_url, &query)?;
        if page.status != 200 && st.next.is_some() && matches!(page.status, 400 | 404) {
            // The server forgot the token of the unfinished run: start the run again (pages are idempotent).
            let _ = writeln!(
                std::io::stderr(),
                "ioclens: the server no longer knows the saved `next` token; restarting this run from its start"
            );
            st.next = None;
            st.last = None;
            continue;
        }
        let page = if page.status == 200 { page } else { client.ok(&objects_url, &query)? };
        report.pages += 1;
        let objects = page.body["objects"].as_array().map_or(0, Vec::len);
        report.objects += objects;
        if objects > 0 {
            let mut parsed = ingest::parse_text(&page.body.to_string(), "json")?;
            parsed.format = "taxii2";
            let r = ingest::ingest_more(&mut conn, &spec, parsed, time::now())?;
            report.records = r.records;
            report.rejected += r.rejected;
            report.unsupported += r.unsupported;
            report.status = if report.status == "created" || r.status == "created" {
                "created"
            } else {
                "updated"
            };
        }
        if page.last.is_some() {
            st.last.clone_from(&page.last);
        }
        let more = page.body["more"] == Value::Bool(true);
        let next = page.body["next"].as_str().filter(|n| !n.is_empty()).map(str::to_owned);
        match (more, next) {
            (true, Some(n)) => {
                // A token may stay the same from page to page (medallion's does); a page that brings nothing
                // under the same token is a loop.
                if objects == 0 && st.next.as_ref() == Some(&n) {
                    bail!("{objects_url}: an empty page with the same `next` token; stopping");
                }
                st.next = Some(n);
            }
            (true, None) => {
                // TAXII 2.1: no `next`, so page on with `added_after` = the page's X-TAXII-Date-Added-Last.
                let Some(last) = page.last.clone().filter(|l| Some(l) != st.added_after.as_ref())
                else {
                    bail!(
                        "{objects_url}: `more` without `next` or a newer X-TAXII-Date-Added-Last; stopping"
                    );
                };
                st.added_after = Some(last);
                st.next = None;
            }
            (false, _) => {
                if let Some(last) = st.last.take() {
                    st.added_after = Some(last);
                }
                st.next = None;
            }
        }
        if taxii_pull::state(&conn, &spec.name)?.is_some() {
            taxii_pull::save(&conn, &spec.name, &st, time::now())?;
        }
        if !more {
            break;
        }
    }
    report.added_after.clone_from(&st.added_after);
    if report.status == "unchanged" {
        report.records = ioclens_server::store::feeds(&conn)?
            .iter()
            .find(|f| f.name == spec.name)
            .map_or(0, |f| usize::try_from(f.records).unwrap_or(0));
    }
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &json!(report))?;
    writeln!(out)?;
    Ok(std::process::ExitCode::SUCCESS)
}

/// A TAXII page's `X-TAXII-Date-Added-Last` and its body (at most `limit` bytes).
pub(crate) fn read_page(
    resp: ureq::http::Response<ureq::Body>,
    limit: u64,
) -> Result<(Option<String>, Vec<u8>), ureq::Error> {
    let last = resp
        .headers()
        .get("x-taxii-date-added-last")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = resp.into_body().with_config().limit(limit).read_to_vec()?;
    Ok((last, bytes))
}
