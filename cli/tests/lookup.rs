//! `ioclens lookup` end to end, including `--remote` against a real HTTP server on 127.0.0.1.
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
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

/// Reads a request head (up to the blank line).
fn read_head(stream: &std::net::TcpStream) -> String {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    head
}

/// Serves one request with `status` and `body`; returns the base URL and a handle yielding the request head.
fn serve_once(status: &'static str, body: &'static str) -> (String, thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let handle = thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept");
        let head = read_head(&stream);
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
    assert!(out.contains("verdict     reserved"), "{out}");
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

/// Runs `ioclens lookup ARGS` with `stdin` bytes; exit code, stdout, stderr.
fn lookup_stdin(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ioclens"))
        .arg("lookup")
        .args(args)
        .env_remove("IOCLENS_API_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ioclens");
    child.stdin.take().expect("stdin").write_all(stdin).expect("write stdin");
    let out = child.wait_with_output().expect("ioclens finishes");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The first answer arrives while stdin (a pipe the test keeps open) has not ended: lookup streams.
#[test]
fn first_answer_arrives_before_stdin_closes() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ioclens"))
        .args(["lookup", "--format", "jsonl", "--now", NOW, "--no-pack"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run ioclens");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(b"booklng[.]biz\n").expect("write");
    stdin.flush().expect("flush");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next().and_then(Result::ok).unwrap_or_default();
        let _ = tx.send(first);
        lines.map_while(Result::ok).count()
    });
    let first = rx.recv_timeout(std::time::Duration::from_mins(1)).expect("an answer before EOF");
    assert_eq!(json(&first)["ioc_value"], "booklng.biz");
    // Still open: a second value gets its own answer, then EOF ends the run.
    stdin.write_all(b"8.8.8.8\n").expect("write");
    drop(stdin);
    assert_eq!(reader.join().expect("reader"), 1);
    assert!(child.wait().expect("exit").success());
}

#[test]
fn csv_columns_and_a_bad_line_that_does_not_stop_the_batch() {
    let (code, out, err) = lookup_stdin(
        &["--format", "csv", "--now", NOW, "--no-pack"],
        b"booklng[.]biz\n\xffbad\n=1+1\n",
    );
    assert_eq!(code, 1, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "value,type,canonical,score,level,confidence,verdict,top_factors,techniques,family,sources,note"
    );
    assert!(
        lines[1].starts_with(
            "booklng[.]biz,domain,booklng.biz,94,critical,high,malicious,maltrail +60; base +20; lexical-prior +14,T1071,0debug,maltrail,"
        ),
        "{out}"
    );
    assert!(lines[2].ends_with("error: line 2: invalid UTF-8 at byte 0"), "{out}");
    // A formula-leading value is defused for spreadsheets.
    assert!(lines[3].starts_with("'=1+1,unknown,"), "{out}");
    assert_eq!(lines.len(), 4);
    assert!(err.contains("line 2: invalid UTF-8"), "{err}");
    // A forced type the value is not: answered with the diagnostic, exit 1 as in classify.
    let (code, out, _) = lookup_stdin(
        &["--format", "jsonl", "--no-queries", "--no-pack", "--type", "domain", "8.8.8.8"],
        b"",
    );
    assert_eq!(code, 1);
    assert!(out.contains("type-mismatch"), "{out}");
    let (code, _, _) = lookup_stdin(&["--format", "jsonl", "--no-pack", "8.8.8.8"], b"");
    assert_eq!(code, 0);
}

#[test]
fn card_fits_100_columns_and_shows_queries_on_request() {
    let (_, out, _) =
        lookup_stdin(&["--format", "table", "--now", NOW, "--no-pack", "77.90.185.20"], b"");
    assert!(out.contains("verdict     malicious"), "{out}");
    assert!(out.contains("+75 ipsum: on 10 public blocklists"), "{out}");
    for line in out.lines() {
        assert!(line.chars().count() <= 100, "too wide: {line}");
        assert_eq!(line, line.trim_end(), "trailing space: {line:?}");
    }
    assert!(!out.contains("tstats") && !out.contains("\x1b["), "{out}");
    let (_, out, _) = lookup_stdin(
        &["--format", "table", "--queries", "--now", NOW, "--no-pack", "77.90.185.20"],
        b"",
    );
    assert!(out.contains("  splunk      | tstats") && out.contains("  kql         "), "{out}");
}

/// `--remote` calls run concurrently and the answers keep the input order: the server answers the first
/// value last, yet it is printed first.
#[test]
#[expect(clippy::disallowed_methods, reason = "the test times the run")]
fn remote_calls_overlap_and_keep_input_order() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let values = ["45.10.20.1", "45.10.20.2", "45.10.20.3", "45.10.20.4"];
    thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(mut stream) = stream else { continue };
            thread::spawn(move || {
                let head = read_head(&stream);
                // The first value answers last.
                let delay = if head.contains("45.10.20.1") { 1500 } else { 500 };
                thread::sleep(std::time::Duration::from_millis(delay));
                let body = r#"{"data":{"found":true,"risk":{"score":91,"level":"critical"},"confidence":"high"}}"#;
                let resp = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(resp.as_bytes());
            });
        }
    });
    let started = std::time::Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_ioclens"))
        .args([
            "lookup",
            "--format",
            "jsonl",
            "--now",
            NOW,
            "--no-pack",
            "--jobs",
            "4",
            "--remote",
            &url,
        ])
        .args(values)
        .env("IOCLENS_API_KEY", "k")
        .output()
        .expect("run ioclens");
    let took = started.elapsed();
    let got: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| json(l)["ioc_value"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(got, values);
    // One by one would take 1.5 + 3 × 0.5 s.
    assert!(took < std::time::Duration::from_millis(2500), "{took:?}");
}
