//! `ioclens lookup` end to end, including `--remote` against a real HTTP server on 127.0.0.1.
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::thread;

const NOW: &str = "1790000000";

fn ioclens(args: &[&str], env_key: Option<&str>) -> (String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ioclens"));
    cmd.args(args);
    match env_key {
        Some(k) => cmd.env("IOCLENS_API_KEY", k),
        None => cmd.env_remove("IOCLENS_API_KEY"),
    };
    let out = cmd.output().expect("run ioclens");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout.lines().next().unwrap_or_default()).expect("one JSON line")
}

/// Serves one request with `status` and `body`; returns the base URL and a handle yielding the request head.
fn serve_once(status: &'static str, body: &'static str) -> (String, thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let handle = thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept");
        let mut reader = BufReader::new(stream.try_clone().expect("clone"));
        let mut head = String::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        let resp = format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(resp.as_bytes());
        head
    });
    (url, handle)
}

#[test]
fn json_package_offline() {
    let (out, _) = ioclens(&["lookup", "--format", "jsonl", "--now", NOW, "booklng[.]biz"], None);
    let v = json(&out);
    assert_eq!(v["ioc_value"], "booklng.biz");
    assert_eq!(v["ioc_type"], "domain");
    assert_eq!(v["malware_family"], "0debug");
    assert_eq!(v["score"]["verdict"], "malicious");
    assert_eq!(v["score"]["remote_status"], "disabled");
    assert!(v["hunting"]["splunk_query"].as_str().is_some_and(|q| q.contains("booklng.biz")));
}

#[test]
fn card_on_request() {
    let (out, _) = ioclens(&["lookup", "--format", "table", "--now", NOW, "10.0.0.1"], None);
    assert!(out.contains("10.0.0.1  (ipv4)"), "{out}");
    assert!(out.contains("verdict reserved"), "{out}");
    assert!(out.contains("factors"), "{out}");
}

#[test]
fn remote_envelope_is_merged_and_key_sent_as_bearer() {
    let (url, server) = serve_once(
        "200 OK",
        r#"{"meta":{"feed_version":"t"},"data":{"found":true,"risk":{"score":91,"level":"critical"},"confidence":"high","sources":[{"source_feed":"unit"}]}}"#,
    );
    let (out, _) = ioclens(
        &["lookup", "--format", "jsonl", "--now", NOW, "--remote", &url, "45.10.20.30"],
        Some("k3y"),
    );
    let head = server.join().expect("server");
    assert!(head.starts_with("GET /api/v1/lookup?"), "{head}");
    assert!(head.contains("ioc=45.10.20.30"), "{head}");
    assert!(head.to_ascii_lowercase().contains("authorization: bearer k3y"), "{head}");
    assert!(
        !head.lines().next().unwrap_or_default().contains("k3y"),
        "key must not be in the query string"
    );
    let v = json(&out);
    assert_eq!(v["score"]["remote_status"], "ok");
    assert_eq!(v["score"]["source"], "remote");
    assert_eq!(v["risk"]["score"], 91);
    assert_eq!(v["score"]["local_score"], 20);
}

#[test]
fn remote_rate_limit_fails_open() {
    let (url, server) = serve_once(
        "429 Too Many Requests",
        r#"{"error":{"code":"rate_limit_exceeded","message":"slow down"}}"#,
    );
    let (out, err) = ioclens(
        &["lookup", "--format", "jsonl", "--now", NOW, "--remote", &url, "77.90.185.20"],
        Some("k"),
    );
    let _ = server.join();
    let v = json(&out);
    assert_eq!(v["score"]["remote_status"], "rate_limited");
    assert_eq!(v["score"]["source"], "local");
    assert_eq!(v["risk"]["score"], 95);
    assert!(err.contains("rate_limited"), "{err}");
}

#[test]
fn remote_timeout_fails_open() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let server = thread::spawn(move || {
        // Accept and read, never answer.
        if let Ok((mut s, _)) = listener.accept() {
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            thread::sleep(std::time::Duration::from_secs(3));
        }
    });
    let (out, _) = ioclens(
        &[
            "lookup",
            "--format",
            "jsonl",
            "--now",
            NOW,
            "--remote",
            &url,
            "--timeout",
            "1",
            "45.10.20.30",
        ],
        Some("k"),
    );
    let v = json(&out);
    assert_eq!(v["score"]["remote_status"], "timeout");
    assert_eq!(v["risk"]["score"], 20);
    let _ = server.join();
}

#[test]
fn remote_without_key_is_disabled() {
    let (out, _) = ioclens(
        &[
            "lookup",
            "--format",
            "jsonl",
            "--now",
            NOW,
            "--remote",
            "http://127.0.0.1:9",
            "45.10.20.30",
        ],
        None,
    );
    assert_eq!(json(&out)["score"]["remote_status"], "disabled");
}
