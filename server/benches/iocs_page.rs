//! Feed-API page latency over a big store: `cargo bench -p ioclens-server --bench iocs_page`.
//!
//! Builds (once, reused afterwards) a store of `IOCLENS_BENCH_ROWS` indicators (default 10,000,000) at
//! `IOCLENS_BENCH_DB` (default `target/bench-iocs-10m.db`) with a bulk `INSERT … SELECT` from a recursive CTE
//! (indexes dropped during the load and rebuilt after), then serves it with the real router on 127.0.0.1 and
//! measures filtered `GET /api/v1/iocs` pages over HTTP (keep-alive client): median and p99 per query shape,
//! first pages and cursor pages. Prints one line per shape.
#![expect(clippy::disallowed_methods, reason = "a benchmark reads the clock and the environment")]
use ioclens_server::{keys, store};
use std::time::{Duration, Instant};

const FEEDS: i64 = 24;

fn build(path: &std::path::Path, rows: i64) {
    let _ = std::fs::remove_file(path);
    let _ = std::fs::remove_file(path.with_extension("db-wal"));
    let conn = store::open(path).unwrap();
    conn.pragma_update(None, "synchronous", "OFF").unwrap();
    conn.pragma_update(None, "cache_size", -512_000).unwrap();
    for idx in ["iocs_value", "iocs_recent", "iocs_kind", "iocs_feed"] {
        conn.execute_batch(&format!("DROP INDEX IF EXISTS {idx}")).unwrap();
    }
    let tx = conn.unchecked_transaction().unwrap();
    for f in 1..=FEEDS {
        // Categories rotate government/commercial/community; each feed covers two of the 16 sectors.
        tx.execute(
            "INSERT INTO feeds(id, name, category, confidence, sectors, tags, format, fingerprint, ingested_at, \
             records, generation) VALUES (?1, 'bench-' || ?1, ?1 % 3, 2, (1 << (?1 % 16)) | (1 << ((?1 * 7) % 16)), \
             '', 'txt', 'bench', 1800000000, ?2 / ?3, 1)",
            rusqlite::params![f, rows, FEEDS],
        )
        .unwrap();
    }
    // Kinds (codes of IocKind::ALL): 40 % ipv4 (0), 30 % domain (3), 15 % url (4), 10 % sha256 (8), 5 % md5 (6).
    // last_seen spreads over one year before 2027-01-15 in insertion order with jitter.
    tx.execute(
        &format!(
            "WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < {rows} - 1) \
             INSERT INTO iocs(id, feed_id, kind, value, category, confidence, sectors, first_seen, last_seen, \
               occurrences, context, tags, generation) \
             SELECT i + 1, f, k, \
               CASE k WHEN 0 THEN printf('%d.%d.%d.%d', 1 + (i >> 24) % 223, (i >> 16) % 256, (i >> 8) % 256, i % 256) \
                      WHEN 3 THEN printf('h%d.bench%d.example', i, i % 97) \
                      WHEN 4 THEN printf('http://h%d.bench.example/p/%d', i, i % 1000) \
                      WHEN 8 THEN printf('%064x', i) ELSE printf('%032x', i) END, \
               f % 3, 1 + abs(random()) % 3, (1 << (f % 16)) | (1 << ((f * 7) % 16)), \
               ls - 86400 * 30, ls, 1, NULL, 'bench', 1 \
             FROM (SELECT i, 1 + i % {FEEDS} AS f, \
                     CASE WHEN i % 20 < 8 THEN 0 WHEN i % 20 < 14 THEN 3 WHEN i % 20 < 17 THEN 4 \
                          WHEN i % 20 < 19 THEN 8 ELSE 6 END AS k, \
                     1768464000 + (i * 31536000) / {rows} + abs(random()) % 3600 AS ls FROM seq)"
        ),
        [],
    )
    .unwrap();
    tx.commit().unwrap();
    drop(conn);
    // Recreate the indexes the schema declares.
    let conn = store::open(path).unwrap();
    conn.execute_batch("ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    #[expect(clippy::cast_precision_loss, clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() {
    let rows: i64 =
        std::env::var("IOCLENS_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000_000);
    let path = std::env::var("IOCLENS_BENCH_DB").map_or_else(
        |_| {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join(format!("../target/bench-iocs-{rows}.db"))
        },
        std::path::PathBuf::from,
    );
    let have: i64 = if path.exists() {
        store::open(&path)
            .unwrap()
            .query_row("SELECT count(*) FROM iocs", [], |r| r.get(0))
            .unwrap_or(0)
    } else {
        0
    };
    if have == rows {
        println!("store: reusing {} ({rows} rows)", path.display());
    } else {
        let t = Instant::now();
        build(&path, rows);
        println!(
            "store: built {} with {rows} rows in {:.1} s",
            path.display(),
            t.elapsed().as_secs_f64()
        );
    }
    let size = std::fs::metadata(&path).map_or(0, |m| m.len());
    println!("store: {} MB on disk", size / 1_000_000);
    let key = keys::create(&store::open(&path).unwrap(), "bench", 0, 1_800_000_000).unwrap().0;

    let app = ioclens_server::api::router(path.clone(), None).unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(
            async move {
                let l = tokio::net::TcpListener::from_std(listener).unwrap();
                ioclens_server::api::serve_on(l, app, std::future::pending()).await.unwrap();
            },
        );
    });
    let agent: ureq::Agent =
        ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let auth = format!("Bearer {key}");
    let get = |q: &str| -> (Duration, serde_json::Value) {
        let t = Instant::now();
        let mut res = agent
            .get(&format!("http://{addr}/api/v1/iocs?{q}"))
            .header("Authorization", &auth)
            .call()
            .unwrap();
        let body = res.body_mut().with_config().limit(64 << 20).read_to_string().unwrap();
        let took = t.elapsed();
        assert_eq!(res.status(), 200, "{q}: {body}");
        (took, serde_json::from_str(&body).unwrap_or(serde_json::Value::Null))
    };
    let shapes = [
        "limit=100",
        "type=ipv4&limit=100",
        "type=md5&limit=100",
        "confidence=high&limit=100",
        "category=government&limit=100",
        "industry=energy&limit=100",
        "type=domain&confidence=high&category=commercial&limit=100",
        "type=sha256&industry=healthcare-public-health&limit=100",
        "since=2026-12-01T00:00:00Z&limit=100",
        "since=2026-06-01T00:00:00Z&until=2026-06-02T00:00:00Z&type=url&limit=100",
        "type=url&limit=1000",
        "format=csv&type=ipv4&limit=1000",
        "format=stix&category=community&limit=100",
    ];
    let iters = 60;
    println!(
        "{:<78} {:>9} {:>9} {:>9}",
        "query (GET /api/v1/iocs?…)", "p50 ms", "p99 ms", "cursor p50"
    );
    for q in shapes {
        let _ = get(q); // warm
        let mut first = Vec::with_capacity(iters);
        let mut cursor_pages = Vec::with_capacity(iters);
        let mut next: Option<String> = None;
        for _ in 0..iters {
            let (d, v) = get(q);
            first.push(d);
            // Walk forward through cursor pages (the page after the previous cursor page).
            let c = next.take().or_else(|| v["meta"]["next_cursor"].as_str().map(str::to_owned));
            if let Some(c) = c {
                let (d2, v2) = get(&format!("{q}&cursor={c}"));
                cursor_pages.push(d2);
                next = v2["meta"]["next_cursor"].as_str().map(str::to_owned);
            }
        }
        first.sort();
        cursor_pages.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "{:<78} {:>9.2} {:>9.2} {:>9.2}",
            q,
            ms(percentile(&first, 0.5)),
            ms(percentile(&first, 0.99)),
            if cursor_pages.is_empty() { f64::NAN } else { ms(percentile(&cursor_pages, 0.5)) }
        );
    }
}
