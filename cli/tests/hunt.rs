//! `ioclens hunt` end to end: the real binary, its exit codes and its output.
use std::process::Command;

fn ioclens(args: &[&str]) -> (i32, String, String) {
    let out =
        Command::new(env!("CARGO_BIN_EXE_ioclens")).args(args).output().expect("ioclens runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn kql_only_with_lookback() {
    let (code, out, err) =
        ioclens(&["hunt", "--type", "ipv4", "203.0.113.10", "--kql", "--lookback", "24h"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("let lookback = 24h;"));
    assert!(out.contains("let iocs = dynamic([\"203.0.113.10\"]);"));
    assert!(!out.contains("| tstats"), "only KQL was asked for");
}

#[test]
fn json_groups_and_profiles() {
    let (code, out, err) = ioclens(&[
        "hunt",
        "--type",
        "domain",
        "a.example",
        "b.example",
        "--spl",
        "--profile",
        "raw",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let g = &v["groups"][0];
    assert_eq!(g["type"], "domain");
    assert_eq!(g["values"], 2);
    assert_eq!(g["spl"][0]["profile"], "raw");
    assert_eq!(
        g["spl"][0]["query"].as_str().unwrap().lines().next().unwrap(),
        "index=* earliest=-7d latest=now (\"a.example\" OR \"b.example\")"
    );
}

#[test]
fn es_profile_reads_threat_activity_first() {
    let (code, out, err) =
        ioclens(&["hunt", "--type", "ipv4", "203.0.113.10", "--spl", "--profile", "es"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Threat_Intelligence.Threat_Activity"), "{out}");
    assert!(!out.contains("| search"), "lookup filters are pushed down with where: {out}");
}

#[test]
fn errors_have_exit_codes() {
    let (code, _, err) = ioclens(&["hunt", "--type", "ipv4", "1.2.3.4", "--lookback", "7y"]);
    assert_eq!(code, 2, "bad option is a usage error");
    assert!(err.contains("lookback"));
    let (code, _, err) = ioclens(&["hunt", "--type", "sha256", "not-a-hash"]);
    assert_eq!(code, 1);
    assert!(err.contains("not a valid sha256"));
    let (code, _, _) = ioclens(&["hunt", "--type", "nonsense", "x"]);
    assert_eq!(code, 2);
}

#[test]
fn match_everything_values_are_skipped_and_the_rest_still_written() {
    // `hxxp://` refangs to `http://`, `[.]` to `.`: empty once normalised, never `IN ("")`.
    for (kind, v) in
        [("url", "hxxp://"), ("domain", "[.]"), ("domain", "co.uk"), ("cidr", "0.0.0.0/0")]
    {
        let (code, out, err) = ioclens(&["hunt", "--type", kind, v, "--format", "json"]);
        assert_eq!(code, 1, "{kind} {v}: {err}");
        assert!(err.contains("skipped"), "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        assert!(v["groups"].as_array().unwrap().is_empty(), "{out}");
    }
    // One bad ATT&CK id no longer drops every SPL and KQL query.
    let (code, out, err) = ioclens(&["hunt", "T1059", "G0016", "TA9999", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("G0016") && err.contains("TA9999"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let g = &v["groups"][0];
    assert_eq!((g["type"].as_str(), g["values"].as_u64()), (Some("attack"), Some(1)));
    assert!(!g["spl"].as_array().unwrap().is_empty() && !g["kql"].as_array().unwrap().is_empty());
    // Sigma rules carry today's date.
    let (code, out, _) = ioclens(&["hunt", "--type", "sha256", &"ab".repeat(32), "--sigma"]);
    assert_eq!(code, 0);
    assert!(out.contains("\ndate: 20") && out.contains("SHA256=ABAB"), "{out}");
}

#[test]
#[expect(clippy::disallowed_methods, reason = "the test writes a report file for the CLI to read")]
fn extract_hunt_batches_a_report() {
    let dir = std::env::temp_dir().join(format!("ioclens-hunt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let report = dir.join("report.txt");
    std::fs::write(
        &report,
        "C2 at 203.0.113.7 and 198.51.100.23; exploited CVE-2021-44228.\nSHA256 275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f\nBeacon to hxxps://c2[.]evil-cdn[.]net/gate.php\nallowed 0.0.0.0/0 and 10.0.0.0/8\n",
    )
    .expect("write report");
    let path = report.to_string_lossy().into_owned();
    // By default the documentation (reserved) addresses are dropped, each named in the notes.
    let (code, out, err) = ioclens(&["extract", &path, "--hunt", "--format", "json", "--kql"]);
    assert_eq!(code, 1, "the whole-internet ranges are skipped: {err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("hunt json");
    let groups = v["groups"].as_array().expect("groups");
    assert!(!groups.iter().any(|g| g["type"] == "ipv4"), "{out}");
    assert!(groups.iter().any(|g| g["type"] == "cve"));
    let notes = v["notes"].to_string();
    assert!(notes.contains("dropped ipv4 203.0.113.7: verdict reserved"), "{notes}");
    assert!(notes.contains("--keep-benign"), "{notes}");
    // --keep-benign hunts for them too.
    let (code, out, err) =
        ioclens(&["extract", &path, "--hunt", "--keep-benign", "--format", "json", "--kql"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("hunt json");
    let groups = v["groups"].as_array().expect("groups");
    let ipv4 = groups.iter().find(|g| g["type"] == "ipv4").expect("ipv4 group");
    assert_eq!(ipv4["values"], 2, "both addresses in one batched query");
    let q = ipv4["kql"][0]["query"].as_str().expect("kql");
    assert!(q.contains(r#"let iocs = dynamic(["203.0.113.7", "198.51.100.23"]);"#), "{q}");
    assert!(groups.iter().any(|g| g["type"] == "cve"));
    // The URL's host is hunted too (DNS, proxy, firewall FQDN, TLS SNI see it, not the HTTPS path).
    let domain =
        groups.iter().find(|g| g["type"] == "domain").expect("domain group for the URL host");
    assert!(domain["kql"][0]["query"].as_str().unwrap().contains("\"c2.evil-cdn.net\""));
    // Whole-internet ranges are never hunted: skipped with a reason, exit 1.
    assert!(!groups.iter().any(|g| g["type"] == "cidr"), "{out}");
    let skipped: Vec<&str> = v["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .filter_map(|s| s["value"].as_str())
        .collect();
    assert_eq!(skipped, ["0.0.0.0/0", "10.0.0.0/8"]);
    assert_eq!(code, 1);
    assert!(err.contains("`0.0.0.0/0` skipped"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

// `ioclens extract` on documents (issue 19). Kept in this test binary: one link fewer.

fn sample(name: &str) -> String {
    format!("{}/../tests/fixtures/documents/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
#[expect(clippy::disallowed_methods, reason = "the test reads a sample to pipe it in")]
fn extract_reads_documents_by_content_and_names_parts() {
    // The e-mail: headers, parts and the attachment's digests, each mention with its part.
    let (code, out, err) = ioclens(&["extract", &sample("phish.eml"), "--format", "jsonl"]);
    assert_eq!(code, 0, "{err}");
    let mentions: Vec<serde_json::Value> =
        out.lines().map(|l| serde_json::from_str(l).expect("jsonl")).collect();
    let has = |part: &str, canonical: &str| {
        mentions.iter().any(|m| m["part"] == part && m["canonical"] == canonical)
    };
    assert!(has("header:Reply-To", "billing@kalo.top"), "{out}");
    assert!(has("header:Received[1]", "194.87.31.206"), "{out}");
    assert!(has("part 4 text/html", "http://cdn.kalo.top/logo.png"), "{out}");
    assert!(
        has(
            "attachment invoice.pdf",
            "4b6666e17f60d0e45f43106a8ae8722acdeb01e05eda3fd6dfbc3e1e503bbd4d"
        ),
        "{out}"
    );
    assert!(has("attachment invoice.pdf > page 1", "http://pay.kalo.top/inv/7731"), "{out}");
    // A mention carries the core's `Extracted` fields; the span only when the value was written: an
    // attachment's digests are computed, so theirs is left out.
    for m in &mentions {
        let computed = m["part"] == "attachment invoice.pdf";
        assert_eq!(m.get("span").is_none(), computed, "{m}");
        assert!(m["defanged"].is_boolean(), "{m}");
    }
    // The format comes from the content, not the name: a DOCX read from stdin.
    let docx = std::fs::read(sample("report.docx")).expect("sample");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ioclens"))
        .args(["extract", "--format", "tsv"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("ioclens runs");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), &docx).expect("write");
    let got = child.wait_with_output().expect("ioclens ends");
    let tsv = String::from_utf8_lossy(&got.stdout);
    assert!(tsv.contains("url\thttp://files.lantern-files.com/a.zip\n"), "{tsv}");
    assert!(tsv.contains("url\thttps://drive.lantern-files.com/share/9f2?dl=1&x=2\n"), "{tsv}");
    // A PDF report feeds --hunt like a text one.
    let (code, out, err) =
        ioclens(&["extract", &sample("report.pdf"), "--hunt", "--format", "json", "--kql"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("185.220.101.47") && out.contains("CVE-2023-4966"), "{out}");
}

#[test]
fn extract_refuses_binary_and_explains_unreadable_pdfs() {
    let (code, out, err) = ioclens(&["extract", env!("CARGO_BIN_EXE_ioclens"), "--format", "tsv"]);
    assert_eq!((code, out.as_str()), (1, ""), "{err}");
    assert!(err.contains("binary content that is not a PDF, DOCX, HTML or e-mail"), "{err}");
    let (code, out, err) = ioclens(&["extract", &sample("encrypted.pdf"), "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    assert!(err.contains("encrypted") && err.contains("(pdf-encrypted)"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["diagnostics"][0]["code"], "pdf-encrypted");
    assert_eq!(v["iocs"].as_array().map(Vec::len), Some(0));
}

#[test]
fn conflicting_or_ignored_flags_are_usage_errors() {
    let (code, _, err) = ioclens(&["hunt", "evil.com", "--profile", "cim", "--profile", "raw"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--profile cim and raw conflict"), "{err}");
    // One SPL and one KQL profile is fine.
    let (code, _, _) = ioclens(&["hunt", "evil.com", "--profile", "raw", "--profile", "asim"]);
    assert_eq!(code, 0);
    let (code, _, err) = ioclens(&["extract", &sample("phish.eml"), "--spl"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--spl only applies to the queries of --hunt"), "{err}");
    let (code, _, err) = ioclens(&["hunt", "evil.com", "--format", "tsv"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn hunt_csv_is_one_query_per_row() {
    let (code, out, _) = ioclens(&["hunt", "evil.com", "45.77.12.9", "--kql", "--format", "csv"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("type,target,profile,title,values,window,notes,query\n"), "{out}");
    assert!(out.contains("\ndomain,kql,") && out.contains("\nipv4,kql,"), "{out}");
}

#[test]
fn extract_csv_has_part_and_scope_for_text_and_documents() {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_ioclens"))
        .args(["extract", "--format", "csv"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("ioclens runs");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(b"beacon to 10.0.0.5 and =evil[.]com\n").expect("write");
    drop(stdin);
    let o = child.wait_with_output().expect("ioclens finishes");
    let (code, out) = (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout));
    assert_eq!(code, 0);
    let header = "type,canonical,part,start,end,defanged,implied,scope,port";
    assert!(out.starts_with(&format!("{header}\n")), "{out}");
    assert!(out.contains("\nipv4,10.0.0.5,,10,18,false,false,private,\n"), "{out}");
    let (_, doc, _) = ioclens(&["extract", &sample("phish.eml"), "--format", "csv"]);
    assert!(doc.starts_with(&format!("{header}\n")), "{doc}");
    assert!(doc.lines().count() > 1 && doc.contains(",header:"), "{doc}");
    let digest = "4b6666e17f60d0e45f43106a8ae8722acdeb01e05eda3fd6dfbc3e1e503bbd4d";
    let row = format!("\nsha256,{digest},attachment invoice.pdf,,,false,false,,\n");
    assert!(doc.contains(&row), "{doc}");
}

/// `hunt --format jsonl` streams: the first window's queries arrive while stdin (kept open) has not ended, and
/// each window of `--batch-size` values is one batch.
#[test]
fn hunt_jsonl_streams_by_window() {
    use std::io::{BufRead as _, Write as _};
    let mut child = Command::new(env!("CARGO_BIN_EXE_ioclens"))
        .args(["hunt", "--format", "jsonl", "--kql", "--no-ti", "--batch-size", "2"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("ioclens runs");
    let mut stdin = child.stdin.take().expect("stdin");
    // The window fills at the second value and is written at once.
    stdin.write_all(b"45.77.12.1\n45.77.12.2\n").expect("write");
    stdin.flush().expect("flush");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut lines = std::io::BufReader::new(stdout).lines().map_while(Result::ok);
        let _ = tx.send(lines.next().unwrap_or_default());
        lines.collect::<Vec<_>>()
    });
    let first = rx.recv_timeout(std::time::Duration::from_mins(1)).expect("a query before EOF");
    let v: serde_json::Value = serde_json::from_str(&first).expect("JSON");
    assert_eq!(v["values"], 2);
    assert!(v["query"].as_str().is_some_and(|q| q.contains("45.77.12.2")), "{first}");
    stdin.write_all(b"45.77.12.3\n").expect("write");
    drop(stdin);
    let rest = reader.join().expect("reader");
    assert_eq!(rest.len(), 1, "{rest:?}");
    assert!(rest[0].contains("45.77.12.3"));
    assert!(child.wait().expect("exit").success());
}
