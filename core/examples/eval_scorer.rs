//! Evaluation of the lexical prior and of the whole scorer on `data/ml/ioc_sample.csv` (docs/model-eval.md).
//!
//! `cargo run --release -p ioclens-core --example eval_scorer [-- data/ml/ioc_sample.csv]`
//!
//! Whole-scorer variants:
//! * `train-intel`: the evidence every split was drawn from is removed from the embedded lists (Maltrail,
//!   `IPsum`, `tranco10k`, `majestic_million`, `university_domains`, `bank-website`, `cisco_top20k` (the
//!   Umbrella top list, the benign `test_ood` source), `public-dns-v4`, `crl-ip`, `smtp-*`) and replaced
//!   by lists built from the `train` rows only; every other embedded list stays.
//! * `embedded`: the shipped lists as they are. Leaky (the test rows were drawn from them), shown only to say
//!   what a user sees for values that are on the lists.
#![expect(clippy::disallowed_methods, reason = "an evaluation tool reads the sample file")]
#![expect(clippy::print_stdout, reason = "prints the report")]
#![expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]

use ioclens_core::intel::{Hit, Role};
use ioclens_core::score::{self, ScoreOptions};
use ioclens_core::{Classified, IocKind, classify};
use std::collections::{HashMap, HashSet};

const NOW: i64 = 1_787_443_200; // the data snapshot date: no decay involved

/// Lists a split was drawn from (data/SOURCES.md, ml/).
const SOURCE_LISTS: [&str; 11] = [
    "maltrail",
    "ipsum",
    "tranco10k",
    "majestic_million",
    "university_domains",
    "bank-website",
    "cisco_top20k",
    "public-dns-v4",
    "crl-ip",
    "smtp-sending-ips",
    "smtp-receiving-ips",
];

struct Row {
    indicator: String,
    kind: String,
    label: u8,
    source: String,
    family: String,
    split: String,
}

fn parse_csv(text: &str) -> Vec<Row> {
    let mut rows = Vec::new();
    for line in text.lines().skip(1) {
        let mut fields = Vec::new();
        let mut cur = String::new();
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '"' if quoted && chars.peek() == Some(&'"') => {
                    cur.push('"');
                    chars.next();
                }
                '"' => quoted = !quoted,
                ',' if !quoted => fields.push(std::mem::take(&mut cur)),
                _ => cur.push(c),
            }
        }
        fields.push(cur);
        if let [indicator, kind, label, source, family, _category, split] = &fields[..] {
            rows.push(Row {
                indicator: indicator.clone(),
                kind: kind.clone(),
                label: u8::from(label == "1"),
                source: source.clone(),
                family: family.clone(),
                split: split.clone(),
            });
        }
    }
    rows
}

fn classify_row(r: &Row) -> Classified {
    if r.kind == "url" {
        classify(&format!("http://{}", r.indicator))
    } else {
        classify(&r.indicator)
    }
}

fn host_of(c: &Classified) -> Option<String> {
    match c.kind {
        IocKind::Domain => Some(c.canonical.clone()),
        IocKind::Url => c.facts.url.as_ref().map(|u| u.host.clone()),
        _ => None,
    }
}

fn registrable(c: &Classified) -> Option<String> {
    c.facts.domain.as_ref().and_then(|d| d.registrable.clone())
}

fn parents(name: &str) -> impl Iterator<Item = &str> {
    std::iter::once(name).chain(name.match_indices('.').map(move |(i, _)| &name[i + 1..]))
}

/// Lists built from `train` rows only.
#[derive(Default)]
struct TrainIntel {
    benign_names: HashSet<String>,
    benign_regs: HashSet<String>,
    malicious_names: HashMap<String, String>,
    malicious_ips: HashMap<String, (String, String)>,
    benign_ips: HashSet<String>,
    malicious_urls: HashMap<String, String>,
}

impl TrainIntel {
    fn build(rows: &[Row]) -> TrainIntel {
        let mut t = TrainIntel::default();
        for r in rows.iter().filter(|r| r.split == "train") {
            let c = classify_row(r);
            match (r.kind.as_str(), r.label) {
                ("domain", 0) => {
                    t.benign_names.insert(c.canonical.clone());
                    if let Some(reg) = registrable(&c) {
                        t.benign_regs.insert(reg);
                    }
                }
                ("domain", _) => {
                    t.malicious_names.insert(c.canonical.clone(), r.family.clone());
                }
                ("ip", 0) => {
                    t.benign_ips.insert(c.canonical.clone());
                }
                ("ip", _) => {
                    t.malicious_ips
                        .insert(c.canonical.clone(), (r.source.clone(), r.family.clone()));
                }
                ("url", 1) => {
                    t.malicious_urls
                        .insert(r.indicator.trim_end_matches('/').to_owned(), r.family.clone());
                }
                _ => {}
            }
        }
        t
    }

    fn hits(&self, c: &Classified, embedded: &[Hit]) -> Vec<Hit> {
        let mut out: Vec<Hit> =
            embedded.iter().filter(|h| !SOURCE_LISTS.contains(&h.list.as_str())).cloned().collect();
        let hit = |role, list: &str, matched: &str| Hit {
            role,
            list: list.into(),
            matched: matched.into(),
            detail: None,
            count: None,
            family: None,
        };
        if let Some(host) = host_of(c) {
            for p in parents(&host) {
                if let Some(fam) = self.malicious_names.get(p) {
                    let mut h = hit(Role::Malware, "train:maltrail", p);
                    h.family = Some(fam.clone());
                    out.push(h);
                    break;
                }
            }
            let reg = if c.kind == IocKind::Domain { registrable(c) } else { None };
            if self.benign_names.contains(&host)
                || reg.is_some_and(|r| self.benign_regs.contains(&r))
            {
                out.push(hit(Role::PopularDomains, "train:top-lists", &host));
            }
        }
        if c.kind == IocKind::Url
            && let Some(u) = c.facts.url.as_ref()
        {
            let key = format!("{}{}", u.host, u.path.trim_end_matches('/'));
            if let Some(fam) = self.malicious_urls.get(&key) {
                let mut h = hit(Role::Malware, "train:maltrail-url", &key);
                h.family = Some(fam.clone());
                out.push(h);
            }
        }
        if c.kind == IocKind::Ipv4 {
            if let Some((source, fam)) = self.malicious_ips.get(&c.canonical) {
                if source == "ipsum" {
                    let mut h = hit(Role::Blocklist, "train:ipsum", &c.canonical);
                    h.count = embedded
                        .iter()
                        .find(|h| h.list == "ipsum")
                        .and_then(|h| h.count)
                        .or(Some(3));
                    out.push(h);
                } else {
                    let mut h = hit(Role::Malware, "train:maltrail", &c.canonical);
                    h.family = Some(fam.clone());
                    out.push(h);
                }
            }
            if self.benign_ips.contains(&c.canonical) {
                out.push(hit(Role::DnsResolvers, "train:public-dns-v4", &c.canonical));
            }
        }
        out
    }
}

/// ROC AUC (Mann-Whitney, ties averaged).
fn auc(pairs: &mut [(f64, u8)]) -> f64 {
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = pairs.len();
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && pairs[j + 1].0.total_cmp(&pairs[i].0).is_eq() {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += r * pairs[i..=j].iter().filter(|p| p.1 == 1).count() as f64;
        i = j + 1;
    }
    let pos = pairs.iter().filter(|p| p.1 == 1).count() as f64;
    let neg = n as f64 - pos;
    (rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg)
}

fn pr(pairs: &[(f64, u8)], thr: f64) -> (f64, f64) {
    let tp = pairs.iter().filter(|p| p.0 >= thr && p.1 == 1).count() as f64;
    let fp = pairs.iter().filter(|p| p.0 >= thr && p.1 == 0).count() as f64;
    let pos = pairs.iter().filter(|p| p.1 == 1).count() as f64;
    (
        if tp + fp > 0.0 { tp / (tp + fp) } else { f64::NAN },
        if pos > 0.0 { tp / pos } else { f64::NAN },
    )
}

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| "data/ml/ioc_sample.csv".into());
    let text = std::fs::read_to_string(&path).expect("read the sample csv");
    let rows = parse_csv(&text);
    let train = TrainIntel::build(&rows);
    let opts = ScoreOptions::default();

    println!("## Lexical prior (Rust implementation)\n");
    println!("| kind | split | n | AUC | precision / recall at p ≥ 0.5 |");
    println!("| --- | --- | ---: | ---: | --- |");
    for kind in ["domain", "url"] {
        for split in ["test", "test_ood"] {
            let mut pairs: Vec<(f64, u8)> = rows
                .iter()
                .filter(|r| r.kind == kind && r.split == split)
                .map(|r| {
                    (score::lexical_prior(&classify_row(r)).map_or(0.5, |p| p.probability), r.label)
                })
                .collect();
            let (p, rc) = pr(&pairs, 0.5);
            println!(
                "| {kind} | {split} | {} | {:.3} | {p:.3} / {rc:.3} |",
                pairs.len(),
                auc(&mut pairs)
            );
        }
    }

    for (variant, title) in [
        ("train-intel", "Whole scorer, intel from train rows only, split-source lists left out"),
        (
            "embedded",
            "Whole scorer, shipped lists as they are (leaky: the test rows were drawn from them)",
        ),
    ] {
        println!("\n## {title}\n");
        println!(
            "| kind | split | n | AUC | P/R score ≥ 20 (low) | P/R ≥ 40 (medium) | P/R ≥ 70 (high) | P/R ≥ 90 (critical) |"
        );
        println!("| --- | --- | ---: | ---: | --- | --- | --- | --- |");
        for kind in ["domain", "url", "ip"] {
            for split in ["test", "test_ood"] {
                let mut pairs: Vec<(f64, u8)> = Vec::new();
                let mut unclassified = 0;
                for r in rows.iter().filter(|r| r.kind == kind && r.split == split) {
                    let c = classify_row(r);
                    if c.kind == IocKind::Unknown {
                        unclassified += 1;
                    }
                    let embedded = ioclens_core::lookup::evidence(&c);
                    let hits =
                        if variant == "embedded" { embedded } else { train.hits(&c, &embedded) };
                    let s = score::score(&c, &hits, &opts, NOW);
                    if std::env::var_os("EVAL_DUMP").is_some()
                        && variant != "embedded"
                        && kind == "domain"
                        && split == "test_ood"
                    {
                        let names: Vec<String> = s
                            .factors
                            .iter()
                            .map(|f| format!("{}:{}", f.name, f.contribution))
                            .collect();
                        eprintln!("{}\t{}\t{}\t{}", r.label, s.score, r.indicator, names.join(","));
                    }
                    // Ties broken by the unclamped factor sum, so a 0 and a −20 are not "equal".
                    let raw: i32 = s.factors.iter().map(|f| f.contribution).sum();
                    pairs.push((f64::from(s.score) + f64::from(raw) * 1e-3, r.label));
                }
                let cells: Vec<String> = [20.0, 40.0, 70.0, 90.0]
                    .iter()
                    .map(|&t| {
                        let (p, rc) = pr(&pairs, t);
                        format!("{p:.3} / {rc:.3}")
                    })
                    .collect();
                let note = if unclassified > 0 {
                    format!(" ({unclassified} unclassified)")
                } else {
                    String::new()
                };
                println!(
                    "| {kind} | {split} | {}{note} | {:.3} | {} |",
                    pairs.len(),
                    auc(&mut pairs),
                    cells.join(" | ")
                );
            }
        }
    }
}
