//! Scheduled work of `ioclens serve --sync`: when a source or a feed is due, the one gate that says whether this
//! process may run scheduled work now ([`Leader`]), the loop that ticks, and the feeds' refresh intervals kept in
//! the store (`ioclens feed add URL --every 6h`). What a job does (HTTP, the pack, ingest) is the CLI's
//! (`cli/src/cmd/sync.rs`); docs/intel.md, "Keeping a server current".
//!
//! Time is an input: [`Scheduler::tick`] takes `now`, so tests drive it with any clock; [`Scheduler::spawn`] ticks
//! it from the wall clock on its own thread.
use crate::ingest::FeedSpec;
use crate::store::{Category, Level};
use anyhow::{Context as _, Result};
use rusqlite::{Connection, params};
use std::sync::Arc;
use std::time::Duration;

/// May this process run scheduled work now? Asked before every tick's work. One server alone always may
/// ([`Solo`]); servers sharing a store elect one (a store-level lock) so a source is not fetched by each.
pub trait Leader: Send + Sync {
    /// `true` when this process may run scheduled work now.
    fn may_run(&self) -> bool;
}

/// The only server of its store: always the leader.
#[derive(Debug, Clone, Copy, Default)]
pub struct Solo;

impl Leader for Solo {
    fn may_run(&self) -> bool {
        true
    }
}

/// A source's own offset inside its interval (0 to a tenth of `every`, at most an hour), the same on every run,
/// so that sources with the same interval do not all fire on the same tick.
pub fn jitter(name: &str, every: i64) -> i64 {
    // FNV-1a: a spread, not a secret.
    let h = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    let span = (every / 10).clamp(0, 3600);
    i64::try_from(h % u64::try_from(span + 1).unwrap_or(1)).unwrap_or(0)
}

/// Whether something refreshed every `every` seconds (offset by `jitter`) and last tried at `last` is due at
/// `now`. Never tried: due.
pub fn is_due(last: Option<i64>, every: i64, jitter: i64, now: i64) -> bool {
    last.is_none_or(|t| now.saturating_sub(t) >= every.saturating_add(jitter))
}

/// One kind of scheduled work, run on every tick this process leads (the job itself picks what is due).
type Work = Box<dyn FnMut(i64) -> Result<String> + Send>;

/// The jobs, ticked in order.
pub struct Scheduler {
    leader: Arc<dyn Leader>,
    jobs: Vec<(String, Work)>,
}

/// What a tick did: each job's name and its one-line outcome (`Err` with the reason).
pub type Ran = Vec<(String, Result<String, String>)>;

impl Scheduler {
    /// No jobs yet; `leader` gates every tick.
    pub fn new(leader: Arc<dyn Leader>) -> Scheduler {
        Scheduler { leader, jobs: Vec::new() }
    }

    /// Adds a job (`run(now)` returns a line for the log).
    pub fn add(&mut self, name: &str, run: impl FnMut(i64) -> Result<String> + Send + 'static) {
        self.jobs.push((name.to_owned(), Box::new(run)));
    }

    /// Runs every job once at `now` when this process may (else nothing). A job's error is reported, never
    /// stops the others.
    pub fn tick(&mut self, now: i64) -> Ran {
        if !self.leader.may_run() {
            return Vec::new();
        }
        self.jobs
            .iter_mut()
            .map(|(name, run)| (name.clone(), run(now).map_err(|e| format!("{e:#}"))))
            .collect()
    }

    /// Ticks every `period` on a thread of its own (the jobs block on I/O), from the wall clock; each line
    /// goes to stderr.
    pub fn spawn(mut self, period: Duration) -> std::thread::JoinHandle<()> {
        std::thread::spawn(move || {
            loop {
                for (name, outcome) in self.tick(crate::time::now()) {
                    match outcome {
                        Ok(line) if line.is_empty() => {}
                        Ok(line) => eprintln!("ioclens: sync {name}: {line}"),
                        Err(e) => eprintln!("ioclens: sync {name}: failed: {e}"),
                    }
                }
                std::thread::sleep(period);
            }
        })
    }
}

/// A feed refreshed on its own interval (`ioclens feed add URL --every 6h`).
#[derive(Debug, Clone)]
pub struct Scheduled {
    /// The feed's attributes as `feed add` was given them (its name included).
    pub spec: FeedSpec,
    /// Where it is fetched from (`http(s)://…` or `taxii2+http(s)://…`).
    pub url: String,
    /// Seconds between refreshes.
    pub every: i64,
    /// TAXII: the Basic user (the secret comes from the environment of `serve`).
    pub taxii_user: Option<String>,
    /// Last refresh tried.
    pub last_attempt: Option<i64>,
    /// Last refresh that worked.
    pub last_success: Option<i64>,
    /// Why the last refresh failed.
    pub error: Option<String>,
}

/// Keeps feed `spec.name` (ingested already) refreshed from `url` every `every` seconds; `now` counts as its
/// last refresh.
///
/// # Errors
/// No such feed, or the store cannot be written.
pub fn schedule(
    conn: &Connection,
    spec: &FeedSpec,
    url: &str,
    every: i64,
    taxii_user: Option<&str>,
    now: i64,
) -> Result<()> {
    let n = conn
        .execute(
            "INSERT INTO feed_schedules(feed_id, url, every, spec, taxii_user, last_attempt, last_success, error) \
             SELECT id, ?2, ?3, ?4, ?5, ?6, ?6, NULL FROM feeds WHERE name = ?1 \
             ON CONFLICT(feed_id) DO UPDATE SET url=excluded.url, every=excluded.every, spec=excluded.spec, \
             taxii_user=excluded.taxii_user, last_attempt=excluded.last_attempt, \
             last_success=excluded.last_success, error=NULL",
            params![spec.name, url, every, serde_json::to_string(spec)?, taxii_user, now],
        )
        .context("saving the feed's schedule")?;
    anyhow::ensure!(n == 1, "no feed `{}` to schedule", spec.name);
    Ok(())
}

/// Stops refreshing feed `name` on a schedule (the feed stays); `false` when it had none.
///
/// # Errors
/// The store cannot be written.
pub fn unschedule(conn: &Connection, name: &str) -> Result<bool> {
    Ok(conn.execute(
        "DELETE FROM feed_schedules WHERE feed_id = (SELECT id FROM feeds WHERE name = ?1)",
        [name],
    )? > 0)
}

/// Every scheduled feed, by name.
///
/// # Errors
/// The store cannot be read, or a saved spec no longer reads.
pub fn scheduled(conn: &Connection) -> Result<Vec<Scheduled>> {
    let mut stmt = conn.prepare(
        "SELECT f.name, s.url, s.every, s.spec, s.taxii_user, s.last_attempt, s.last_success, s.error \
         FROM feed_schedules s JOIN feeds f ON f.id = s.feed_id ORDER BY f.name",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, Option<String>>(4)?,
            r.get::<_, Option<i64>>(5)?,
            r.get::<_, Option<i64>>(6)?,
            r.get::<_, Option<String>>(7)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (name, url, every, spec, taxii_user, last_attempt, last_success, error) = row?;
        let spec = spec_from_json(&name, &spec)
            .with_context(|| format!("the saved schedule of feed `{name}` does not read"))?;
        out.push(Scheduled { spec, url, every, taxii_user, last_attempt, last_success, error });
    }
    Ok(out)
}

/// Notes a refresh of feed `name` at `now`: `Ok` or the reason it failed (the feed keeps its records).
///
/// # Errors
/// The store cannot be written.
pub fn record(conn: &Connection, name: &str, now: i64, outcome: Result<(), &str>) -> Result<()> {
    conn.execute(
        "UPDATE feed_schedules SET last_attempt = ?2, \
         last_success = CASE WHEN ?3 IS NULL THEN ?2 ELSE last_success END, error = ?3 \
         WHERE feed_id = (SELECT id FROM feeds WHERE name = ?1)",
        params![name, now, outcome.err()],
    )?;
    Ok(())
}

/// Reads back what `serde_json::to_string(&FeedSpec)` wrote.
fn spec_from_json(name: &str, text: &str) -> Result<FeedSpec> {
    let v: serde_json::Value = serde_json::from_str(text)?;
    let s = |k: &str| v.get(k).and_then(serde_json::Value::as_str);
    Ok(FeedSpec {
        name: name.to_owned(),
        category: s("category").and_then(Category::parse).context("category")?,
        confidence: s("confidence").and_then(Level::parse).context("confidence")?,
        sectors: v.get("sectors").and_then(serde_json::Value::as_i64).unwrap_or(0),
        tags: v
            .get("tags")
            .and_then(serde_json::Value::as_array)
            .map(|a| a.iter().filter_map(|t| t.as_str().map(str::to_owned)).collect())
            .unwrap_or_default(),
        reference_url: s("reference_url").map(str::to_owned),
        first_seen: v.get("first_seen").and_then(serde_json::Value::as_i64),
        last_seen: v.get("last_seen").and_then(serde_json::Value::as_i64),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicBool, Ordering};

    struct Gate(AtomicBool);
    impl Leader for Gate {
        fn may_run(&self) -> bool {
            self.0.load(Ordering::SeqCst)
        }
    }

    #[test]
    fn due_and_jitter() {
        assert!(is_due(None, 3600, 0, 0));
        assert!(!is_due(Some(1000), 3600, 0, 4599));
        assert!(is_due(Some(1000), 3600, 0, 4600));
        let j = jitter("threatfox-recent", 3600);
        assert!((0..=360).contains(&j));
        assert_eq!(j, jitter("threatfox-recent", 3600), "the same offset every run");
        assert!(!is_due(Some(0), 3600, j.max(1), 3600));
        assert_eq!(jitter("x", 5), 0, "no room under 10 s");
        assert!((0..=3600).contains(&jitter("y", 86_400 * 7)), "at most an hour");
        let spread: std::collections::HashSet<i64> =
            (0..50).map(|i| jitter(&format!("source-{i}"), 3600)).collect();
        assert!(spread.len() > 20, "names spread over the window: {spread:?}");
    }

    #[test]
    fn a_tick_runs_every_job_only_while_leading() {
        let gate = Arc::new(Gate(AtomicBool::new(true)));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let mut s = Scheduler::new(gate.clone());
        let log = seen.clone();
        s.add("a", move |now| {
            log.lock().unwrap().push(now);
            Ok(format!("at {now}"))
        });
        s.add("b", |_| anyhow::bail!("upstream down"));
        let ran = s.tick(10);
        assert_eq!(ran[0], ("a".to_owned(), Ok("at 10".to_owned())));
        assert_eq!(ran[1], ("b".to_owned(), Err("upstream down".to_owned())));
        gate.0.store(false, Ordering::SeqCst);
        assert!(s.tick(20).is_empty(), "another process leads: nothing runs");
        gate.0.store(true, Ordering::SeqCst);
        s.tick(30);
        assert_eq!(*seen.lock().unwrap(), [10, 30]);
    }

    #[test]
    fn schedules_live_and_die_with_their_feed() {
        let dir = std::env::temp_dir().join(format!("ioclens-sync-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut conn = crate::store::open(&dir.join("s.db")).unwrap();
        let spec = FeedSpec {
            name: "partner".into(),
            category: Category::Commercial,
            confidence: Level::High,
            sectors: 5,
            tags: vec!["x".into(), "y".into()],
            reference_url: Some("https://r.example/".into()),
            first_seen: None,
            last_seen: Some(1_700_000_000),
        };
        assert!(schedule(&conn, &spec, "http://127.0.0.1:1/f.txt", 21_600, None, 5).is_err());
        conn.execute_batch(
            "INSERT INTO feeds VALUES (1, 'partner', 1, 2, 5, '', NULL, 'txt', 'fp', 1700000000, 0, 1)",
        )
        .unwrap();
        schedule(&conn, &spec, "http://127.0.0.1:1/f.txt", 21_600, None, 5).unwrap();
        record(&conn, "partner", 9, Err("HTTP 500")).unwrap();
        let s = scheduled(&conn).unwrap();
        assert_eq!(s.len(), 1);
        let s = &s[0];
        assert_eq!((s.every, s.last_attempt, s.last_success), (21_600, Some(9), Some(5)));
        assert_eq!(s.error.as_deref(), Some("HTTP 500"));
        assert_eq!(serde_json::to_string(&s.spec).unwrap(), serde_json::to_string(&spec).unwrap());
        record(&conn, "partner", 12, Ok(())).unwrap();
        let s = &scheduled(&conn).unwrap()[0];
        assert_eq!((s.last_success, s.error.as_deref()), (Some(12), None));
        assert!(crate::store::remove_feed(&mut conn, "partner").unwrap());
        assert!(scheduled(&conn).unwrap().is_empty(), "the schedule went with the feed");
        assert!(!unschedule(&conn, "partner").unwrap());
        drop(conn);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
