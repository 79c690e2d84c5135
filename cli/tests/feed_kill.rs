//! `kill -9` in the middle of `ioclens feed add` leaves the old feed or the new one, never half of either:
//! spawns the real binary on a big generated feed, kills it while its one transaction is being written,
//! reopens the store and checks it.
#![expect(clippy::disallowed_methods, reason = "the test writes feed files and watches the clock")]
use ioclens_server::store;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_ioclens");

fn add(db: &Path, file: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.args(["feed", "add"])
        .arg(file)
        .args(["--source", "big", "--category", "community", "--confidence", "medium", "--db"])
        .arg(db);
    c
}

fn feed_values(db: &Path) -> (i64, BTreeSet<String>) {
    let conn = store::open(db).unwrap();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    let declared: i64 =
        conn.query_row("SELECT records FROM feeds WHERE name = 'big'", [], |r| r.get(0)).unwrap();
    let mut st = conn
        .prepare("SELECT value FROM iocs WHERE feed_id = (SELECT id FROM feeds WHERE name = 'big')")
        .unwrap();
    let values =
        st.query_map([], |r| r.get(0)).unwrap().collect::<Result<BTreeSet<String>, _>>().unwrap();
    (declared, values)
}

#[test]
fn kill_9_mid_ingest_leaves_old_or_new_feed() {
    let dir = std::env::temp_dir().join(format!("ioclens-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("store.db");
    let v1 = dir.join("v1.txt");
    std::fs::write(&v1, "old-one.example\nold-two.example\nold-three.example\n").unwrap();
    assert!(add(&db, &v1).stdout(Stdio::null()).status().unwrap().success());
    let old: BTreeSet<String> =
        ["old-one.example", "old-three.example", "old-two.example"].map(String::from).into();
    assert_eq!(feed_values(&db), (3, old.clone()));

    let n = 120_000;
    let v2 = dir.join("v2.txt");
    let text: String = (0..n).fold(String::new(), |mut s, i| {
        let _ = writeln!(s, "host-{i}.new-feed.example");
        s
    });
    std::fs::write(&v2, text).unwrap();

    let mut child = add(&db, &v2).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    // The binary says when parsing is done and the transaction starts; then wait for the WAL to grow.
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert!(line.contains("writing 120000 records in one transaction"), "{line}");
    let wal = dir.join("store.db-wal");
    let start = Instant::now();
    let mut killed_mid_write = false;
    while start.elapsed() < Duration::from_mins(2) {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if std::fs::metadata(&wal).map_or(0, |m| m.len()) > 1 << 20 {
            child.kill().unwrap(); // SIGKILL on Unix
            killed_mid_write = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let status = child.wait().unwrap();
    assert!(
        killed_mid_write,
        "the ingest finished before it could be killed ({status}); make the feed bigger"
    );
    assert!(!status.success());

    let (declared, values) = feed_values(&db);
    assert_eq!(
        usize::try_from(declared).unwrap(),
        values.len(),
        "feeds.records agrees with the rows"
    );
    assert_eq!(values, old, "a killed ingest leaves the old feed untouched");

    // Run to completion: the new feed replaces the old one entirely.
    assert!(add(&db, &v2).stdout(Stdio::null()).stderr(Stdio::null()).status().unwrap().success());
    let (declared, values) = feed_values(&db);
    assert_eq!((declared, values.len()), (n, usize::try_from(n).unwrap()));
    assert!(values.contains("host-0.new-feed.example") && !values.contains("old-one.example"));
    std::fs::remove_dir_all(&dir).unwrap();
}
