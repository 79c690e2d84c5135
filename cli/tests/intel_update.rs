//! `ioclens intel update|status` against a real HTTP server on 127.0.0.1 serving the upstream-layout fixtures of
//! `tests/fixtures/intel/`: the first pull, a 304 round that rewrites nothing, a 500, an HTML page, a truncated
//! body and a timeout that each keep the previous data and mark only that source failed, a retry after a 500,
//! and a value that leaves its source and with it the pack.
#![expect(
    clippy::disallowed_methods,
    reason = "the test serves files and reads the data directory"
)]
use ioclens_core::IocKind;
use ioclens_core::intel::pack::Pack;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_ioclens");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/intel");

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Ok,
    Status(u16),
    Html,
    Truncated,
    Slow,
    /// 200 with the body every time: no `ETag`, `If-None-Match` ignored (a source without validators).
    NoValidators,
    /// Answers 500 this many more times, then serves the body.
    FailTimes(u32),
}

struct Route {
    body: Vec<u8>,
    mode: Mode,
}

#[derive(Default)]
struct Shared {
    routes: HashMap<String, Route>,
    /// Requests per path, and how many carried `If-None-Match`.
    hits: HashMap<String, (u32, u32)>,
}

type State = Arc<Mutex<Shared>>;

fn etag(body: &[u8]) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut h);
    format!("\"{:016x}\"", h.finish())
}

fn handle(mut stream: TcpStream, state: &State) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let mut inm = None;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':')
            && k.eq_ignore_ascii_case("if-none-match")
        {
            inm = Some(v.trim().to_owned());
        }
    }
    let (body, mode) = {
        let mut s = state.lock().unwrap();
        let hit = s.hits.entry(path.clone()).or_default();
        hit.0 += 1;
        hit.1 += u32::from(inm.is_some());
        match s.routes.get_mut(&path) {
            Some(r) => {
                let mode = r.mode;
                if let Mode::FailTimes(n) = mode {
                    r.mode = if n <= 1 { Mode::Ok } else { Mode::FailTimes(n - 1) };
                }
                (r.body.clone(), mode)
            }
            None => (b"not found".to_vec(), Mode::Status(404)),
        }
    };
    let tag = etag(&body);
    let reply = |stream: &mut TcpStream, status: &str, headers: &str, body: &[u8]| {
        let head = format!(
            "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(body);
    };
    match mode {
        Mode::Ok if inm.as_deref() == Some(tag.as_str()) => reply(&mut stream, "304 Not Modified", "", b""),
        Mode::Ok => reply(&mut stream, "200 OK", &format!("ETag: {tag}\r\nContent-Type: text/plain\r\n"), &body),
        Mode::NoValidators => reply(&mut stream, "200 OK", "Content-Type: text/plain\r\n", &body),
        Mode::Status(code) => reply(&mut stream, &format!("{code} Error"), "", b"server error"),
        Mode::FailTimes(_) => reply(&mut stream, "500 Internal Server Error", "", b"try again"),
        Mode::Html => reply(
            &mut stream,
            "200 OK",
            "Content-Type: text/html\r\n",
            b"<!DOCTYPE html>\n<html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>",
        ),
        Mode::Truncated => {
            let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body[..body.len() / 2]);
        }
        Mode::Slow => {
            std::thread::sleep(Duration::from_secs(4));
            reply(&mut stream, "200 OK", "", &body);
        }
    }
    let _ = stream.flush();
    let mut sink = [0u8; 64];
    let _ = stream.set_read_timeout(Some(Duration::from_millis(50)));
    let _ = stream.read(&mut sink);
}

fn serve() -> (String, State) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state: State = Arc::default();
    let st = state.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let st = st.clone();
            std::thread::spawn(move || handle(stream, &st));
        }
    });
    (base, state)
}

/// (source name, fixture file, format, category, extra TOML)
const SOURCES: &[(&str, &str, &str, &str, &str)] = &[
    ("urlhaus", "urlhaus_csv_recent.csv", "urlhaus-csv", "malware", ""),
    ("threatfox", "threatfox_export_recent.csv", "threatfox-csv", "malware", ""),
    ("malwarebazaar", "malwarebazaar_export_recent.csv", "malwarebazaar-csv", "malware", ""),
    ("feodo", "feodo_ipblocklist.csv", "feodo-csv", "c2", ""),
    ("sslbl", "sslbl_sslipblacklist.csv", "sslbl-csv", "c2", ""),
    ("ipsum", "ipsum.txt", "ipsum", "blocklist", ""),
    ("maltrail", "maltrail_cobaltstrike.txt", "plain", "c2", "family = \"cobaltstrike\"\n"),
    ("c2intel", "c2intel_ipc2s_30day.csv", "c2intel-csv", "c2", ""),
    ("drop", "spamhaus_drop_v4.json", "spamhaus-drop", "blocklist", ""),
    ("firehol", "firehol_level1.netset", "netset", "blocklist", ""),
    ("tor", "tor_bulk_exit_list.txt", "plain", "anonymizer", ""),
    ("openphish", "openphish_feed.txt", "plain", "phishing", ""),
    ("kev", "kev.json", "kev-json", "exploited", ""),
    ("epss", "epss_scores-current.csv.gz", "epss-csv", "epss", ""),
    ("misp", "misp_event.json", "misp-feed", "malware", ""),
    ("warninglist", "misp_warninglist.json", "misp-warninglist", "benign", ""),
    ("stix", "stix_bundle.json", "stix-bundle", "malware", ""),
    ("custom", "custom_named_column.csv", "csv", "phishing", "column = \"indicator\"\n"),
];

fn fixture(file: &str) -> Vec<u8> {
    if let Some(plain) = file.strip_suffix(".gz") {
        let raw = std::fs::read(Path::new(FIXTURES).join(plain)).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&raw).unwrap();
        return gz.finish().unwrap();
    }
    std::fs::read(Path::new(FIXTURES).join(file)).unwrap()
}

fn setup(tag: &str) -> (PathBuf, PathBuf, State) {
    let (base, state) = serve();
    let dir = std::env::temp_dir().join(format!("ioclens-intel-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut toml = String::new();
    for (name, file, format, category, extra) in SOURCES {
        state
            .lock()
            .unwrap()
            .routes
            .insert(format!("/{file}"), Route { body: fixture(file), mode: Mode::Ok });
        let _ = write!(
            toml,
            "[[source]]\nname = \"{name}\"\nurl = \"{base}/{file}\"\nformat = \"{format}\"\ncategory = \"{category}\"\n\
             confidence = 70\nevery = \"1h\"\nenabled = true\nlicence = \"test\"\n{extra}\n"
        );
    }
    let cat = dir.join("catalogue.toml");
    std::fs::write(&cat, toml).unwrap();
    (dir.join("data"), cat, state)
}

fn ioclens(data: &Path, cat: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .args(["intel"])
        .args(args)
        .arg("--catalogue")
        .arg(cat)
        .env("IOCLENS_DATA_DIR", data)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn status(data: &Path, cat: &Path) -> HashMap<String, Value> {
    let (code, out, err) = ioclens(data, cat, &["status", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    doc["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap().to_owned(), s.clone()))
        .collect()
}

fn with_pack<T>(data: &Path, file: &str, f: impl FnOnce(&Pack) -> T) -> T {
    let bytes = std::fs::read(data.join("intel").join(file)).unwrap();
    let pack = Pack::from_bytes(&bytes).unwrap();
    f(&pack)
}

fn sources_of(data: &Path, file: &str, kind: IocKind, value: &str) -> Vec<String> {
    with_pack(data, file, |p| p.lookup(kind, value).iter().map(|h| h.source.to_owned()).collect())
}

const FAST: &[&str] = &["update", "--force", "--retries", "0", "--timeout", "2"];

/// 2026-12-01 00:00 UTC: the day after the fixtures' dates.
const DEC_1: &str = "1796083200";

/// `ioclens lookup VALUE --format json` with the data directory's pack: the answer and stderr.
fn lookup(data: &Path, value: &str) -> (Value, String) {
    let out = Command::new(BIN)
        .args(["lookup", value, "--format", "json", "--no-queries", "--now", DEC_1])
        .env("IOCLENS_DATA_DIR", data)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    (doc[0].clone(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn factor<'a>(answer: &'a Value, source: &str) -> Option<&'a Value> {
    answer["score"]["factors"].as_array().unwrap().iter().find(|f| f["source"] == source)
}

#[test]
fn update_304_failures_and_a_value_that_leaves_its_source() {
    let (data, cat, state) = setup("main");
    let before = status(&data, &cat);
    assert!(before.values().all(|s| s["status"] == "never" && s["entries"] == 0));

    // First pull: every source ok, each with its entries and the date its upstream states.
    let (code, out, err) = ioclens(&data, &cat, FAST);
    assert_eq!(code, 0, "{out}{err}");
    let st = status(&data, &cat);
    for (name, ..) in SOURCES {
        let s = &st[*name];
        assert_eq!(s["status"], "ok", "{name}: {s}");
        assert!(s["entries"].as_u64().unwrap() >= 1, "{name}: {s}");
        assert!(s["fetched_at"].is_string() && s["error"].is_null(), "{name}: {s}");
    }
    assert_eq!(st["urlhaus"]["upstream_date"], "2026-11-30T10:05:07Z");
    assert_eq!(st["epss"]["upstream_date"], "2026-11-30T12:55:00Z");
    assert_eq!(st["drop"]["upstream_date"], "2026-11-30T09:00:00Z");
    assert_eq!(st["custom"]["entries"], 1, "the non-indicator row is rejected, not stored");

    // A value only ThreatFox carries: found, naming ThreatFox, its family and its own dates.
    with_pack(&data, "pack.bin", |p| {
        let hits = p.lookup(IocKind::Domain, "zq-threatfox-only-c2.top");
        assert_eq!(hits.len(), 1);
        let h = &hits[0];
        assert_eq!((h.source, h.category, h.family), ("threatfox", "malware", Some("Remcos")));
        assert_eq!(h.first_seen, Some(1_796_025_790)); // 2026-11-30 08:03:10 UTC
        assert_eq!(h.last_seen, h.first_seen, "no last_seen_utc: decay runs from first seen");
        assert_eq!(h.confidence, 75);
        // An address several lists carry, with IPsum's count; one inside a DROP network.
        let ip = p.lookup(IocKind::Ipv4, "45.95.147.236");
        let mut names: Vec<&str> = ip.iter().map(|h| h.source).collect();
        names.sort_unstable();
        assert_eq!(
            names,
            ["c2intel", "ipsum", "maltrail", "threatfox"],
            "Maltrail lists it as ip:port"
        );
        assert_eq!(ip.iter().find(|h| h.source == "ipsum").unwrap().number, Some(5));
        let net = p.lookup(IocKind::Ipv4, "203.0.113.9");
        assert!(net.iter().any(|h| h.source == "drop" && h.matched == "203.0.113.0/24"), "{net:?}");
        let epss = p.lookup(IocKind::Cve, "CVE-2024-3400");
        assert!(epss.iter().any(|h| h.source == "epss" && h.number == Some(943_010)), "{epss:?}");
        assert!(epss.iter().any(|h| h.source == "kev"));
    });
    // Through the real CLI: the value is malicious, the factor names ThreatFox and the date it was last seen there,
    // and decay runs from that date.
    let (answer, err) = lookup(&data, "zq-threatfox-only-c2.top");
    assert_eq!(answer["score"]["verdict"], "malicious", "{answer}{err}");
    assert_eq!(answer["found"], true);
    let f = factor(&answer, "feed:threatfox").unwrap_or_else(|| panic!("{answer}"));
    assert_eq!(f["contribution"], 50);
    assert!(f["detail"].as_str().unwrap().contains("last seen 2026-11-30"), "{f}");
    assert_eq!(answer["score"]["decay"]["since"], 1_796_025_790);
    assert_eq!(answer["malware_family"], "Remcos");
    assert!(
        answer["data_versions"].as_array().unwrap().iter().any(|d| d["source"] == "intel-pack")
    );
    // Without the pack the same value is not evidence.
    let bare = Command::new(BIN)
        .args([
            "lookup",
            "zq-threatfox-only-c2.top",
            "--format",
            "json",
            "--no-queries",
            "--no-pack",
        ])
        .args(["--now", DEC_1])
        .env("IOCLENS_DATA_DIR", &data)
        .output()
        .unwrap();
    let bare: Value = serde_json::from_slice(&bare.stdout).unwrap();
    assert_eq!(bare[0]["found"], false, "{bare}");
    for (value, kind, only) in [
        ("zq-misp-only-loader.com", IocKind::Domain, "misp"),
        ("zq-stix-only-c2.net", IocKind::Domain, "stix"),
        ("zq-maltrail-only-beacon.xyz", IocKind::Domain, "maltrail"),
        ("zq-custom-only-panel.org", IocKind::Domain, "custom"),
        ("https://zq-urlhaus-only-7f3.example-cdn.net/load/stage2.exe", IocKind::Url, "urlhaus"),
        ("37b51d194a7513e45b56f6524f2d51f2", IocKind::Md5, "malwarebazaar"),
        ("162.243.103.246", IocKind::Ipv4, "feodo"),
        ("198.51.100.201", IocKind::Ipv4, "sslbl"),
    ] {
        assert_eq!(sources_of(&data, "pack.bin", kind, value), [only], "{value}");
    }

    // 304 round: conditional GETs, nothing rewritten; a source without validators that sends the same bytes
    // again changes nothing either. The pack keeps its bytes, so its date and signature.
    state.lock().unwrap().routes.get_mut("/ipsum.txt").unwrap().mode = Mode::NoValidators;
    let pack_bytes = std::fs::read(data.join("intel/pack.bin")).unwrap();
    let pack_time = std::fs::metadata(data.join("intel/pack.bin")).unwrap().modified().unwrap();
    let raw_time = std::fs::metadata(data.join("intel/raw/threatfox")).unwrap().modified().unwrap();
    let (code, out, err) = ioclens(&data, &cat, FAST);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("0 source(s) changed"), "{out}");
    assert_eq!(
        std::fs::metadata(data.join("intel/pack.bin")).unwrap().modified().unwrap(),
        pack_time
    );
    assert_eq!(
        std::fs::metadata(data.join("intel/raw/threatfox")).unwrap().modified().unwrap(),
        raw_time
    );
    assert!(!data.join("intel/pack.prev").exists());
    assert_eq!(std::fs::read(data.join("intel/pack.bin")).unwrap(), pack_bytes);
    assert_eq!(state.lock().unwrap().hits["/threatfox_export_recent.csv"], (2, 1));
    assert_eq!(state.lock().unwrap().hits["/ipsum.txt"].0, 2, "fetched again, in full");
    state.lock().unwrap().routes.get_mut("/ipsum.txt").unwrap().mode = Mode::Ok;

    // Failures: each keeps its previous data and marks only that source; KEV changes, so the pack is rebuilt.
    {
        let mut s = state.lock().unwrap();
        for (path, mode) in [
            ("/threatfox_export_recent.csv", Mode::Status(500)),
            ("/urlhaus_csv_recent.csv", Mode::Html),
            ("/malwarebazaar_export_recent.csv", Mode::Truncated),
            ("/feodo_ipblocklist.csv", Mode::Slow),
        ] {
            s.routes.get_mut(path).unwrap().mode = mode;
        }
        let kev = s.routes.get_mut("/kev.json").unwrap();
        kev.body = String::from_utf8(kev.body.clone())
            .unwrap()
            .replace("CVE-2026-21001", "CVE-2026-21002")
            .into_bytes();
    }
    let (code, _, err) =
        ioclens(&data, &cat, &["update", "--force", "--retries", "0", "--timeout", "1"]);
    assert_eq!(code, 1, "a failed source makes the exit status 1: {err}");
    let st = status(&data, &cat);
    for (name, needle) in [
        ("threatfox", "HTTP 500"),
        ("urlhaus", "HTML"),
        ("malwarebazaar", "body"),
        ("feodo", "imeout"),
    ] {
        assert_eq!(st[name]["status"], "failed", "{name}");
        let e = st[name]["error"].as_str().unwrap();
        assert!(e.contains(needle), "{name}: {e}");
        assert!(st[name]["entries"].as_u64().unwrap() >= 2, "{name} keeps its count");
    }
    assert!(["kev", "ipsum", "stix", "epss"].iter().all(|n| st[*n]["status"] == "ok"));
    assert!(data.join("intel/pack.prev").exists(), "the previous pack is kept for rollback");
    assert_eq!(sources_of(&data, "pack.bin", IocKind::Cve, "CVE-2026-21002"), ["kev"]);
    assert!(
        sources_of(&data, "pack.bin", IocKind::Cve, "CVE-2026-21001").iter().all(|s| s != "kev")
    );
    for (kind, value, src) in [
        (IocKind::Domain, "zq-threatfox-only-c2.top", "threatfox"),
        (IocKind::Url, "https://zq-urlhaus-only-7f3.example-cdn.net/load/stage2.exe", "urlhaus"),
        (IocKind::Md5, "37b51d194a7513e45b56f6524f2d51f2", "malwarebazaar"),
        (IocKind::Ipv4, "162.243.103.246", "feodo"),
    ] {
        assert_eq!(sources_of(&data, "pack.bin", kind, value), [src], "{src}: previous data stays");
    }

    // The source drops the value: after the next pull it is no longer evidence (the previous pack still has it).
    {
        let mut s = state.lock().unwrap();
        let tf = s.routes.get_mut("/threatfox_export_recent.csv").unwrap();
        let text = String::from_utf8(tf.body.clone()).unwrap();
        tf.body = text
            .lines()
            .filter(|l| !l.contains("zq-threatfox-only"))
            .collect::<Vec<_>>()
            .join("\n")
            .into_bytes();
        tf.mode = Mode::Ok;
        for path in [
            "/urlhaus_csv_recent.csv",
            "/malwarebazaar_export_recent.csv",
            "/feodo_ipblocklist.csv",
        ] {
            s.routes.get_mut(path).unwrap().mode = Mode::Ok;
        }
    }
    let (code, _, err) = ioclens(&data, &cat, FAST);
    assert_eq!(code, 0, "{err}");
    assert!(status(&data, &cat).values().all(|s| s["status"] == "ok"));
    assert!(sources_of(&data, "pack.bin", IocKind::Domain, "zq-threatfox-only-c2.top").is_empty());
    assert_eq!(
        sources_of(&data, "pack.prev", IocKind::Domain, "zq-threatfox-only-c2.top"),
        ["threatfox"]
    );
    assert_eq!(
        sources_of(&data, "pack.bin", IocKind::Ipv4, "45.95.147.236").len(),
        4,
        "its other rows stay (C2IntelFeeds, IPsum, Maltrail, ThreatFox)"
    );
    let (answer, err) = lookup(&data, "zq-threatfox-only-c2.top");
    assert_eq!(answer["found"], false, "dropped upstream: no longer evidence {answer}{err}");
    assert_ne!(answer["score"]["verdict"], "malicious");
    assert!(factor(&answer, "feed:threatfox").is_none(), "{answer}");

    // A truncated pack.bin: a warning naming it, and the previous pack answers (it still lists the value).
    let path = data.join("intel/pack.bin");
    let good = std::fs::read(&path).unwrap();
    std::fs::write(&path, &good[..good.len() - 1]).unwrap();
    let (answer, err) = lookup(&data, "zq-threatfox-only-c2.top");
    assert!(err.contains("pack.bin is unusable") && err.contains("truncated"), "{err}");
    assert_eq!(answer["found"], true, "pack.prev answers: {answer}");
    // Both unusable: the embedded intel alone, with a warning for each.
    std::fs::write(data.join("intel/pack.prev"), b"IOCLPACK garbage").unwrap();
    let (answer, err) = lookup(&data, "zq-threatfox-only-c2.top");
    assert!(err.contains("pack.prev is unusable") && err.contains("embedded intel"), "{err}");
    assert_eq!(answer["found"], false);
    std::fs::write(&path, &good).unwrap();

    // A damaged pack is reported, not read.
    let path = data.join("intel/pack.bin");
    let mut bytes = std::fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    std::fs::write(&path, &bytes).unwrap();
    let (_, out, _) = ioclens(&data, &cat, &["status", "--format", "json"]);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert!(doc["pack"]["error"].as_str().unwrap().contains("checksum"), "{doc}");
    let _ = std::fs::remove_dir_all(data.parent().unwrap());
}

#[test]
fn a_500_is_retried_with_backoff_and_only_picks_sources() {
    let (data, cat, state) = setup("retry");
    state.lock().unwrap().routes.get_mut("/kev.json").unwrap().mode = Mode::FailTimes(2);
    let (code, _, err) = ioclens(
        &data,
        &cat,
        &["update", "--only", "kev,tor", "--retries", "2", "--backoff-ms", "20"],
    );
    assert_eq!(code, 0, "{err}");
    let st = status(&data, &cat);
    assert_eq!(st["kev"]["status"], "ok");
    assert_eq!(st["tor"]["status"], "ok");
    assert_eq!(st["threatfox"]["status"], "never", "--only leaves the others alone");
    assert_eq!(state.lock().unwrap().hits["/kev.json"].0, 3);
    assert_eq!(sources_of(&data, "pack.bin", IocKind::Ipv6, "2a0b:f4c2::40"), ["tor"]);
    let (code, _, err) = ioclens(&data, &cat, &["update", "--only", "nope"]);
    assert_eq!(code, 3);
    assert!(err.contains("no source named"), "{err}");
    let _ = std::fs::remove_dir_all(data.parent().unwrap());
}

/// `ioclens serve` on a free 127.0.0.1 port with `data`'s pack: the child, its base URL, the demo API key and the
/// pack-signing public key it printed.
fn serve_pack(data: &Path, db: &Path) -> (std::process::Child, String, String, String) {
    serve_with(data, db, &[])
}

fn serve_with(
    data: &Path,
    db: &Path,
    extra: &[&str],
) -> (std::process::Child, String, String, String) {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(BIN)
        .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}")])
        .args(extra)
        .arg("--db")
        .arg(db)
        .arg("--data-dir")
        .arg(data)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let (mut key, mut public) = (String::new(), String::new());
    for line in lines.by_ref() {
        let line = line.unwrap();
        if line.contains("demo API key") {
            line.rsplit(": ").next().unwrap().trim().clone_into(&mut key);
        } else if line.contains("public key") {
            line.rsplit(": ").next().unwrap().trim().clone_into(&mut public);
        } else if line.contains("serving") {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, base, key, public)
}

fn pull(data: &Path, base: &str, key: &str, public: &str) -> (i32, String, String) {
    let out = Command::new(BIN)
        .args(["intel", "pull", "--from", base, "--pubkey", public])
        .env("IOCLENS_DATA_DIR", data)
        .env("IOCLENS_API_KEY", key)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The server child, stopped when dropped (also when an assertion fails).
struct Stop(std::process::Child);

impl Drop for Stop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_server_publishes_its_pack_signed_and_pull_refuses_a_bad_signature() {
    let (data, cat, _state) = setup("serve");
    let (code, _, err) = ioclens(&data, &cat, FAST);
    assert_eq!(code, 0, "{err}");
    let root = data.parent().unwrap().to_path_buf();
    let (server, base, key, public) = serve_pack(&data, &root.join("serve.db"));
    // Stopped even when an assertion fails.
    let server = Stop(server);
    assert_eq!(public.len(), 64, "the public key is printed at start: {public:?}");
    let key_file = data.join("intel/signing.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the signing key is private");
    }

    // A client configured with the server's key installs the pack byte for byte; a second pull is a 304.
    let client = root.join("client");
    let (code, out, err) = pull(&client, &base, &key, &public);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("signed pack installed"), "{out}");
    assert_eq!(
        std::fs::read(client.join("intel/pack.bin")).unwrap(),
        std::fs::read(data.join("intel/pack.bin")).unwrap()
    );
    let (code, out, err) = pull(&client, &base, &key, &public);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("not modified"), "{out}");
    // Its lookups use it.
    let (answer, _) = lookup(&client, "zq-threatfox-only-c2.top");
    assert_eq!(answer["score"]["verdict"], "malicious", "{answer}");

    // Another key (RFC 8032's first test key): refused, nothing installed.
    let other = root.join("other");
    let rfc8032 = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    let (code, out, err) = pull(&other, &base, &key, rfc8032);
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("does not verify"), "{err}");
    assert!(!other.join("intel/pack.bin").exists());
    // A malformed key is a clear error; without an API key the server answers 401.
    let (code, _, err) = pull(&other, &base, &key, "abc");
    assert_ne!(code, 0);
    assert!(err.contains("64 hex digits"), "{err}");
    let (code, _, err) = pull(&other, &base, "", &public);
    assert_ne!(code, 0);
    assert!(err.contains("401"), "{err}");

    drop(server);
    let _ = std::fs::remove_dir_all(&root);
}

/// Polls `f` every 50 ms for up to 20 s.
fn until(what: &str, mut f: impl FnMut() -> bool) {
    for _ in 0..400 {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("timed out waiting for {what}");
}

#[test]
fn serve_sync_refreshes_sources_and_feeds_on_their_intervals() {
    let (base, state) = serve();
    let root = std::env::temp_dir().join(format!("ioclens-intel-sync-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let (data, db) = (root.join("data"), root.join("sync.db"));
    let route = |path: &str, body: &str| {
        state
            .lock()
            .unwrap()
            .routes
            .insert(path.to_owned(), Route { body: body.as_bytes().to_vec(), mode: Mode::Ok });
    };
    route("/exits.txt", "# exits\n198.51.100.7\n");
    route("/static.txt", "zq-sync-static.example\n");
    route("/partner.txt", "zq-sync-feed-one.com\n");
    let cat = root.join("catalogue.toml");
    let mut toml = String::new();
    for (name, path, every) in [("exits", "/exits.txt", "1s"), ("static", "/static.txt", "1h")] {
        let _ = write!(
            toml,
            "[[source]]\nname = \"{name}\"\nurl = \"{base}{path}\"\nformat = \"plain\"\ncategory = \"c2\"\n\
             confidence = 70\nevery = \"{every}\"\nenabled = true\nlicence = \"test\"\n\n"
        );
    }
    std::fs::write(&cat, toml).unwrap();

    // A feed with its own interval, fetched once by `feed add` and kept in the store with it.
    let out = Command::new(BIN)
        .args(["feed", "add", &format!("{base}/partner.txt"), "--source", "partner"])
        .args(["--category", "community", "--every", "1s", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = Command::new(BIN)
        .args(["feed", "add", "f.txt", "--source", "x", "--category"])
        .args(["community", "--every", "1h", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "--every needs a URL");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--every needs"));

    let (server, base_api, key, _) = serve_with(
        &data,
        &db,
        &["--sync", "--sync-tick-ms", "100", "--catalogue", cat.to_str().unwrap()],
    );
    let server = Stop(server);
    let agent: ureq::Agent =
        ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let get = |path: &str| {
        let mut resp = agent
            .get(format!("{base_api}{path}"))
            .header("Authorization", &format!("Bearer {key}"))
            .call()
            .unwrap();
        let etag = resp.headers().get("etag").map(|v| v.to_str().unwrap().to_owned());
        (resp.status().as_u16(), etag, resp.body_mut().read_to_vec().unwrap())
    };
    let pack_has = |bytes: &[u8], value: &str| {
        Pack::from_bytes(bytes).is_ok_and(|p| !p.lookup(IocKind::Ipv4, value).is_empty())
    };
    // The first tick fetches both sources and publishes the pack.
    until("the first pack", || {
        let (code, _, body) = get("/api/v1/intel/pack");
        code == 200 && pack_has(&body, "198.51.100.7")
    });
    let (_, first, _) = get("/api/v1/intel/pack");
    // `exits` is due every second: conditional GETs answered 304 leave the pack (and its ETag) alone, and
    // `static` (every hour) is not fetched again.
    let hits = |path: &str| state.lock().unwrap().hits.get(path).copied().unwrap_or_default();
    until("two 304 rounds", || hits("/exits.txt").1 >= 2);
    assert_eq!(get("/api/v1/intel/pack").1, first);
    assert_eq!(hits("/static.txt").0, 1);
    // The source changes upstream: the next round republishes, the previous pack kept as pack.prev.
    route("/exits.txt", "# exits\n198.51.100.7\n198.51.100.8\n");
    until("the republished pack", || {
        let (_, etag, body) = get("/api/v1/intel/pack");
        etag != first && pack_has(&body, "198.51.100.8")
    });
    assert!(pack_has(&std::fs::read(data.join("intel/pack.prev")).unwrap(), "198.51.100.7"));
    // The scheduled feed is refreshed from its URL into the store.
    route("/partner.txt", "zq-sync-feed-two.com\n");
    until("the refreshed feed", || {
        let (_, _, body) = get("/api/v1/lookup?ioc=zq-sync-feed-two.com");
        String::from_utf8_lossy(&body).contains("\"partner\"")
    });
    drop(server);
    let _ = std::fs::remove_dir_all(&root);
}
