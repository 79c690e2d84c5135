//! The CLI's `--remote` points at `ioclens serve`: the real server binary on 127.0.0.1 with a feed loaded,
//! the real `ioclens lookup --remote` against it, the store's evidence merged into the local score.
#![expect(clippy::disallowed_methods, reason = "the test writes files and waits for the server")]
use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_ioclens");

struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn cli_remote_scorer_uses_the_server() {
    let dir = std::env::temp_dir().join(format!("ioclens-remote-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("store.db");
    let feed = dir.join("gov.txt");
    std::fs::write(&feed, "zq-feedonly-3k9[.]net\n").unwrap();
    let ok = Command::new(BIN)
        .args(["feed", "add"])
        .arg(&feed)
        .args(["--source", "gov-feed", "--category", "government", "--confidence", "high", "--db"])
        .arg(&db)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(ok.success());
    let key = Command::new(BIN)
        .args(["keys", "create", "--name", "cli", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    let key = String::from_utf8(key.stdout).unwrap().trim().to_owned();
    assert!(key.starts_with("ioc_"));
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let server = Killed(
        Command::new(BIN)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--db"])
            .arg(&db)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let out = Command::new(BIN)
        .args(["lookup", "zq-feedonly-3k9.net", "--format", "json", "--no-queries", "--remote"])
        .arg(format!("http://127.0.0.1:{port}"))
        .env("IOCLENS_API_KEY", &key)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = if v.is_array() { &v[0] } else { &v };
    assert_eq!(r["score"]["remote_status"], "ok", "{r}");
    // The server scores its feed record with the core's rules: the same core answer plus a high-confidence
    // `feed` factor (+50, docs/scoring.md "Evidence records"); the merge keeps the higher score.
    let local = r["score"]["local_score"].as_i64().unwrap();
    assert_eq!(r["score"]["remote_score"].as_i64(), Some(local + 50), "{r}");
    assert_eq!(r["risk"]["score"], r["score"]["remote_score"]);
    assert_eq!(r["found"], true);
    // A wrong key is a fail-open remote error, never a crash.
    let bad = Command::new(BIN)
        .args(["lookup", "zq-feedonly-3k9.net", "--format", "json", "--no-queries", "--remote"])
        .arg(format!("http://127.0.0.1:{port}"))
        .env("IOCLENS_API_KEY", "ioc_wrong")
        .output()
        .unwrap();
    assert!(bad.status.success());
    let v: Value = serde_json::from_slice(&bad.stdout).unwrap();
    let r = if v.is_array() { &v[0] } else { &v };
    assert_eq!(r["score"]["remote_status"], "error");
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Server hygiene (#22 item 5): `serve --listen 127.0.0.1:0` announces the port it bound, only once bound; a
/// second `--demo` start prints the same key instead of adding one; `keys list`/`feed list` on a mistyped
/// `--db` fail without creating a store.
#[test]
fn serve_announces_the_bound_port_and_reuses_the_demo_key() {
    use std::io::BufRead as _;
    let dir = std::env::temp_dir().join(format!("ioclens-serve-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("store.db");
    let start = || {
        let mut child = Command::new(BIN)
            .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--db"])
            .arg(&db)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
        let (mut key, mut port) = (String::new(), 0u16);
        for line in lines.by_ref() {
            let line = line.unwrap();
            if let Some(k) = line.split("per minute): ").nth(1) {
                k.clone_into(&mut key);
            }
            if let Some(addr) = line.split(" on http://").nth(1) {
                port = addr.rsplit(':').next().unwrap().parse().unwrap();
                break;
            }
        }
        (Killed(child), key, port)
    };
    let (server, key, port) = start();
    assert!(key.starts_with("ioc_") && port != 0, "{key:?} {port}");
    // The announced port is the one served.
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
    drop(server);
    let (server, again, _) = start();
    drop(server);
    assert_eq!(again, key);
    let keys = Command::new(BIN).args(["keys", "list", "--db"]).arg(&db).output().unwrap();
    let keys: Value = serde_json::from_slice(&keys.stdout).unwrap();
    assert_eq!(keys.as_array().unwrap().len(), 1, "{keys}");
    let typo = dir.join("typo.db");
    for cmd in [&["keys", "list"][..], &["feed", "list"][..]] {
        let out = Command::new(BIN).args(cmd).arg("--db").arg(&typo).output().unwrap();
        assert!(!out.status.success(), "{cmd:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("no store at"), "{cmd:?}");
        assert!(!typo.exists(), "{cmd:?} created {}", typo.display());
    }
    let _ = std::fs::remove_dir_all(&dir);
}
