//! Generator slot `ml`: writes `core/src/generated/ml.rs` from `data/ml/lexical_model.json` (the weights that
//! `scripts/ml/train.py` exports).
use super::{Output, header};
use anyhow::{Context, Result};
use serde_json::Value;
use std::fmt::Write as _;
use std::path::Path;

fn floats(v: &Value) -> Result<Vec<f64>> {
    v.as_array().context("array")?.iter().map(|x| x.as_f64().context("number")).collect()
}

/// `{x:?}` of an f64 always has a decimal point or exponent, so it is a valid f64 literal.
fn list(xs: &[f64]) -> String {
    let items: Vec<String> = xs.iter().map(|x| format!("{x:?}")).collect();
    format!("[{}]", items.join(", "))
}

#[expect(clippy::disallowed_methods, reason = "xtask reads data/: the I/O ban is for core")]
pub(crate) fn generate(root: &Path) -> Result<Vec<Output>> {
    let path = root.join("data/ml/lexical_model.json");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let doc: Value = serde_json::from_str(&text)?;
    let mut rs = header("data/ml/lexical_model.json (trained by scripts/ml/train.py)");
    rs.push_str("#![allow(clippy::unreadable_literal, reason = \"generated tables\")]\n\n");
    let bigram = floats(&doc["bigram_neglogp"])?;
    let _ = writeln!(
        rs,
        "/// Negative log-probability of character bigrams in benign registrable labels (40 x 40)."
    );
    let _ = writeln!(
        rs,
        "pub(crate) static BIGRAM_NEGLOGP: [f64; {}] = {};\n",
        bigram.len(),
        list(&bigram)
    );
    for kind in ["domain", "url"] {
        let m = &doc["models"][kind];
        let up = kind.to_uppercase();
        let weights = floats(&m["weights"])?;
        let names: Vec<String> = m["features"]
            .as_array()
            .context("features")?
            .iter()
            .filter_map(|x| x.as_str().map(str::to_owned))
            .collect();
        let _ = writeln!(rs, "/// `{kind}` model: feature names, in order.");
        let _ =
            writeln!(rs, "pub(crate) static {up}_FEATURES: [&str; {}] = {:?};", names.len(), names);
        let _ = writeln!(rs, "/// `{kind}` model: intercept.");
        let _ = writeln!(
            rs,
            "pub(crate) const {up}_BIAS: f64 = {:?};",
            m["bias"].as_f64().context("bias")?
        );
        let _ = writeln!(rs, "/// `{kind}` model: weights on standardised features.");
        let _ = writeln!(
            rs,
            "pub(crate) static {up}_WEIGHTS: [f64; {}] = {};",
            weights.len(),
            list(&weights)
        );
        let mean = floats(&m["mean"])?;
        let _ = writeln!(rs, "/// `{kind}` model: feature means (train).");
        let _ =
            writeln!(rs, "pub(crate) static {up}_MEAN: [f64; {}] = {};", mean.len(), list(&mean));
        let std = floats(&m["std"])?;
        let _ = writeln!(rs, "/// `{kind}` model: feature standard deviations (train).");
        let _ = writeln!(rs, "pub(crate) static {up}_STD: [f64; {}] = {};", std.len(), list(&std));
        let tlds = m["tld_weights"].as_object().context("tld_weights")?;
        let _ = writeln!(
            rs,
            "/// `{kind}` model: TLD weights, sorted by TLD (TLDs seen fewer than 20 times have none)."
        );
        let _ = writeln!(rs, "pub(crate) static {up}_TLDS: [(&str, f64); {}] = [", tlds.len());
        for (t, w) in tlds {
            let _ = writeln!(rs, "    ({t:?}, {:?}),", w.as_f64().unwrap_or(0.0));
        }
        rs.push_str("];\n\n");
    }
    Ok(vec![Output { path: "core/src/generated/ml.rs".into(), contents: rs }])
}
