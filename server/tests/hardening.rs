//! The server is safe to expose: static files never leave the web root, only the server's own `Host` names are
//! answered, half-open connections cannot starve a normal client, internal errors keep their details in the
//! log, `/health` notices a damaged store, store files are private. A real server on 127.0.0.1, raw sockets.
#![allow(clippy::disallowed_methods)]
mod common;

use common::Server;
use ioclens_server::api::{Hosts, Limits, Settings};
use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ioclens-hard-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The probe's forms and the classic traversal lists (OWASP, PayloadsAllTheThings): absolute paths, `..` raw,
/// encoded, double-encoded, overlong UTF-8, backslashes, NUL, symlinks out of the root.
fn payloads(secret_abs: &str) -> Vec<String> {
    let enc_abs = secret_abs.replace('/', "%2F");
    let mut p: Vec<String> = [
        "/%2Fetc/passwd",
        "/%2fetc/passwd",
        "/%2F%2Fetc/passwd",
        "//etc/passwd",
        "/%2Fetc/shadow",
        "/%2Fproc/self/environ",
        "/%2Fproc/self/cwd/Cargo.toml",
        "/proc/self/environ",
        "/../secret.txt",
        "/../../../../../../etc/passwd",
        "/..%2Fsecret.txt",
        "/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/%2e%2e%2fsecret.txt",
        "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/..%5csecret.txt",
        "/..\\secret.txt",
        "/%2e%2e%5csecret.txt",
        "/%5c..%5csecret.txt",
        "/\\..\\secret.txt",
        "/assets/../../secret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/%252e%252e/secret.txt",
        "/%252e%252e%252fsecret.txt",
        "/..%252fsecret.txt",
        "/..%255csecret.txt",
        "/%%32%65%%32%65/secret.txt",
        "/%c0%ae%c0%ae/secret.txt",
        "/%c0%ae%c0%ae%c0%afsecret.txt",
        "/..%c0%afsecret.txt",
        "/..%c1%9csecret.txt",
        "/%e0%80%ae%e0%80%ae/secret.txt",
        "/%f0%80%80%ae%f0%80%80%ae/secret.txt",
        "/%u002e%u002e/secret.txt",
        "/..%00/secret.txt",
        "/%00../secret.txt",
        "/secret.txt%00.html",
        "/index.html%00/../../secret.txt",
        "/./../secret.txt",
        "/%2e/%2e%2e/secret.txt",
        "/..;/secret.txt",
        "/....//secret.txt",
        "/..././secret.txt",
        "/.../secret.txt",
        "/escape/secret.txt",
        "/escape/escape/secret.txt",
        "/leak.txt",
        "/assets/leak-dir/secret.txt",
        "/C:%5cWindows%5cwin.ini",
        "/file:%2F%2F%2Fetc%2Fpasswd",
        "/%2F..%2Fsecret.txt",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    p.push(format!("/{enc_abs}"));
    p.push(format!("/%2F{}", enc_abs.trim_start_matches("%2F")));
    p.push(format!("/{secret_abs}"));
    p.push(format!("/{}", secret_abs.replace('/', "%5c")));
    p
}

#[test]
fn static_files_never_leave_the_web_root() {
    let dir = tmp("trav");
    let www = dir.join("www");
    std::fs::create_dir_all(www.join("assets")).unwrap();
    std::fs::write(www.join("index.html"), "INDEX-PAGE").unwrap();
    std::fs::write(www.join("assets/app.js"), "APP-JS").unwrap();
    std::fs::write(dir.join("secret.txt"), "OUTSIDE-SECRET").unwrap();
    std::os::unix::fs::symlink("..", www.join("escape")).unwrap();
    std::os::unix::fs::symlink("../secret.txt", www.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink("../..", www.join("assets/leak-dir")).unwrap();
    std::os::unix::fs::symlink("index.html", www.join("inside.html")).unwrap();
    let s = Server::start(Some(www.clone()));
    let secret_abs = dir.join("secret.txt").to_str().unwrap().to_owned();
    let list = payloads(&secret_abs);
    assert!(list.len() >= 40, "{}", list.len());
    for target in &list {
        let (status, body) = s.raw_get(target);
        assert_ne!(status, 200, "{target} was served: {body:.200}");
        for leaked in ["OUTSIDE-SECRET", "root:", "PATH=", "[package]"] {
            assert!(!body.contains(leaked), "{target} leaked {leaked}");
        }
        assert!(status == 404 || status == 400, "{target}: {status}");
    }
    // The same through a client that sends exactly what it is given (and normalises nothing it need not).
    for target in ["/%2Fetc/passwd", "/%2e%2e/secret.txt", "/leak.txt"] {
        let r = s.call("GET", target, &[], None);
        assert_eq!((r.status, r.error_code()), (404, "not_found"), "{target}");
    }
    // What is inside the root is served, a symlink inside the root included.
    assert_eq!(s.raw_get("/"), (200, "INDEX-PAGE".to_owned()));
    assert_eq!(s.raw_get("/index.html"), (200, "INDEX-PAGE".to_owned()));
    assert_eq!(s.raw_get("/assets/app.js"), (200, "APP-JS".to_owned()));
    assert_eq!(s.raw_get("/assets/%61pp.js"), (200, "APP-JS".to_owned()));
    assert_eq!(s.raw_get("/inside.html"), (200, "INDEX-PAGE".to_owned()));
    std::fs::remove_dir_all(dir).unwrap();
}

fn with_host(s: &Server, host: Option<&str>) -> (u16, String) {
    let h = host.map(|h| format!("Host: {h}\r\n")).unwrap_or_default();
    s.raw(format!("GET /health HTTP/1.1\r\n{h}Connection: close\r\n\r\n").as_bytes())
}

#[test]
fn only_the_servers_own_host_names_are_answered() {
    let s = Server::start(None);
    let port = s.addr().rsplit(':').next().unwrap().to_owned();
    for ok in [
        format!("127.0.0.1:{port}"),
        "127.0.0.1".to_owned(),
        format!("localhost:{port}"),
        "LOCALHOST".to_owned(),
        format!("[::1]:{port}"),
    ] {
        assert_eq!(with_host(&s, Some(&ok)).0, 200, "{ok}");
    }
    // DNS rebinding: a hostile page's own name, resolved to 127.0.0.1, is what its requests carry.
    for bad in [
        "evil.example".to_owned(),
        format!("evil.example:{port}"),
        format!("127.0.0.1.evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
        "127.0.0.2".to_owned(),
        format!("127.0.0.1:{port}:1"),
        format!("127.0.0.1:x{port}"),
        String::new(),
    ] {
        let (status, body) = with_host(&s, Some(&bad));
        assert_eq!(status, 421, "{bad:?}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["error"]["code"], "misdirected_request", "{bad}");
        assert!(v["error"]["request_id"].as_str().unwrap().starts_with("req_"));
    }
    let (status, _) = with_host(&s, None);
    assert!(status == 421 || status == 400, "{status}");
    // The API is refused the same way, before authentication.
    let r = s.raw(
        format!(
            "GET /api/v1/feeds HTTP/1.1\r\nHost: evil.example\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
            s.key
        )
        .as_bytes(),
    );
    assert_eq!(r.0, 421);
    // `--allowed-host` adds a name (a reverse proxy's), with or without port.
    let hosts = Hosts::for_listen("127.0.0.1:0".parse().unwrap(), ["IOC.example.com"]).unwrap();
    let p = Server::start_settings(Settings { hosts, ..Settings::default() });
    assert_eq!(with_host(&p, Some("ioc.example.com")).0, 200);
    assert_eq!(with_host(&p, Some("ioc.example.com:443")).0, 200);
    assert_eq!(with_host(&p, Some("localhost")).0, 200);
    assert_eq!(with_host(&p, Some("other.example.com")).0, 421);
    assert_eq!(with_host(&p, Some("[::1]")).0, 421);
    for bad in ["https://ioc.example.com", "ioc.example.com:443", "a/b", ""] {
        assert!(Hosts::for_listen("127.0.0.1:0".parse().unwrap(), [bad]).is_err(), "{bad}");
    }
    // A wildcard bind answers IP literals (they cannot be rebound) and localhost, still no foreign name.
    let any = Hosts::for_listen("0.0.0.0:8080".parse().unwrap(), Vec::<String>::new()).unwrap();
    assert!(
        any.allows("192.0.2.7:8080") && any.allows("[2001:db8::1]:8080") && any.allows("localhost")
    );
    assert!(!any.allows("evil.example"));
}

/// Slowloris on 127.0.0.1: more half-open connections than the server serves at once. Each is closed after the
/// header-read timeout, so a normal client, queued behind all of them, is answered within a bounded time.
#[test]
fn half_open_connections_do_not_starve_a_normal_client() {
    let limits = Limits {
        header_read_timeout: Duration::from_secs(1),
        max_connections: 16,
        max_connections_per_client: 1000,
        ..Limits::default()
    };
    let s = Server::start_settings(Settings { limits, ..Settings::default() });
    let mut loris = Vec::new();
    for i in 0..40 {
        let mut c = TcpStream::connect(s.addr()).unwrap();
        if i % 2 == 0 {
            // Headers begun, never finished.
            c.write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: ").unwrap();
        }
        loris.push(c);
    }
    let started = Instant::now();
    let mut c = TcpStream::connect(s.addr()).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(c, "GET /health HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", s.addr()).unwrap();
    let mut out = String::new();
    c.read_to_string(&mut out).unwrap();
    let waited = started.elapsed();
    assert!(out.starts_with("HTTP/1.1 200"), "{out:.100}");
    // 40 ahead of it, 16 at a time, 1 s each: about 3 s; never the attackers' pleasure.
    assert!(waited < Duration::from_secs(8), "{waited:?}");
    // The server closed every half-open connection (reading gives end-of-file or a reset, not a timeout).
    for mut l in loris {
        l.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut rest = Vec::new();
        if let Err(e) = l.read_to_end(&mut rest) {
            assert!(
                !matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut),
                "still open: {e}"
            );
        }
    }
}

/// Past the per-client cap, a client's extra connection is closed at once, long before any timeout.
#[test]
fn connections_past_the_per_client_cap_are_closed_at_once() {
    let limits = Limits {
        header_read_timeout: Duration::from_secs(30),
        max_connections_per_client: 3,
        ..Limits::default()
    };
    let s = Server::start_settings(Settings { limits, ..Settings::default() });
    let held: Vec<TcpStream> = (0..3).map(|_| TcpStream::connect(s.addr()).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(200));
    let mut extra = TcpStream::connect(s.addr()).unwrap();
    extra.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let started = Instant::now();
    let _ = write!(extra, "GET /health HTTP/1.1\r\nHost: {}\r\n\r\n", s.addr());
    let mut buf = [0u8; 64];
    let n = extra.read(&mut buf).unwrap_or(0);
    assert_eq!(n, 0, "the extra connection was served");
    assert!(started.elapsed() < Duration::from_secs(3));
    drop(held);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(s.raw_get("/health").0, 200);
}

#[test]
fn internal_errors_keep_their_details_in_the_log() {
    let s = Server::with_fixtures();
    let conn = ioclens_server::store::open(&s.db).unwrap();
    conn.execute_batch("ALTER TABLE feeds RENAME TO feeds_gone").unwrap();
    let r = s.get("/api/v1/feeds");
    assert_eq!((r.status, r.error_code()), (500, "internal_error"));
    let msg = r.json["error"]["message"].as_str().unwrap();
    for internal in ["feeds", "SELECT", "no such table", "store.db", "/"] {
        assert!(!msg.contains(internal), "{internal} in {msg}");
    }
    assert_eq!(r.json["error"]["request_id"].as_str(), r.header("x-request-id"));
    // `/health` reads the store and says it cannot.
    let h = s.call("GET", "/health", &[], None);
    assert_eq!((h.status, h.error_code()), (503, "store_unavailable"));
    conn.execute_batch("ALTER TABLE feeds_gone RENAME TO feeds").unwrap();
    assert_eq!(s.call("GET", "/health", &[], None).status, 200);
}

#[test]
fn health_notices_a_damaged_store() {
    let s = Server::with_fixtures();
    assert_eq!(s.call("GET", "/health", &[], None).status, 200);
    let conn = ioclens_server::store::open(&s.db).unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    drop(conn);
    let len = std::fs::metadata(&s.db).unwrap().len();
    assert!(len > 8192, "{len}");
    // Everything after the first page (the header and schema stay) overwritten, as a failing disk might.
    let mut f = std::fs::OpenOptions::new().write(true).open(&s.db).unwrap();
    std::io::Seek::seek(&mut f, std::io::SeekFrom::Start(4096)).unwrap();
    f.write_all(&vec![0xA5; usize::try_from(len).unwrap() - 4096]).unwrap();
    f.sync_all().unwrap();
    let h = s.call("GET", "/health", &[], None);
    assert_eq!((h.status, h.error_code()), (503, "store_unavailable"), "{}", h.text);
}

#[test]
fn store_files_are_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tmp("mode");
    let db = dir.join("store.db");
    let conn = ioclens_server::store::open(&db).unwrap();
    conn.execute_batch("INSERT INTO api_keys(name, prefix, hash, rate_limit, created_at) VALUES ('a','b',x'00',0,0)")
        .unwrap();
    for f in [db.clone(), dir.join("store.db-wal"), dir.join("store.db-shm")] {
        let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}: {mode:o}", f.display());
    }
    drop(conn);
    std::fs::remove_dir_all(dir).unwrap();
}

/// A body that stalls half-way is not waited for past the idle timeout: the client gets its answer (or the
/// connection is closed) within about that time, not never.
#[test]
fn a_stalled_body_is_not_waited_for() {
    let limits = Limits {
        header_read_timeout: Duration::from_secs(30),
        idle_timeout: Duration::from_secs(1),
        ..Limits::default()
    };
    let s = Server::start_settings(Settings { limits, ..Settings::default() });
    let mut c = TcpStream::connect(s.addr()).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let started = Instant::now();
    write!(
        c,
        "POST /api/v1/lookup HTTP/1.1\r\nHost: {}\r\nX-API-Key: {}\r\nContent-Type: application/json\r\n\
         Content-Length: 1000\r\n\r\n[\"evil",
        s.addr(),
        s.key
    )
    .unwrap();
    let mut out = Vec::new();
    let r = c.read_to_end(&mut out);
    let waited = started.elapsed();
    assert!(
        r.is_ok()
            || !matches!(
                r.as_ref().map_err(std::io::Error::kind),
                Err(std::io::ErrorKind::WouldBlock)
            ),
        "{r:?}"
    );
    assert!(waited < Duration::from_secs(4), "{waited:?}");
    let text = String::from_utf8_lossy(&out);
    assert!(text.is_empty() || text.starts_with("HTTP/1.1 400"), "{text:.200}");
}
