//! Structural lint for every SPL query the generator can produce (docs/queries.md, Validation): balanced quotes,
//! parentheses and brackets; no backtick (macro expansion); pipe structure with known commands;
//! `tstats … from datamodel=… where … by …` order; time bounds; and every `Dataset.field` present in
//! `data/splunk_cim_fields.json` for the data model named in `from datamodel=`.
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

mod support;

/// Data model → dataset leaf name → fields.
type Cim = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

#[expect(
    clippy::disallowed_methods,
    reason = "the test reads the CIM field list; the I/O ban is for the core library"
)]
fn cim() -> Cim {
    let text = std::fs::read_to_string(support::root().join("data/splunk_cim_fields.json"))
        .expect("CIM field list");
    let json: Value = serde_json::from_str(&text).expect("CIM JSON");
    let mut out = Cim::new();
    for (model, datasets) in json["models"].as_object().expect("models") {
        for (path, ds) in datasets.as_object().expect("datasets") {
            let leaf = path.rsplit('.').next().unwrap_or(path).to_owned();
            let fields = ds["fields"].as_object().expect("fields").keys().cloned();
            out.entry(model.clone()).or_default().entry(leaf).or_default().extend(fields);
        }
    }
    // Fields observed in ESCU for the ES-only Risk model (listed in the file's `_meta`).
    for (path, fields) in json["_meta"]["observed_in_escu_only"].as_object().expect("escu fields") {
        let (model, leaf) = path.split_once('.').expect("Model.Dataset");
        let set = out.entry(model.to_owned()).or_default().entry(leaf.to_owned()).or_default();
        set.extend(
            fields.as_array().expect("list").iter().filter_map(|f| f.as_str().map(str::to_owned)),
        );
    }
    out
}

/// Replaces every `"…"` string with `"S"` after checking it closes; errors on unbalanced delimiters.
fn skeleton(q: &str) -> Result<String, String> {
    if q.contains('`') {
        // Any backtick, quoted or escaped, may start a macro expansion.
        return Err("backtick in query (macro expansion)".into());
    }
    let mut out = String::new();
    let mut stack = Vec::new();
    let mut chars = q.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                let mut closed = false;
                while let Some(s) = chars.next() {
                    match s {
                        '\\' if chars.next().is_none() => {
                            return Err("string ends in a backslash".into());
                        }
                        '"' => {
                            closed = true;
                            break;
                        }
                        _ => {}
                    }
                }
                if !closed {
                    return Err("unterminated string".into());
                }
                out.push_str("\"S\"");
                continue;
            }
            '(' | '[' => stack.push(c),
            ')' | ']' => {
                let open = stack.pop().ok_or(format!("unbalanced `{c}`"))?;
                if (open, c) != ('(', ')') && (open, c) != ('[', ']') {
                    return Err(format!("`{open}` closed by `{c}`"));
                }
            }
            _ => {}
        }
        out.push(c);
    }
    if let Some(open) = stack.pop() {
        return Err(format!("unclosed `{open}`"));
    }
    Ok(out)
}

const COMMANDS: &[&str] = &[
    "tstats",
    "rename",
    "where",
    "convert",
    "stats",
    "lookup",
    "inputlookup",
    "search",
    "table",
    "eval",
];

fn words(s: &str) -> Vec<&str> {
    s.split_whitespace().collect()
}

/// Checks one query; returns every problem found. A query made of searches joined by `| append [ … ]`
/// (the lookup package's one-query form) is checked as a whole for balance, then search by search.
fn lint(q: &str, cim: &Cim) -> Vec<String> {
    if q.contains("\n| append [") {
        if let Err(e) = skeleton(q) {
            return vec![e];
        }
        let mut errs = Vec::new();
        let mut parts = q.split("\n| append [");
        let first = parts.next().unwrap_or("");
        errs.extend(lint_one(first, cim));
        for p in parts {
            let Some((inner, tail)) = p.rsplit_once(']') else {
                errs.push("append without `]`".into());
                continue;
            };
            errs.extend(lint_one(inner, cim));
            if !tail.trim().is_empty() && !tail.trim_start().starts_with("| convert") {
                errs.push(format!("unexpected text after a subsearch: {tail}"));
            }
        }
        return errs;
    }
    lint_one(q, cim)
}

fn lint_one(q: &str, cim: &Cim) -> Vec<String> {
    let mut errs = Vec::new();
    let sk = match skeleton(q) {
        Ok(s) => s,
        Err(e) => return vec![e],
    };
    let segments: Vec<&str> = sk.split('|').collect();
    let generating = segments[0].trim().is_empty();
    if !generating
        && !segments[0].trim_start().starts_with("index=")
        && !segments[0].trim_start().starts_with("(index=")
    {
        errs.push(format!(
            "first segment is neither a generating command nor an index search: {}",
            segments[0]
        ));
    }
    if !generating && (!segments[0].contains("earliest=") || !segments[0].contains("latest=")) {
        errs.push("raw search without earliest=/latest=".into());
    }
    let mut model: Option<String> = None;
    // Fields a tstats search outputs (its `by` fields and `as` names); post-filters may read only these.
    let mut outputs: Option<Vec<String>> = None;
    for (i, seg) in segments.iter().enumerate().skip(1) {
        let w = words(seg);
        let Some(cmd) = w.first() else {
            errs.push(format!("empty pipe segment {i}"));
            continue;
        };
        if !COMMANDS.contains(cmd) {
            errs.push(format!("unknown command `{cmd}`"));
        }
        if *cmd == "tstats" {
            if i != 1 {
                errs.push("tstats is not the first command".into());
            }
            let pos = |k: &str| w.iter().position(|x| x.eq_ignore_ascii_case(k));
            let (Some(f), Some(wh)) = (pos("from"), pos("where")) else {
                errs.push("tstats without from/where".into());
                continue;
            };
            let by = pos("by");
            if !(f < wh && by.is_none_or(|b| wh < b)) {
                errs.push("tstats clauses out of order (from … where … by …)".into());
            }
            let Some(dm) = w.get(f + 1).and_then(|x| x.strip_prefix("datamodel=")) else {
                errs.push("tstats from without datamodel=".into());
                continue;
            };
            let (m, _) = dm.split_once('.').unwrap_or((dm, ""));
            if !cim.contains_key(m) {
                errs.push(format!("unknown data model `{m}`"));
            }
            model = Some(m.to_owned());
            let mut out: Vec<String> = vec!["count".into(), "firstTime".into(), "lastTime".into()];
            for (j, x) in w.iter().enumerate() {
                if x.eq_ignore_ascii_case("as")
                    && let Some(n) = w.get(j + 1)
                {
                    out.push((*n).to_owned());
                }
            }
            if let Some(b) = by {
                for x in &w[b + 1..] {
                    out.push(x.split_once('.').map_or(*x, |(_, f)| f).to_owned());
                }
            }
            outputs = Some(out);
            if !(seg.contains("earliest=") && seg.contains("latest=")) {
                errs.push("tstats without earliest=/latest=".into());
            }
            // Every Dataset.field token.
            let body = seg.replace(&format!("datamodel={dm}"), "");
            for tok in body.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.')) {
                if !tok.contains('.') {
                    continue;
                }
                let tok = tok.trim_end_matches('.');
                let Some((ds, field)) = tok.split_once('.') else { continue };
                let known = cim.get(m).and_then(|d| d.get(ds)).is_some_and(|f| f.contains(field));
                if !known {
                    errs.push(format!("`{tok}` is not a CIM field of {m}"));
                }
            }
        }
        if *cmd == "where"
            && let Some(out) = &outputs
        {
            for func in ["lower(", "match(", "replace("] {
                for (at, _) in seg.match_indices(func) {
                    let arg: String = seg[at + func.len()..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
                        .collect();
                    if !arg.is_empty() && !out.contains(&arg) {
                        errs.push(format!(
                            "post-filter reads `{arg}`, which the search does not output"
                        ));
                    }
                }
            }
        }
        if *cmd == "rename"
            && let Some(m) = &model
            && let Some(ds) = w.get(1).and_then(|x| x.strip_suffix(".*"))
            && !cim[m].contains_key(ds)
        {
            errs.push(format!("rename of unknown dataset `{ds}`"));
        }
    }
    errs
}

#[test]
fn lint_catches_broken_queries() {
    let cim = cim();
    let good = "| tstats count from datamodel=Web.Web where earliest=-7d@d latest=now Web.url IN (\"a\\\"b\") by Web.src\n| rename Web.* AS *";
    assert_eq!(lint(good, &cim), Vec::<String>::new());
    let bad = [
        ("index=* earliest=-1d latest=now \"a", "unterminated string"),
        ("index=* earliest=-1d latest=now (\"a\"", "unclosed `(`"),
        ("index=* earliest=-1d latest=now x | ", "empty pipe segment 1"),
        ("index=* earliest=-1d latest=now `m`", "backtick in query (macro expansion)"),
        ("index=* \"a\"", "raw search without earliest=/latest="),
        (
            "| tstats count from datamodel=Web.Web by Web.src where earliest=-1d latest=now Web.url=\"x\"",
            "tstats clauses out of order (from … where … by …)",
        ),
        (
            "| tstats count from datamodel=Web.Web where earliest=-1d latest=now Web.DestinationIp=\"x\"",
            "`Web.DestinationIp` is not a CIM field of Web",
        ),
        ("index=* earliest=-1d latest=now x | dedup y", "unknown command `dedup`"),
        (
            "| tstats count from datamodel=Web.Web where earliest=-1d latest=now Web.url_domain=\"x\" by Web.src\n| rename Web.* AS *\n| where match(url_domain, \"x\")",
            "post-filter reads `url_domain`, which the search does not output",
        ),
    ];
    for (q, want) in bad {
        assert!(lint(q, &cim).iter().any(|e| e == want), "{q}: {:?}", lint(q, &cim));
    }
}

#[test]
fn every_generated_spl_query_passes() {
    let cim = cim();
    let mut checked = 0;
    let mut failures = Vec::new();
    for e in support::matrix() {
        if e.query.target != ioclens_core::query::Target::Spl {
            continue;
        }
        checked += 1;
        for err in lint(&e.query.query, &cim) {
            failures.push(format!(
                "{}/{}/{}: {err}\n{}",
                e.case, e.profile, e.query.title, e.query.query
            ));
        }
    }
    // The lookup package's single query (`spl_for`): every data model appended into one search.
    let opts = ioclens_core::query::QueryOptions::default();
    for (name, input) in support::golden() {
        if let Ok(q) = ioclens_core::query::spl_for(input.kind, &input.value, &opts) {
            checked += 1;
            for err in lint(&q, &cim) {
                failures.push(format!("spl_for {name}: {err}\n{q}"));
            }
        }
    }
    assert!(checked > 100, "only {checked} SPL queries in the matrix");
    assert!(
        failures.is_empty(),
        "{} SPL lint failures:\n{}",
        failures.len(),
        failures[..failures.len().min(10)].join("\n\n")
    );
}
