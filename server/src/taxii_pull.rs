//! The client side of TAXII 2.1 (`ioclens feed add taxii2+https://HOST/API_ROOT/collections/ID/`): the
//! collection URL, the resume state kept with the feed, and each page of objects into the feed. The CLI does the
//! HTTP (`cli/src/cmd/taxii.rs`); docs/intel.md, "TAXII 2.1".
//!
//! Each page is added to the feed in its own transaction ([`crate::ingest::ingest_more`]: a value already there
//! takes its newest statement, so a revoked or `valid_until`-ended version ends it, through the core's evidence
//! rules), then the page's `next` token is saved. A run that stops part-way resumes at that token (or, should the
//! server no longer know it, from the start of the run: pages are idempotent). A run that ends (`more: false`)
//! moves the resume point `added_after` to the collection's `X-TAXII-Date-Added-Last`, so the next run asks for
//! newer objects only.
use anyhow::{Context as _, Result};
use rusqlite::{Connection, OptionalExtension, params};

/// The `taxii2+` scheme prefix of a collection URL on the command line.
pub const PREFIX: &str = "taxii2+";

/// The collection URL (`http(s)://host[:port]/…/collections/ID/`, trailing slash ensured) from
/// `taxii2+http(s)://…`.
///
/// # Errors
/// Not `taxii2+http(s)`, credentials in the URL (they would land in shell history and the store), a query or
/// fragment, or a path that does not end in `collections/ID`.
pub fn collection_url(arg: &str) -> Result<String, String> {
    let rest = arg.strip_prefix(PREFIX).ok_or_else(|| format!("not a `{PREFIX}` URL"))?;
    let uri: axum::http::Uri = rest.parse().map_err(|e| format!("`{rest}` is not a URL: {e}"))?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) {
        return Err(
            "use taxii2+https://HOST/API_ROOT/collections/ID/ (or taxii2+http://)".to_owned()
        );
    }
    let Some(authority) = uri.authority() else {
        return Err("the URL has no host".to_owned());
    };
    if authority.as_str().contains('@') {
        return Err("credentials do not belong in the URL (shell history, the store): give \
                    --taxii-user with IOCLENS_TAXII_PASSWORD, or IOCLENS_TAXII_TOKEN"
            .to_owned());
    }
    if uri.query().is_some() || rest.contains('#') {
        return Err("the collection URL takes no query or fragment".to_owned());
    }
    let path = uri.path().trim_end_matches('/');
    let mut segs = path.rsplit('/');
    let (id, coll) = (segs.next().unwrap_or(""), segs.next().unwrap_or(""));
    if coll != "collections" || id.is_empty() {
        return Err("the URL must name a collection: …/API_ROOT/collections/ID/".to_owned());
    }
    Ok(format!("{}://{}{path}/", uri.scheme_str().unwrap_or("https"), authority.as_str()))
}

/// Where a feed's pulls stand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    /// The collection URL the feed is pulled from.
    pub url: String,
    /// Resume point: objects added after this (the server's own timestamp text), `None` before a complete run.
    pub added_after: Option<String>,
    /// The `next` token of an unfinished run.
    pub next: Option<String>,
    /// The `X-TAXII-Date-Added-Last` of the unfinished run's last page.
    pub last: Option<String>,
}

/// What the store says about feed `name`: `Ok(None)` when there is no such feed, `Ok(Some(None))` when the feed
/// exists but was not pulled from TAXII.
///
/// # Errors
/// The store cannot be read.
pub fn state(conn: &Connection, name: &str) -> Result<Option<Option<State>>> {
    let feed: Option<i64> =
        conn.query_row("SELECT id FROM feeds WHERE name = ?1", [name], |r| r.get(0)).optional()?;
    let Some(feed) = feed else { return Ok(None) };
    let st = conn
        .query_row(
            "SELECT url, added_after, next, last FROM taxii_pulls WHERE feed_id = ?1",
            [feed],
            |r| {
                Ok(State {
                    url: r.get(0)?,
                    added_after: r.get(1)?,
                    next: r.get(2)?,
                    last: r.get(3)?,
                })
            },
        )
        .optional()?;
    Ok(Some(st))
}

/// Saves feed `name`'s state (the feed exists: a page was ingested into it first).
///
/// # Errors
/// No feed `name`, or the store cannot be written.
pub fn save(conn: &Connection, name: &str, st: &State, now: i64) -> Result<()> {
    let n = conn
        .execute(
            "INSERT INTO taxii_pulls(feed_id, url, added_after, next, last, updated_at) \
             SELECT id, ?2, ?3, ?4, ?5, ?6 FROM feeds WHERE name = ?1 \
             ON CONFLICT(feed_id) DO UPDATE SET url=excluded.url, added_after=excluded.added_after, \
             next=excluded.next, last=excluded.last, updated_at=excluded.updated_at",
            params![name, st.url, st.added_after, st.next, st.last, now],
        )
        .context("saving the TAXII resume state")?;
    anyhow::ensure!(n == 1, "no feed `{name}` to save the TAXII state of");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collection_urls() {
        assert_eq!(
            collection_url(
                "taxii2+https://ti.example/api1/collections/91a7b528-80eb-42ed-a74d-c6fbd5a26116"
            )
            .unwrap(),
            "https://ti.example/api1/collections/91a7b528-80eb-42ed-a74d-c6fbd5a26116/"
        );
        assert_eq!(
            collection_url("taxii2+http://127.0.0.1:8080/taxii2/ioclens/collections/x/").unwrap(),
            "http://127.0.0.1:8080/taxii2/ioclens/collections/x/"
        );
        for bad in [
            "https://ti.example/api1/collections/x/",
            "taxii2+ftp://ti.example/api1/collections/x/",
            "taxii2+https://user:secret@ti.example/api1/collections/x/",
            "taxii2+https://ti.example/api1/collections/x/?limit=5",
            "taxii2+https://ti.example/api1/collections/",
            "taxii2+https://ti.example/api1/",
        ] {
            let e = collection_url(bad).unwrap_err();
            assert!(!e.contains("secret"), "{e}");
        }
    }

    #[test]
    fn state_lives_and_dies_with_its_feed() {
        let dir = std::env::temp_dir().join(format!("ioclens-taxii-state-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut conn = crate::store::open(&dir.join("s.db")).unwrap();
        assert_eq!(state(&conn, "t").unwrap(), None);
        let st = State { url: "https://x/c/1/".into(), ..State::default() };
        assert!(save(&conn, "t", &st, 1).is_err(), "no feed yet");
        conn.execute_batch(
            "INSERT INTO feeds VALUES (1, 't', 0, 2, 0, '', NULL, 'taxii2', 'fp', 1700000000, 0, 1)",
        )
        .unwrap();
        assert_eq!(state(&conn, "t").unwrap(), Some(None));
        let st = State { added_after: Some("2026-01-01T00:00:00.123456Z".into()), ..st };
        save(&conn, "t", &st, 2).unwrap();
        assert_eq!(state(&conn, "t").unwrap(), Some(Some(st)));
        assert!(crate::store::remove_feed(&mut conn, "t").unwrap());
        assert_eq!(state(&conn, "t").unwrap(), None);
        let n: i64 = conn.query_row("SELECT count(*) FROM taxii_pulls", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 0, "the state went with the feed");
        drop(conn);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
