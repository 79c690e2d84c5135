//! `ioclens attack` end to end: the real binary, its exit codes and its JSON.
use std::process::{Command, Output};

fn ioclens(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ioclens"))
        .args(args)
        .output()
        .expect("the ioclens binary runs")
}

#[test]
fn revoked_id_card_as_json() {
    let out = ioclens(&["attack", "T1086", "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v[0]["id"], "T1059.001");
    assert_eq!(v[0]["requested"], "T1086");
    assert_eq!(v[0]["attack_version"], "18.1");
    assert_eq!(v[0]["tactics"][0]["sentinel_name"], "Execution");
}

#[test]
fn unknown_id_exits_1_with_one_line() {
    let out = ioclens(&["attack", "T9999", "T1566", "--format", "jsonl"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim(), "ioclens: error: `T9999` is not in ATT&CK v18.1");
    // The known id is still printed.
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
    assert_eq!(line["name"], "Phishing");
}

#[test]
fn table_card_and_coverage() {
    let out = ioclens(&["attack", "T1071.001", "--format", "table"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("T1071.001  Web Protocols  (sub-technique, enterprise, ATT&CK v18.1)"),
        "{text}"
    );
    assert!(text.contains("Command and Control (TA0011, CommandAndControl)"));
    assert!(text.contains("https://attack.mitre.org/techniques/T1071/001"));

    let out = ioclens(&["attack", "--coverage", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["kev_total"], 1404);
    assert_eq!(v["kev_with_ctid"], 590);

    let out = ioclens(&["attack", "--coverage", "--format", "csv"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    let at = lines[0].split(',').position(|c| c == "kev_total").expect("kev_total column");
    assert_eq!(lines[1].split(',').nth(at), Some("1404"), "{text}");

    let out = ioclens(&["attack", "--license"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("The MITRE Corporation"));

    let out = ioclens(&["attack"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn csv_keeps_the_revoked_id_and_its_note() {
    let out = ioclens(&["attack", "T1086", "T1059.001", "--format", "csv"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "requested,id,kind,domain,name,tactics,url,note");
    assert!(lines[1].starts_with("T1086,T1059.001,"), "{text}");
    assert!(lines[1].contains("T1086 (PowerShell) is revoked"), "{text}");
    assert!(lines[2].starts_with("T1059.001,T1059.001,") && lines[2].ends_with(','), "{text}");
}
