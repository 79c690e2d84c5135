//! The `SQLite` store: feeds, their indicators (one row per indicator per feed), API keys.
//!
//! One file at a configurable path, WAL mode. Enumerations are stored as small integers so the 10-million-row
//! table stays compact; the indexes serve the feed API's filters in `ORDER BY last_seen DESC, id DESC` order and
//! the lookup API's point queries.
//!
//! Why one file: the `SQLite` schema, its migrations and every statement the server runs stay together, so a schema
//! change and the statements it affects are one diff; `store_pg.rs` mirrors it.
use anyhow::{Context as _, Result};
use ioclens_core::IocKind;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::path::Path;

/// Source feed category (docs/api.md `category`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    /// Government CERTs and agencies.
    Government = 0,
    /// Vendors.
    Commercial = 1,
    /// Open community lists.
    Community = 2,
}

impl Category {
    /// Parses `government|commercial|community`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "government" => Some(Self::Government),
            "commercial" => Some(Self::Commercial),
            "community" => Some(Self::Community),
            _ => None,
        }
    }
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Government => "government",
            Self::Commercial => "commercial",
            Self::Community => "community",
        }
    }
    pub(crate) fn from_i64(v: i64) -> Self {
        match v {
            0 => Self::Government,
            1 => Self::Commercial,
            _ => Self::Community,
        }
    }
}

/// Confidence level (docs/api.md `confidence`); STIX 2.1 maps them to 15/50/85.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Low.
    Low = 1,
    /// Medium.
    Medium = 2,
    /// High.
    High = 3,
}

impl Level {
    /// Parses `low|medium|high`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "low" => Some(Self::Low),
            "medium" => Some(Self::Medium),
            "high" => Some(Self::High),
            _ => None,
        }
    }
    /// From a STIX 0–100 confidence (STIX 2.1 appendix "High-Medium-Low" scale: 0–29 low, 30–69 medium, 70–100 high).
    pub fn from_stix(v: i64) -> Self {
        match v {
            ..=29 => Self::Low,
            30..=69 => Self::Medium,
            _ => Self::High,
        }
    }
    /// The STIX value of the level (15/50/85).
    pub fn stix(self) -> i64 {
        match self {
            Self::Low => 15,
            Self::Medium => 50,
            Self::High => 85,
        }
    }
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
    pub(crate) fn from_i64(v: i64) -> Self {
        match v {
            ..=1 => Self::Low,
            2 => Self::Medium,
            _ => Self::High,
        }
    }
}

pub(crate) fn kind_code(k: IocKind) -> i64 {
    IocKind::ALL.iter().position(|x| *x == k).and_then(|i| i64::try_from(i).ok()).unwrap_or(-1)
}

fn kind_from_code(c: i64) -> IocKind {
    usize::try_from(c).ok().and_then(|i| IocKind::ALL.get(i).copied()).unwrap_or(IocKind::Unknown)
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS feeds(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  category INTEGER NOT NULL,
  confidence INTEGER NOT NULL,
  sectors INTEGER NOT NULL,
  tags TEXT NOT NULL,
  reference_url TEXT,
  format TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  ingested_at INTEGER NOT NULL,
  records INTEGER NOT NULL,
  generation INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS iocs(
  id INTEGER PRIMARY KEY,
  feed_id INTEGER NOT NULL REFERENCES feeds(id),
  kind INTEGER NOT NULL,
  value TEXT NOT NULL,
  category INTEGER NOT NULL,
  confidence INTEGER NOT NULL,
  sectors INTEGER NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  occurrences INTEGER NOT NULL,
  context TEXT,
  tags TEXT,
  threat_type TEXT,
  malware_family TEXT,
  reference_url TEXT,
  generation INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS iocs_value ON iocs(value, kind, feed_id);
CREATE INDEX IF NOT EXISTS iocs_recent ON iocs(last_seen, id, kind, confidence, category, sectors);
CREATE INDEX IF NOT EXISTS iocs_kind ON iocs(kind, last_seen, id, confidence, category, sectors);
CREATE INDEX IF NOT EXISTS iocs_feed ON iocs(feed_id, generation);
CREATE TABLE IF NOT EXISTS api_keys(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  hash BLOB NOT NULL UNIQUE,
  rate_limit INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE TABLE IF NOT EXISTS provider_cache(
  provider TEXT NOT NULL,
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  stored_at INTEGER NOT NULL,
  PRIMARY KEY(provider, kind, value)
);
";

/// Creates the store file readable by its owner only (0600) when it does not exist yet: it holds the key
/// hashes and every feed. `SQLite` gives its `-wal` and `-shm` files the database file's mode.
fn create_private(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        match std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e).with_context(|| format!("creating store {}", path.display())),
        }
    }
    Ok(())
}

/// Opens (creating if needed) the store at `path`: WAL journal, `synchronous=NORMAL`, schema ensured.
pub fn open(path: &Path) -> Result<Connection> {
    // A URL is not a file name: never create a `postgres:` directory for it.
    if path.to_str().is_some_and(crate::store_pg::is_url) {
        anyhow::bail!(
            "this command reads the SQLite store only; a PostgreSQL store is filled with `ioclens db copy` \
             (docs/deploy.md)"
        );
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    create_private(path)?;
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("opening store {}", path.display()))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.execute_batch(SCHEMA).context("creating the schema")?;
    migrate(&conn)?;
    Ok(conn)
}

/// A private in-memory store of this build's schema (the scratch store of a `PostgreSQL` ingest,
/// [`crate::store_pg::ingest`]).
pub(crate) fn open_memory() -> Result<Connection> {
    let conn = Connection::open_in_memory()?;
    conn.execute_batch(SCHEMA).context("creating the schema")?;
    migrate(&conn)?;
    Ok(conn)
}

/// Opens the store at `path` only when it already exists: commands that read (or change) what a store holds
/// (`keys list`, `feed list` …) must not leave a new empty store behind a mistyped `--db`.
pub fn open_existing(path: &Path) -> Result<Connection> {
    if !path.is_file() {
        anyhow::bail!(
            "no store at {} (check --db; `ioclens feed add` or `ioclens serve` creates one)",
            path.display()
        );
    }
    open(path)
}

/// Schema version this build writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 4;

/// Brings an older store up to [`SCHEMA_VERSION`] in place (stores of earlier versions stay readable):
/// 1. `iocs.status` (ended-evidence bits: [`REVOKED`], [`NOT_FOR_DETECTION`], [`DELETED`]) and `iocs.valid_until`.
/// 2. `iocs.port` (0: none): an `ip:port` entry is a row of its own, keyed `(value, kind, feed_id, port)`.
/// 3. `feed_schedules` (`feed add --every`, [`crate::sync`]) and `taxii_pulls` (resumable TAXII pulls,
///    [`crate::taxii_pull`]), until then created on first use (`IF NOT EXISTS`: such stores keep their rows).
/// 4. `iocs_kind_first (kind, first_seen)`: a `type=` page over a bounded `since…until` window reads that window
///    instead of walking `(kind, last_seen)` back from the newest row past everything newer than `until`.
fn migrate(conn: &Connection) -> Result<()> {
    let version =
        || -> Result<i64> { Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?) };
    if version()? >= SCHEMA_VERSION {
        return Ok(());
    }
    // Checked again under the write lock: another process may have migrated meanwhile.
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let step = || -> Result<()> {
        if version()? < 1 {
            conn.execute_batch(
                "ALTER TABLE iocs ADD COLUMN status INTEGER NOT NULL DEFAULT 0;
                 ALTER TABLE iocs ADD COLUMN valid_until INTEGER;
                 PRAGMA user_version = 1;",
            )?;
        }
        if version()? < 2 {
            conn.execute_batch(
                "ALTER TABLE iocs ADD COLUMN port INTEGER NOT NULL DEFAULT 0;
                 DROP INDEX IF EXISTS iocs_value;
                 CREATE UNIQUE INDEX iocs_value ON iocs(value, kind, feed_id, port);
                 PRAGMA user_version = 2;",
            )?;
        }
        if version()? < 3 {
            conn.execute_batch(
                "CREATE TABLE IF NOT EXISTS feed_schedules(
                   feed_id INTEGER PRIMARY KEY REFERENCES feeds(id) ON DELETE CASCADE,
                   url TEXT NOT NULL,
                   every INTEGER NOT NULL,
                   spec TEXT NOT NULL,
                   taxii_user TEXT,
                   last_attempt INTEGER,
                   last_success INTEGER,
                   error TEXT);
                 CREATE TABLE IF NOT EXISTS taxii_pulls(
                   feed_id INTEGER PRIMARY KEY REFERENCES feeds(id) ON DELETE CASCADE,
                   url TEXT NOT NULL,
                   added_after TEXT,
                   next TEXT,
                   last TEXT,
                   updated_at INTEGER NOT NULL);
                 PRAGMA user_version = 3;",
            )?;
        }
        if version()? < 4 {
            conn.execute_batch(
                "CREATE INDEX IF NOT EXISTS iocs_kind_first ON iocs(kind, first_seen);
                 PRAGMA user_version = 4;",
            )?;
        }
        Ok(())
    };
    match step() {
        Ok(()) => conn.execute_batch("COMMIT").context("migrating the store"),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e.context(format!("migrating the store to schema {SCHEMA_VERSION}")))
        }
    }
}

/// `iocs.status` bit: STIX `revoked: true`.
pub const REVOKED: i64 = 1;
/// `iocs.status` bit: MISP `to_ids: false`.
pub const NOT_FOR_DETECTION: i64 = 2;
/// `iocs.status` bit: a deleted MISP attribute.
pub const DELETED: i64 = 4;

/// One stored sighting of an indicator by one feed, with its feed's attributes.
#[derive(Debug, Clone)]
pub struct Row {
    /// Row id (cursor key).
    pub id: i64,
    /// Type.
    pub kind: IocKind,
    /// Canonical value.
    pub value: String,
    /// Confidence of this sighting.
    pub confidence: Level,
    /// Category of the feed.
    pub category: Category,
    /// Sector bit set.
    pub sectors: i64,
    /// First seen (Unix seconds).
    pub first_seen: i64,
    /// Last seen (Unix seconds).
    pub last_seen: i64,
    /// Times the feed reported it (`IPsum`: number of lists).
    pub occurrences: i64,
    /// Free-text context.
    pub context: Option<String>,
    /// Tags (feed tags and record tags).
    pub tags: Vec<String>,
    /// Threat type (`c2`, `malware`, `phishing` …).
    pub threat_type: Option<String>,
    /// Malware family.
    pub malware_family: Option<String>,
    /// Reference URL (record, else feed).
    pub reference_url: Option<String>,
    /// Feed name.
    pub feed: String,
    /// Format the feed was ingested from (`stix`, `misp`, `csv`, `txt`, `ipsum`, `maltrail`).
    pub origin: String,
    /// Ended-evidence bits ([`REVOKED`], [`NOT_FOR_DETECTION`], [`DELETED`]); 0 for a live record.
    pub status: i64,
    /// The source's `valid_until` (Unix seconds).
    pub valid_until: Option<i64>,
    /// The port of an `ip:port` entry (the value is the address).
    pub port: Option<u16>,
}

impl Row {
    /// The row as the core's evidence record (the core scores it; the server does not).
    pub fn evidence(&self) -> ioclens_core::score::Evidence {
        use ioclens_core::score::{Confidence, Evidence, SourceCategory};
        Evidence {
            source: self.feed.clone(),
            origin: Some(self.origin.clone()),
            category: match self.category {
                Category::Government => SourceCategory::Government,
                Category::Commercial => SourceCategory::Commercial,
                Category::Community => SourceCategory::Community,
            },
            confidence: match self.confidence {
                Level::Low => Confidence::Low,
                Level::Medium => Confidence::Medium,
                Level::High => Confidence::High,
            },
            first_seen: Some(self.first_seen),
            last_seen: Some(self.last_seen),
            count: u32::try_from(self.occurrences).ok(),
            tags: self.tags.clone(),
            family: self.malware_family.clone(),
            threat_type: self.threat_type.clone(),
            revoked: self.status & REVOKED != 0,
            valid_until: self.valid_until,
            to_ids: self.status & NOT_FOR_DETECTION == 0,
            deleted: self.status & DELETED != 0,
        }
    }
}

/// The columns [`row`] decodes (a macro so `concat!` can build static SQL from it).
macro_rules! row_columns {
    () => {
        "i.id, i.kind, i.value, i.confidence, i.category, i.sectors, i.first_seen, i.last_seen, \
     i.occurrences, i.context, i.tags, i.threat_type, i.malware_family, coalesce(i.reference_url, f.reference_url), f.name, f.format, \
     i.status, i.valid_until, i.port"
    };
}
pub(crate) use row_columns;
pub(crate) const ROW_COLUMNS: &str = row_columns!();

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    row_at(r, 0)
}

/// A result row of either store, read by column index and type ([`decode`] reads [`ROW_COLUMNS`] through it).
pub(crate) trait Cols {
    /// The store's error type.
    type Err;
    fn int(&self, i: usize) -> Result<i64, Self::Err>;
    fn opt_int(&self, i: usize) -> Result<Option<i64>, Self::Err>;
    fn text(&self, i: usize) -> Result<String, Self::Err>;
    fn opt_text(&self, i: usize) -> Result<Option<String>, Self::Err>;
}

impl Cols for rusqlite::Row<'_> {
    type Err = rusqlite::Error;
    fn int(&self, i: usize) -> rusqlite::Result<i64> {
        self.get(i)
    }
    fn opt_int(&self, i: usize) -> rusqlite::Result<Option<i64>> {
        self.get(i)
    }
    fn text(&self, i: usize) -> rusqlite::Result<String> {
        self.get(i)
    }
    fn opt_text(&self, i: usize) -> rusqlite::Result<Option<String>> {
        self.get(i)
    }
}

/// Decodes `ROW_COLUMNS` starting at column `b`.
pub(crate) fn row_at(r: &rusqlite::Row<'_>, b: usize) -> rusqlite::Result<Row> {
    decode(r, b)
}

/// Decodes `ROW_COLUMNS` starting at column `b` of either store's row.
pub(crate) fn decode<R: Cols + ?Sized>(r: &R, b: usize) -> Result<Row, R::Err> {
    let tags: Option<String> = r.opt_text(b + 10)?;
    Ok(Row {
        id: r.int(b)?,
        kind: kind_from_code(r.int(b + 1)?),
        value: r.text(b + 2)?,
        confidence: Level::from_i64(r.int(b + 3)?),
        category: Category::from_i64(r.int(b + 4)?),
        sectors: r.int(b + 5)?,
        first_seen: r.int(b + 6)?,
        last_seen: r.int(b + 7)?,
        occurrences: r.int(b + 8)?,
        context: r.opt_text(b + 9)?,
        tags: tags.map(|t| split_tags(&t)).unwrap_or_default(),
        threat_type: r.opt_text(b + 11)?,
        malware_family: r.opt_text(b + 12)?,
        reference_url: r.opt_text(b + 13)?,
        feed: r.text(b + 14)?,
        origin: r.text(b + 15)?,
        status: r.int(b + 16)?,
        valid_until: r.opt_int(b + 17)?,
        port: u16::try_from(r.int(b + 18)?).ok().filter(|p| *p != 0),
    })
}

/// Tags are stored `\x1f`-separated.
pub(crate) fn join_tags(tags: &[String]) -> String {
    tags.join("\u{1f}")
}

fn split_tags(s: &str) -> Vec<String> {
    s.split('\u{1f}').filter(|t| !t.is_empty()).map(str::to_owned).collect()
}

/// Filters of the feed API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Types (empty: any; several: a family such as `ip`).
    pub kinds: Vec<IocKind>,
    /// Exact confidence.
    pub confidence: Option<Level>,
    /// Feed category.
    pub category: Option<Category>,
    /// Sector bit index.
    pub sector: Option<usize>,
    /// `first_seen >= since`: the source first listed it then or later (re-ingesting changes nothing).
    pub since: Option<i64>,
    /// `first_seen <= until`.
    pub until: Option<i64>,
}

/// A page of the feed.
#[derive(Debug, Clone)]
pub struct Page {
    /// Rows, most recent first.
    pub rows: Vec<Row>,
    /// Cursor key of the next page, when there may be one.
    pub next: Option<(i64, i64)>,
    /// Matching rows, counted up to [`TOTAL_CAP`]; `None` when counting exceeded its work budget.
    pub total: Option<i64>,
}

/// `meta.total` is exact up to this many rows; beyond, it reads `TOTAL_CAP` and `total_exact` is false.
pub const TOTAL_CAP: i64 = 1_000;

/// One page: keyset pagination on `(last_seen, id)` descending, or `offset` when no cursor is given.
/// `with_total` also counts the matches (capped at [`TOTAL_CAP`], within a work budget).
fn page_lite(
    conn: &Connection,
    f: &Filters,
    cursor: Option<(i64, i64)>,
    offset: i64,
    limit: i64,
    with_total: bool,
) -> Result<Page> {
    let q = page_sql(f, cursor, offset, limit, '?');
    let mut st = conn.prepare_cached(&q.sql)?;
    let rows = st
        .query_map(rusqlite::params_from_iter(q.args.iter()), row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let (rows, next) = trim_page(rows, limit);
    let total = if with_total { count(conn, &q.filter_where, &q.filter_args)? } else { None };
    Ok(Page { rows, next, total })
}

/// The feed page's statement, for either store: `mark` is the placeholder prefix (`?` for `SQLite`'s `?1`,
/// `$` for `PostgreSQL`'s `$1`); both stores read the same columns under the same indexes.
pub(crate) struct PageSql {
    /// The page (`limit + 1` rows: the extra one says whether there is a next page).
    pub sql: String,
    /// Its arguments.
    pub args: Vec<i64>,
    /// The filters alone (no cursor), for counting.
    pub filter_where: String,
    /// Their arguments.
    pub filter_args: Vec<i64>,
}

pub(crate) fn page_sql(
    f: &Filters,
    cursor: Option<(i64, i64)>,
    offset: i64,
    limit: i64,
    mark: char,
) -> PageSql {
    let mut conds: Vec<String> = Vec::new();
    let mut args: Vec<i64> = Vec::new();
    // Types: one (`i.kind = ?`, the `iocs_kind` index), or a family (`IN`), one parameter per kind.
    if !f.kinds.is_empty() {
        let marks: Vec<String> = f
            .kinds
            .iter()
            .map(|k| {
                args.push(kind_code(*k));
                format!("{mark}{}", args.len())
            })
            .collect();
        conds.push(match &marks[..] {
            [one] => format!("i.kind = {one}"),
            _ => format!("i.kind IN ({})", marks.join(", ")),
        });
    }
    let mut push = |cond: &str, v: i64| {
        args.push(v);
        conds.push(cond.replace('?', &format!("{mark}{}", args.len())));
    };
    if let Some(c) = f.confidence {
        push("i.confidence = ?", c as i64);
    }
    if let Some(c) = f.category {
        push("i.category = ?", c as i64);
    }
    if let Some(s) = f.sector {
        push("(i.sectors & ?) != 0", 1 << s);
    }
    if let Some(s) = f.since {
        push("i.first_seen >= ?", s);
        // Implied (every row has last_seen >= first_seen), and it lets the `(last_seen, …)` index stop at the
        // bound instead of walking the whole store for a recent window.
        push("i.last_seen >= ?", s);
    }
    if let Some(u) = f.until {
        push("i.first_seen <= ?", u);
    }
    let filter_conds = conds.clone();
    let filter_args = args.clone();
    if let Some((ls, id)) = cursor {
        args.push(ls);
        args.push(id);
        conds.push(format!(
            "(i.last_seen, i.id) < ({mark}{}, {mark}{})",
            args.len() - 1,
            args.len()
        ));
    }
    let where_ = |c: &[String]| {
        if c.is_empty() { String::new() } else { format!("WHERE {}", c.join(" AND ")) }
    };
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM iocs i JOIN feeds f ON f.id = i.feed_id {} \
         ORDER BY i.last_seen DESC, i.id DESC LIMIT {} OFFSET {}",
        where_(&conds),
        limit + 1,
        offset
    );
    PageSql { sql, args, filter_where: where_(&filter_conds), filter_args }
}

/// Cuts the `limit + 1` rows of a page statement to `limit`, with the cursor of the next page when there is one.
pub(crate) fn trim_page(mut rows: Vec<Row>, limit: i64) -> (Vec<Row>, Option<(i64, i64)>) {
    let next = if i64::try_from(rows.len()).unwrap_or(i64::MAX) > limit {
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        rows.last().map(|r| (r.last_seen, r.id))
    } else {
        None
    };
    (rows, next)
}

/// Counts matching rows up to [`TOTAL_CAP`] within a work budget (a filter no index serves could otherwise scan
/// all 10 million rows just to fill `meta.total`).
fn count(conn: &Connection, where_: &str, args: &[i64]) -> Result<Option<i64>> {
    let sql = format!("SELECT count(*) FROM (SELECT 1 FROM iocs i {where_} LIMIT {TOTAL_CAP})");
    let mut st = conn.prepare_cached(&sql)?;
    let budget = std::cell::Cell::new(0u32);
    conn.progress_handler(
        1000,
        Some(move || {
            budget.set(budget.get() + 1);
            budget.get() > 200
        }),
    );
    let res = st.query_row(rusqlite::params_from_iter(args.iter()), |r| r.get::<_, i64>(0));
    conn.progress_handler(0, None::<fn() -> bool>);
    match res {
        Ok(n) => Ok(Some(n)),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::OperationInterrupted =>
        {
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// A feed as listed by `ioclens feed list`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FeedInfo {
    /// Name.
    pub name: String,
    /// Category.
    pub category: &'static str,
    /// Default confidence.
    pub confidence: &'static str,
    /// Sector slugs.
    pub sectors: Vec<&'static str>,
    /// Indicator rows.
    pub records: i64,
    /// Last ingest (RFC 3339).
    pub ingested_at: String,
}

/// Every feed, by name.
fn feeds_lite(conn: &Connection) -> Result<Vec<FeedInfo>> {
    let mut st = conn.prepare(
        "SELECT name, category, confidence, sectors, records, ingested_at FROM feeds ORDER BY name",
    )?;
    let rows = st
        .query_map([], |r| {
            Ok(FeedInfo {
                name: r.get(0)?,
                category: Category::from_i64(r.get(1)?).as_str(),
                confidence: Level::from_i64(r.get(2)?).as_str(),
                sectors: crate::sectors::slugs(r.get(3)?),
                records: r.get(4)?,
                ingested_at: crate::time::format(r.get(5)?),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Removes a feed and its indicators; false when there was none.
pub fn remove_feed(conn: &mut Connection, name: &str) -> Result<bool> {
    let tx = conn.transaction()?;
    let id: Option<i64> =
        tx.query_row("SELECT id FROM feeds WHERE name = ?1", [name], |r| r.get(0)).optional()?;
    let Some(id) = id else { return Ok(false) };
    tx.execute("DELETE FROM iocs WHERE feed_id = ?1", [id])?;
    tx.execute("DELETE FROM feeds WHERE id = ?1", [id])?;
    tx.commit()?;
    Ok(true)
}

/// What `/health` reports of a store it could read.
#[derive(Debug, Clone)]
pub struct Health {
    /// [`feed_version`].
    pub feed_version: String,
    /// Number of feeds.
    pub feeds: i64,
}

/// Reads the store the way requests do, touching every table and both ends of every index (a few pages, not
/// the whole file), so a damaged or unreadable store shows here rather than only when a request hits it.
fn health_lite(conn: &Connection) -> Result<Health> {
    let (feeds, last): (i64, Option<i64>) = conn
        .prepare_cached("SELECT count(*), max(ingested_at) FROM feeds")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    for sql in [
        "SELECT count(*) FROM api_keys",
        "SELECT count(*) FROM (SELECT 1 FROM iocs ORDER BY id LIMIT 1) UNION ALL \
         SELECT count(*) FROM (SELECT 1 FROM iocs ORDER BY id DESC LIMIT 1)",
        "SELECT count(*) FROM (SELECT value FROM iocs INDEXED BY iocs_value ORDER BY value, kind, feed_id LIMIT 1)",
        "SELECT count(*) FROM (SELECT value FROM iocs INDEXED BY iocs_value ORDER BY value DESC, kind DESC, feed_id DESC LIMIT 1)",
        "SELECT min(last_seen), max(last_seen) FROM iocs INDEXED BY iocs_recent",
        "SELECT count(*) FROM (SELECT kind FROM iocs INDEXED BY iocs_kind ORDER BY kind, last_seen LIMIT 1)",
        "SELECT count(*) FROM (SELECT feed_id FROM iocs INDEXED BY iocs_feed ORDER BY feed_id DESC, generation DESC LIMIT 1)",
    ] {
        let mut st = conn.prepare_cached(sql)?;
        let mut rows = st.query([])?;
        while rows.next()?.is_some() {}
    }
    Ok(Health { feed_version: version_text(feeds, last), feeds })
}

/// `feed_version`: the time of the latest ingest and the number of feeds, `"empty"` before any.
fn feed_version_lite(conn: &Connection) -> Result<String> {
    let (n, last): (i64, Option<i64>) = conn
        .prepare_cached("SELECT count(*), max(ingested_at) FROM feeds")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(version_text(n, last))
}

pub(crate) fn version_text(feeds: i64, last: Option<i64>) -> String {
    last.map_or_else(|| "empty".to_owned(), |t| format!("{}/{feeds}", crate::time::format(t)))
}

/// An enrichment provider's cached reply `(status, body, stored_at)` for `(kind, value)`, when stored less than
/// `max_age` seconds before `now` (`?providers=`, docs/providers.md).
fn provider_cache_get_lite(
    conn: &Connection,
    provider: &str,
    kind: IocKind,
    value: &str,
    max_age: i64,
    now: i64,
) -> Result<Option<(u16, String, i64)>> {
    Ok(conn
        .prepare_cached(
            "SELECT status, body, stored_at FROM provider_cache WHERE provider = ?1 AND kind = ?2 AND value = ?3 \
             AND stored_at > ?4",
        )?
        .query_row(params![provider, kind.as_str(), value, now - max_age], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?)
}

/// Stores (or replaces) an enrichment provider's reply for `(kind, value)`.
fn provider_cache_put_lite(
    conn: &Connection,
    provider: &str,
    kind: IocKind,
    value: &str,
    reply: (u16, &str),
    now: i64,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO provider_cache(provider, kind, value, status, body, stored_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![provider, kind.as_str(), value, reply.0, reply.1, now])?;
    Ok(())
}

/// TAXII collections, by name.
pub(crate) const COLLECTIONS_SQL: &str = "SELECT id, name, records FROM feeds ORDER BY name";

/// [`Backend::ingests_after`] for either store (`mark`: `?` or `$`).
pub(crate) fn ingests_sql(mark: char) -> String {
    format!(
        "SELECT ingested_at, id, generation FROM feeds WHERE ({mark}1::bigint IS NULL OR id = {mark}1) \
         AND ingested_at > {mark}2 AND (ingested_at, id) >= ({mark}3, {mark}4) ORDER BY ingested_at, id"
    )
    .replace("?1::bigint", "?1")
}

/// [`Backend::generation_rows`] for either store (`mark`: `?` or `$`): a feed's rows carry its generation (an
/// ingest replaces them or merges into it), so the `(feed_id, generation)` index walks them in row-id order.
pub(crate) fn generation_sql(cve: Option<bool>, mark: char) -> String {
    let cve_code = kind_code(IocKind::Cve);
    let kind_cond = match cve {
        Some(false) => format!("AND i.kind != {cve_code}"),
        Some(true) => format!("AND i.kind = {cve_code}"),
        None => String::new(),
    };
    format!(
        "SELECT {ROW_COLUMNS} FROM iocs i JOIN feeds f ON f.id = i.feed_id \
         WHERE i.feed_id = {mark}1 AND i.generation = {mark}2 AND i.id > {mark}3 {kind_cond} ORDER BY i.id \
         LIMIT {mark}4"
    )
}

/// Every feed's sighting of `(kind, value)`, most recent first, and the [`feed_version`] they come from.
/// With a `port` (an `ip:port` lookup): the rows of the address itself and of that port, not of its other ports;
/// without: every row of the address, whatever their port.
///
/// One statement, so one read transaction (one snapshot) answers both: the version row (tag 0) and the sightings
/// (tag 1). No ORDER BY: it would tempt the planner into walking the `(kind, last_seen, …)` index over every row
/// of the type instead of the point lookup on `(value, kind, feed_id)`; a handful of rows sort here.
fn lookup_lite(
    conn: &Connection,
    kind: IocKind,
    value: &str,
    port: Option<u16>,
) -> Result<(Vec<Row>, String)> {
    // The first arm pads the aggregate to the second arm's 20 columns.
    let mut st = conn.prepare_cached(concat!(
        "SELECT 0, count(*), max(ingested_at), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
         NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM feeds \
         UNION ALL \
         SELECT 1, ",
        row_columns!(),
        " FROM iocs i JOIN feeds f ON f.id = i.feed_id WHERE i.value = ?1 AND i.kind = ?2 \
         AND (?3 = 0 OR i.port IN (0, ?3))"
    ))?;
    let mut rows = Vec::new();
    let mut version = None;
    let mut q = st.query(params![value, kind_code(kind), port.unwrap_or(0)])?;
    while let Some(r) = q.next()? {
        if r.get::<_, i64>(0)? == 0 {
            version = Some(version_text(r.get(1)?, r.get(2)?));
        } else {
            rows.push(row_at(r, 1)?);
        }
    }
    rows.sort_by_key(|r| std::cmp::Reverse((r.last_seen, r.id)));
    Ok((rows, version.unwrap_or_else(|| version_text(0, None))))
}

/// The store behind the server's requests: the `SQLite` file ([`Connection`]) or a `PostgreSQL` database
/// ([`crate::store_pg::Pg`]). Handlers call the free functions of this module ([`lookup`], [`page`] …) on a pooled
/// `&dyn Backend`, so they read the same either way; what differs (SQL dialect, connection loss, where the rate
/// limit is counted) stays behind these methods.
pub trait Backend: Send {
    /// [`lookup`].
    fn lookup(&self, kind: IocKind, value: &str, port: Option<u16>) -> Result<(Vec<Row>, String)>;
    /// [`feed_version`].
    fn feed_version(&self) -> Result<String>;
    /// [`page`].
    fn page(
        &self,
        f: &Filters,
        cursor: Option<(i64, i64)>,
        offset: i64,
        limit: i64,
        with_total: bool,
    ) -> Result<Page>;
    /// [`feeds`].
    fn feeds(&self) -> Result<Vec<FeedInfo>>;
    /// [`health`].
    fn health(&self) -> Result<Health>;
    /// [`provider_cache_get`].
    fn provider_cache_get(
        &self,
        provider: &str,
        kind: IocKind,
        value: &str,
        max_age: i64,
        now: i64,
    ) -> Result<Option<(u16, String, i64)>>;
    /// [`provider_cache_put`].
    fn provider_cache_put(
        &self,
        provider: &str,
        kind: IocKind,
        value: &str,
        reply: (u16, &str),
        now: i64,
    ) -> Result<()>;
    /// [`crate::keys::authenticate_hash`].
    fn authenticate_hash(&self, digest: &[u8; 32]) -> Result<crate::keys::Auth>;
    /// TAXII collections: every feed's `(id, name, records)`, by name.
    fn collections(&self) -> Result<Vec<(i64, String, i64)>>;
    /// TAXII: the feeds (one, or all) ingested after `floor` from `(ingested_at, id)` on, as
    /// `(ingested_at, id, generation)` in that order.
    fn ingests_after(
        &self,
        feed: Option<i64>,
        floor: i64,
        from: (i64, i64),
    ) -> Result<Vec<(i64, i64, i64)>>;
    /// TAXII: up to `limit` rows of one feed's generation after row id `after`, in row-id order; `cve`:
    /// `Some(true)` vulnerabilities only, `Some(false)` none, `None` both.
    fn generation_rows(
        &self,
        feed_id: i64,
        generation: i64,
        after: i64,
        cve: Option<bool>,
        limit: usize,
    ) -> Result<Vec<Row>>;
    /// Counts a request of key `key_id` against `limit` per minute in the store itself, so every replica over
    /// the store shares the count; `None`: the store is one process's own (`SQLite`), which counts in memory.
    fn rate_take(
        &self,
        _key_id: i64,
        _limit: u64,
        _now_ms: u64,
    ) -> Result<Option<crate::keys::Decision>> {
        Ok(None)
    }
    /// Statements run while a request holds the connection stop at `deadline` (`None`: no limit).
    fn set_deadline(&self, _deadline: Option<std::time::Instant>) {}
    /// The `SQLite` connection, for the few reads not yet behind this trait (TAXII).
    fn sqlite(&self) -> Option<&Connection> {
        None
    }
}

impl Backend for Connection {
    fn lookup(&self, kind: IocKind, value: &str, port: Option<u16>) -> Result<(Vec<Row>, String)> {
        lookup_lite(self, kind, value, port)
    }
    fn feed_version(&self) -> Result<String> {
        feed_version_lite(self)
    }
    fn page(
        &self,
        f: &Filters,
        cursor: Option<(i64, i64)>,
        offset: i64,
        limit: i64,
        with_total: bool,
    ) -> Result<Page> {
        page_lite(self, f, cursor, offset, limit, with_total)
    }
    fn feeds(&self) -> Result<Vec<FeedInfo>> {
        feeds_lite(self)
    }
    fn health(&self) -> Result<Health> {
        health_lite(self)
    }
    fn provider_cache_get(
        &self,
        provider: &str,
        kind: IocKind,
        value: &str,
        max_age: i64,
        now: i64,
    ) -> Result<Option<(u16, String, i64)>> {
        provider_cache_get_lite(self, provider, kind, value, max_age, now)
    }
    fn provider_cache_put(
        &self,
        provider: &str,
        kind: IocKind,
        value: &str,
        reply: (u16, &str),
        now: i64,
    ) -> Result<()> {
        provider_cache_put_lite(self, provider, kind, value, reply, now)
    }
    fn authenticate_hash(&self, digest: &[u8; 32]) -> Result<crate::keys::Auth> {
        crate::keys::authenticate_lite(self, digest)
    }
    fn collections(&self) -> Result<Vec<(i64, String, i64)>> {
        let mut st = self.prepare_cached(COLLECTIONS_SQL)?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
    fn ingests_after(
        &self,
        feed: Option<i64>,
        floor: i64,
        from: (i64, i64),
    ) -> Result<Vec<(i64, i64, i64)>> {
        let mut st = self.prepare_cached(&ingests_sql('?'))?;
        let rows = st.query_map(params![feed, floor, from.0, from.1], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
    fn generation_rows(
        &self,
        feed_id: i64,
        generation: i64,
        after: i64,
        cve: Option<bool>,
        limit: usize,
    ) -> Result<Vec<Row>> {
        let mut st = self.prepare_cached(&generation_sql(cve, '?'))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = st.query_map(params![feed_id, generation, after, limit], row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
    fn set_deadline(&self, deadline: Option<std::time::Instant>) {
        match deadline {
            Some(at) => self.progress_handler(4096, Some(move || std::time::Instant::now() > at)),
            None => self.progress_handler(0, None::<fn() -> bool>),
        }
    }
    fn sqlite(&self) -> Option<&Connection> {
        Some(self)
    }
}

/// Every feed's sighting of `(kind, value)`, most recent first, and the [`feed_version`] they come from.
/// With a `port` (an `ip:port` lookup): the rows of the address itself and of that port, not of its other ports;
/// without: every row of the address, whatever their port. Both come from one snapshot.
pub fn lookup(
    db: &dyn Backend,
    kind: IocKind,
    value: &str,
    port: Option<u16>,
) -> Result<(Vec<Row>, String)> {
    db.lookup(kind, value, port)
}

/// One page: keyset pagination on `(last_seen, id)` descending, or `offset` when no cursor is given.
/// `with_total` also counts the matches (capped at [`TOTAL_CAP`], within a work budget).
pub fn page(
    db: &dyn Backend,
    f: &Filters,
    cursor: Option<(i64, i64)>,
    offset: i64,
    limit: i64,
    with_total: bool,
) -> Result<Page> {
    db.page(f, cursor, offset, limit, with_total)
}

/// Every feed, by name.
pub fn feeds(db: &dyn Backend) -> Result<Vec<FeedInfo>> {
    db.feeds()
}

/// Reads the store the way requests do, so a damaged or unreachable store shows in `/health`.
pub fn health(db: &dyn Backend) -> Result<Health> {
    db.health()
}

/// `feed_version`: the time of the latest ingest and the number of feeds, `"empty"` before any.
pub fn feed_version(db: &dyn Backend) -> Result<String> {
    db.feed_version()
}

/// An enrichment provider's cached reply `(status, body, stored_at)` for `(kind, value)`, when stored less than
/// `max_age` seconds before `now` (`?providers=`, docs/providers.md).
pub fn provider_cache_get(
    db: &dyn Backend,
    provider: &str,
    kind: IocKind,
    value: &str,
    max_age: i64,
    now: i64,
) -> Result<Option<(u16, String, i64)>> {
    db.provider_cache_get(provider, kind, value, max_age, now)
}

/// Stores (or replaces) an enrichment provider's reply for `(kind, value)`.
pub fn provider_cache_put(
    db: &dyn Backend,
    provider: &str,
    kind: IocKind,
    value: &str,
    reply: (u16, &str),
    now: i64,
) -> Result<()> {
    db.provider_cache_put(provider, kind, value, reply, now)
}

/// The store cannot be reached (a `PostgreSQL` server down or restarting): requests answer `503` with
/// `Retry-After`, and the connection is opened again on a later request.
#[derive(Debug)]
pub struct Unavailable;

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the store cannot be reached")
    }
}

impl std::error::Error for Unavailable {}

/// A statement stopped at its request's deadline ([`Backend::set_deadline`], `PostgreSQL`'s `statement_timeout`).
#[derive(Debug)]
pub struct TimedOut;

impl std::fmt::Display for TimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the statement ran past the request's time limit")
    }
}

impl std::error::Error for TimedOut {}

/// True when `err` is a statement stopped at its deadline, on either store.
pub fn timed_out(err: &anyhow::Error) -> bool {
    err.downcast_ref::<TimedOut>().is_some()
        || err.chain().any(|e| {
            e.downcast_ref::<rusqlite::Error>()
                .and_then(rusqlite::Error::sqlite_error_code)
                .is_some_and(|c| c == rusqlite::ErrorCode::OperationInterrupted)
        })
}

/// True when `err` says the store cannot be reached (see [`Unavailable`]).
pub fn unavailable(err: &anyhow::Error) -> bool {
    // `downcast_ref` finds a context value too (the PostgreSQL backend adds `Unavailable` as context).
    err.downcast_ref::<Unavailable>().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_of_schema_0_is_migrated_in_place_and_stays_readable() {
        let dir = std::env::temp_dir().join(format!("ioclens-migrate-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("old.db");
        {
            // A store as the previous build wrote it: no status/valid_until columns, user_version 0.
            let old = Connection::open(&path).unwrap();
            old.execute_batch(SCHEMA).unwrap();
            old.execute_batch(
                "INSERT INTO feeds VALUES (1, 'cert', 0, 3, 0, '', NULL, 'stix', 'fp', 1700000000, 1, 1);
                 INSERT INTO iocs(feed_id, kind, value, category, confidence, sectors, first_seen, last_seen,
                   occurrences, generation) VALUES (1, 4, 'zq-old.net', 0, 3, 0, 1690000000, 1700000000, 1, 1);",
            )
            .unwrap();
        }
        let kind = kind_from_code(4);
        let conn = open(&path).unwrap();
        let v: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        let (rows, _) = lookup(&conn, kind, "zq-old.net", None).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].status, rows[0].valid_until), (0, None));
        assert_eq!(rows[0].first_seen, 1_690_000_000);
        // Opening again is a no-op.
        drop(conn);
        let again = open(&path).unwrap();
        assert_eq!(lookup(&again, kind, "zq-old.net", None).unwrap().0.len(), 1);
        drop(again);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
