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

/// What the replay server saw: (path, the header lines).
type Seen = std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>;

/// A local HTTP server that answers `/<provider>/<case>/…` with that case's recorded reply from
/// `tests/providers/<provider>.json` (status, body, `Retry-After`, delay), and records what it was sent.
fn replay_server(corpus: std::collections::BTreeMap<String, Value>) -> (u16, Seen) {
    use std::io::{BufRead as _, Read as _, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen: Seen = std::sync::Arc::default();
    let log = seen.clone();
    let corpus = std::sync::Arc::new(corpus);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { continue };
            let (log, corpus) = (log.clone(), corpus.clone());
            std::thread::spawn(move || {
                let mut reader = std::io::BufReader::new(conn.try_clone().unwrap());
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let path = line.split(' ').nth(1).unwrap_or("/").to_owned();
                let (mut headers, mut len) = (String::new(), 0usize);
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                        break;
                    }
                    if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap_or(0);
                    }
                    headers.push_str(&h);
                }
                let mut body = vec![0; len];
                reader.read_exact(&mut body).unwrap();
                headers.push_str(&String::from_utf8_lossy(&body));
                log.lock().unwrap().push((path.clone(), headers));
                let mut parts = path.trim_start_matches('/').split('/');
                let (p, name) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                let case = corpus.get(p).and_then(|d| {
                    d["cases"].as_array().unwrap().iter().find(|c| c["name"] == name).cloned()
                });
                let Some(case) = case else { return };
                let reply = &case["reply"];
                std::thread::sleep(Duration::from_millis(reply["delay_ms"].as_u64().unwrap_or(0)));
                let body = match &reply["body"] {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let retry = reply["retry_after"]
                    .as_str()
                    .map(|r| format!("Retry-After: {r}\r\n"))
                    .unwrap_or_default();
                let mut conn = conn;
                let _ = write!(
                    conn,
                    "HTTP/1.1 {} X\r\nContent-Type: application/json\r\n{retry}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    reply["status"],
                    body.len()
                );
            });
        }
    });
    (port, seen)
}

/// `ioclens lookup --providers …` against every recorded reply in `tests/providers/` served on 127.0.0.1: the
/// provider statuses and scores the corpus expects, keys sent only in their header slot and never printed, and a
/// repeated lookup answered from the on-disk cache.
#[test]
fn providers_replay_the_recorded_replies() {
    const SECRET: &str = "tk-canary-do-not-print-7731";
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/providers");
    let mut corpus = std::collections::BTreeMap::new();
    for e in std::fs::read_dir(&root).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|x| x == "json") {
            let doc: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            corpus.insert(doc["provider"].as_str().unwrap().to_owned(), doc);
        }
    }
    assert_eq!(corpus.len(), 9);
    let (port, seen) = replay_server(corpus.clone());
    let dir = std::env::temp_dir().join(format!("ioclens-providers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    // Group the cases by (name, value) so one run asks every provider that has that case for that value.
    let mut groups: std::collections::BTreeMap<(String, String, String), Vec<(String, Value)>> =
        std::collections::BTreeMap::new();
    for (p, doc) in &corpus {
        for case in doc["cases"].as_array().unwrap() {
            let key = (
                case["name"].as_str().unwrap().to_owned(),
                case["value"].as_str().unwrap().to_owned(),
                case["type"].as_str().unwrap().to_owned(),
            );
            groups.entry(key).or_default().push((p.clone(), case["expect"].clone()));
        }
    }
    let run = |name: &str, value: &str, kind: &str, providers: &[&str]| {
        let mut cmd = Command::new(BIN);
        cmd.args([
            "lookup",
            value,
            "--type",
            kind,
            "--format",
            "json",
            "--no-queries",
            "--no-pack",
        ])
        .args(["--timeout", "1", "--now", "1796601600", "--providers", &providers.join(",")])
        // One cache per case name: the cases share values, and a cached answer is the point of the cache.
        .env("IOCLENS_CACHE_DIR", dir.join("cache").join(name))
        .env("IOCLENS_PROVIDERS_CONFIG", dir.join("absent.toml"))
        .env("MSTICPYCONFIG", dir.join("absent.yaml"));
        for p in providers {
            let up = p.to_ascii_uppercase();
            cmd.env(format!("IOCLENS_{up}_KEY"), format!("{SECRET}-{p}"))
                .env(format!("IOCLENS_{up}_URL"), format!("http://127.0.0.1:{port}/{p}/{name}"));
        }
        let out = cmd.output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{name} {value}: {text}");
        assert!(!text.contains(SECRET), "{name} {value}: the key was printed: {text}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        if v.is_array() { v[0].clone() } else { v }
    };
    let mut checked = 0;
    for ((name, value, kind), cases) in &groups {
        let ids: Vec<&str> = cases.iter().map(|(p, _)| p.as_str()).collect();
        let r = run(name, value, kind, &ids);
        for (p, exp) in cases {
            let got =
                r["score"]["providers"].as_array().unwrap().iter().find(|s| s["provider"] == *p);
            assert_eq!(
                got.map(|s| &s["status"]),
                Some(&exp["status"]),
                "{p}/{name}: {}",
                r["score"]
            );
            if let Some(min) = exp["min_score"].as_u64() {
                assert!(r["risk"]["score"].as_u64().unwrap() >= min, "{p}/{name}: {}", r["score"]);
            }
            if let Some(v) = exp["verdict"].as_str() {
                assert_eq!(r["score"]["verdict"], v, "{p}/{name}: {}", r["score"]);
            }
            checked += 1;
        }
    }
    assert!(checked >= 70, "{checked}");
    // Keys travel only in their provider's header slot, never in a path or query.
    let log = seen.lock().unwrap().clone();
    for (path, headers) in &log {
        assert!(!path.contains(SECRET), "{path}");
        let p = path.trim_start_matches('/').split('/').next().unwrap();
        let slot = match p {
            "virustotal" => Some("x-apikey"),
            "abuseipdb" | "greynoise" => Some("key"),
            "otx" => Some("x-otx-api-key"),
            "threatfox" | "urlhaus" | "malwarebazaar" => Some("auth-key"),
            "ioclens" => Some("x-api-key"),
            _ => None,
        };
        let lower = headers.to_ascii_lowercase();
        match slot {
            Some(h) => assert!(
                lower.contains(&format!("\n{h}: {SECRET}-{p}"))
                    || lower.starts_with(&format!("{h}: {SECRET}-{p}")),
                "{p}: {headers}"
            ),
            None => assert!(!headers.contains(SECRET), "{p}: {headers}"),
        }
    }
    // Retries only where allowed: a 401 is asked once, a 500 up to three times.
    let count = |p: &str| log.iter().filter(|(path, _)| path.starts_with(&format!("/{p}"))).count();
    assert_eq!(count("virustotal/unauthorized"), 1);
    assert_eq!(count("virustotal/server-error"), 3);
    assert_eq!(count("virustotal/rate-limited"), 1, "Retry-After 30 s is longer than the timeout");
    // A repeated value is answered from the cache: no new request.
    let before = seen.lock().unwrap().len();
    let again = run(
        "malicious",
        "094fd325049b8a9cf6d3e5ef2a6d4cc6a567d7d49c35f8bb8dd9e3c6acf3d78d",
        "sha256",
        &["malwarebazaar"],
    );
    assert_eq!(again["score"]["providers"][0]["status"], "found");
    assert_eq!(seen.lock().unwrap().len(), before, "the cached answer spent quota");
    std::fs::remove_dir_all(&dir).unwrap();
}
