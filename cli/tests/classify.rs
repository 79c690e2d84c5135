//! `ioclens classify` end to end: output formats, forced types and exit codes (documented in `src/main.rs`).
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ioclens"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ioclens runs");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
    child.wait_with_output().expect("ioclens finishes")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn tsv_is_type_tab_canonical() {
    let o =
        run(&["classify", "--format", "tsv", "hxxps://evil[.]com/", "8.8.8[.]8", "readme.md"], "");
    // `readme.md` is no indicator: it still gets its line, and the exit code says some input was not one.
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "url\thttps://evil.com\nipv4\t8.8.8.8\nunknown\t\n");
}

#[test]
fn reads_values_from_stdin_skipping_blank_lines() {
    let o = run(&["classify", "--format", "tsv"], "evil[.]com\n\n  CVE-2021-44228  \n");
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "domain\tevil.com\ncve\tCVE-2021-44228\n");
}

#[test]
fn jsonl_carries_facts_and_reason() {
    let o = run(&["classify", "--format", "jsonl", "10.1.2.3", "invoice.zip"], "");
    assert_eq!(o.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["type"], "ipv4");
    assert_eq!(lines[0]["facts"]["ip"]["scope"], "private");
    assert_eq!(lines[1]["type"], "unknown");
    assert!(lines[1]["reason"].as_str().is_some_and(|r| r.contains("file extension")));
}

#[test]
fn forced_type_mismatch_is_one_stderr_line_and_exit_1() {
    let o =
        run(&["classify", "--type", "domain", "--format", "tsv", "evil.com", "readme.notatld"], "");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "domain\tevil.com\n");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("TLD `notatld` does not exist"), "{err}");
}

#[test]
fn forced_domain_accepts_file_extension_tld() {
    let o = run(&["classify", "--type", "domain", "--format", "tsv", "readme.md"], "");
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "domain\treadme.md\n");
}

#[test]
fn unknown_type_name_is_usage_error() {
    let o = run(&["classify", "--type", "ip", "1.1.1.1"], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("types: ipv4"));
}

#[test]
fn csv_quotes_fields() {
    let o = run(&["classify", "--format", "csv", "a,b"], "");
    let out = stdout(&o);
    assert!(out.starts_with("input,type,canonical,defanged,reason\n"));
    assert!(out.contains("\"a,b\",unknown,"), "{out}");
    // A cell a spreadsheet would run as a formula gets a leading `'` (OWASP CSV injection).
    let o = run(&["classify", "--format", "csv", "=HYPERLINK(\"http://x.test\")"], "");
    let out = stdout(&o);
    assert!(out.contains("\n\"'=HYPERLINK(\"\"http://x.test\"\")\",unknown,"), "{out}");
}

#[test]
fn a_bad_line_is_an_error_record_not_the_end_of_the_batch() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ioclens"))
        .args(["classify", "--format", "jsonl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ioclens runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"evil[.]com\n\xff\xfebad\n8.8.8.8\n")
        .expect("write stdin");
    let o = child.wait_with_output().expect("ioclens finishes");
    assert_eq!(o.status.code(), Some(1));
    let lines: Vec<serde_json::Value> =
        stdout(&o).lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect();
    assert_eq!(lines.len(), 3, "{}", stdout(&o));
    assert_eq!(lines[0]["canonical"], "evil.com");
    assert_eq!(lines[1]["line"], 2);
    assert!(lines[1]["error"].as_str().is_some_and(|e| e.contains("invalid UTF-8")));
    assert_eq!(lines[2]["canonical"], "8.8.8.8");
    assert!(String::from_utf8_lossy(&o.stderr).contains("line 2: invalid UTF-8"));
}

#[test]
fn binary_stdin_is_refused_with_exit_1() {
    let o = run(&["classify"], "\u{0}\u{1}\u{2}ELF binary\u{0}\u{0}");
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("binary content") && err.contains("ioclens extract"), "{err}");
}

#[test]
fn help_lists_the_exit_codes() {
    let o = run(&["--help"], "");
    let text = stdout(&o);
    for line in ["0  ok", "1  some inputs were not indicators", "2  usage", "3  I/O or store"] {
        assert!(text.contains(line), "{line}: {text}");
    }
}
