//! `ioclens feed add --source NAME` refuses names that are empty, longer than 64 characters, multi-line or
//! padded with white space (exit 2, nothing stored), and accepts printable names up to 64 characters.
#![expect(clippy::disallowed_methods, reason = "the test writes a feed file")]
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_ioclens");

#[test]
fn feed_names_are_validated() {
    let dir = std::env::temp_dir().join(format!("ioclens-feed-names-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("list.txt");
    std::fs::write(&file, "evil.example\n203.0.113.7\n").unwrap();
    let db = dir.join("store.db");
    let add = |name: &str| {
        Command::new(BIN)
            .args(["feed", "add"])
            .arg(&file)
            .args(["--source", name, "--category", "community", "--confidence", "low", "--db"])
            .arg(&db)
            .output()
            .unwrap()
    };
    for bad in ["", "a\nb", "line\r", "tab\tname", " padded", &"x".repeat(65), &"x".repeat(3000)] {
        let out = add(bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("feed name"), "{bad:?}: {err}");
    }
    for good in ["cert-x", "ISAC energy", &"é".repeat(64)] {
        assert!(add(good).status.success(), "{good:?}");
    }
    let conn = ioclens_server::store::open(&db).unwrap();
    let names: Vec<String> =
        ioclens_server::store::feeds(&conn).unwrap().into_iter().map(|f| f.name).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    std::fs::remove_dir_all(dir).unwrap();
}
