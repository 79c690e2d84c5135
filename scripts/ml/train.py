#!/usr/bin/env python3
"""Train the lexical prior for domains and URLs (stdlib only, deterministic).

usage: scripts/ml/train.py [--root .] [--out data/ml/lexical_model.json [--abs-out]] [--report]

Reads data/ml/ioc_sample.csv (split=train only for fitting) and data/ml/dga_sample.csv (extra label-1 domains
for the DGA features), fits two L2 logistic regressions with plain SGD on standardised dense features, and
writes the weights, the standardisation, the TLD table and the character-bigram table to a JSON data file that
`cargo xtask codegen` turns into core/src/generated/ml.rs. With --report it prints ROC AUC and precision/recall
at the score thresholds on test and test_ood.

The feature definitions below are mirrored exactly by core/src/score/lexical.rs; keep the two in step (the
Rust unit test `lexical::tests::python_parity` pins a few feature vectors produced by this script).
"""
import argparse
import csv
import json
import math
import random

# ---------------------------------------------------------------- PSL (registrable domain)


def load_psl(path):
    rules, exceptions, wild = set(), set(), set()
    private = set()
    in_private = False
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if "===BEGIN PRIVATE DOMAINS===" in line:
            in_private = True
        if not line or line.startswith("//"):
            continue
        rule = line.split()[0].lower()
        try:
            rule = rule.encode("idna").decode("ascii") if not rule.isascii() else rule
        except UnicodeError:
            continue
        if rule.startswith("!"):
            exceptions.add(rule[1:])
        elif rule.startswith("*."):
            wild.add(rule[2:])
            if in_private:
                private.add(rule)
        else:
            rules.add(rule)
            if in_private:
                private.add(rule)
    return rules, exceptions, wild, private


def split_host(host, psl):
    """(registrable or None, subdomain, suffix) with the PSL; unknown TLDs use the last label (default rule *)."""
    rules, exceptions, wild, _ = psl
    labels = host.split(".")
    suffix_len = 1
    for i in range(len(labels)):
        cand = ".".join(labels[i:])
        if cand in exceptions:
            suffix_len = len(labels) - i - 1
            break
        if cand in rules:
            suffix_len = len(labels) - i
            break
        if i + 1 < len(labels) and ".".join(labels[i + 1:]) in wild:
            suffix_len = len(labels) - i
            break
    if suffix_len >= len(labels):
        return None, "", host
    reg = ".".join(labels[-(suffix_len + 1):])
    sub = ".".join(labels[: len(labels) - suffix_len - 1])
    return reg, sub, ".".join(labels[-suffix_len:])


# ---------------------------------------------------------------- features (mirror of lexical.rs)

VOWELS = set("aeiouy")
ALPHA = "abcdefghijklmnopqrstuvwxyz0123456789-"  # bigram alphabet; other bytes map to index 37 ("other")


def char_index(c):
    i = ALPHA.find(c)
    return i if i >= 0 else 37


def entropy(s):
    if not s:
        return 0.0
    counts = {}
    for c in s:
        counts[c] = counts.get(c, 0) + 1
    n = len(s)
    return -sum(v / n * math.log2(v / n) for v in counts.values())


def max_consonant_run(s):
    best = run = 0
    for c in s:
        if c.isalpha() and c not in VOWELS:
            run += 1
            best = max(best, run)
        else:
            run = 0
    return best


def bigram_rarity(s, table):
    """Mean negative log-probability of the label's bigrams (with ^ and $ as index 38/39 boundaries)."""
    if not s:
        return 0.0
    idx = [38] + [char_index(c) for c in s] + [39]
    total = 0.0
    for a, b in zip(idx, idx[1:]):
        total += table[a * 40 + b]
    return total / (len(idx) - 1)


# Only the registrable label ("core": `evil` in `a.b.evil.co.uk`) and the suffix shape are learned. The
# subdomain is deliberately NOT a learned feature: the benign training rows are registrable domains (top lists)
# while malicious rows carry subdomains, so subdomain features learn the sampling, not maliciousness, and
# invert out of distribution (test_ood AUC 0.279 with them, 0.70 without; docs/model-eval.md).
DOMAIN_FEATURES = [
    "core_len", "core_digit_ratio", "core_hyphens", "core_entropy", "core_consonant_run", "core_vowel_ratio",
    "core_bigram_rarity", "core_has_digit_run3", "suffix_labels",
]
# Path shape (length, depth, query, entropy, script extensions) is NOT learned: benign training URLs are
# security-vendor references with long paths, so those features learn the sampling and invert on test_ood
# (AUC 0.258 with them). What is kept are path facts that mean the same everywhere.
URL_FEATURES = ["host_is_ip", "has_port", "ext_exec", "ext_archive"]


def domain_features(host, psl, table):
    reg, _sub, suffix = split_host(host, psl)
    core = reg[: -(len(suffix) + 1)] if reg else host
    digits = sum(c.isdigit() for c in core)
    vowels = sum(c in VOWELS for c in core)
    letters = sum(c.isalpha() for c in core)
    run3 = 1.0 if any(core[i:i + 3].isdigit() for i in range(max(0, len(core) - 2))) else 0.0
    f = [
        len(core) / 10.0,
        digits / len(core) if core else 0.0,
        float(core.count("-")),
        entropy(core),
        max_consonant_run(core) / 5.0,
        vowels / letters if letters else 0.0,
        bigram_rarity(core, table),
        run3,
        float(len(suffix.split("."))),
    ]
    tld = host.rsplit(".", 1)[-1]
    return f, tld


EXEC = {"exe", "dll", "scr", "msi", "bin", "elf", "apk", "jar", "ps1", "bat", "cmd", "vbs", "hta", "sh", "lnk",
        "arm", "arm7", "mips", "mpsl", "x86", "i686", "m68k", "ppc", "sh4", "spc"}
ARCHIVE = {"zip", "rar", "7z", "gz", "tar", "tgz", "cab", "z"}


def url_split(u):
    """Scheme-less `host[:port]/path?query` → (host, port, path, query)."""
    s = u.split("://", 1)[1] if "://" in u else u
    rest = ""
    for i, c in enumerate(s):
        if c in "/?#":
            s, rest = s[:i], s[i:]
            break
    host, port = s, None
    if ":" in s and not s.startswith("["):
        host, port = s.rsplit(":", 1)
    path, query = rest, ""
    if "#" in path:
        path = path.split("#", 1)[0]
    if "?" in path:
        path, query = path.split("?", 1)
    if not path:
        path = "/"
    return host.lower().strip("[]"), port, path, query


def is_ip(host):
    parts = host.split(".")
    if len(parts) == 4 and all(p.isdigit() and int(p) < 256 for p in parts):
        return True
    return ":" in host


def url_features(u):
    host, port, path, _query = url_split(u)
    last = path.rsplit("/", 1)[-1].lower()
    ext = last.rsplit(".", 1)[-1] if "." in last else ""
    return host, [
        1.0 if is_ip(host) else 0.0,
        1.0 if port else 0.0,
        1.0 if ext in EXEC else 0.0,
        1.0 if ext in ARCHIVE else 0.0,
    ]


# ---------------------------------------------------------------- model


def sigmoid(z):
    if z < -35:
        return 0.0
    if z > 35:
        return 1.0
    return 1.0 / (1.0 + math.exp(-z))


def standardise(X):
    n, d = len(X), len(X[0])
    mean = [sum(x[j] for x in X) / n for j in range(d)]
    std = [math.sqrt(sum((x[j] - mean[j]) ** 2 for x in X) / n) or 1.0 for j in range(d)]
    return mean, std


def fit(X, y, tlds, l2, epochs, lr, seed):
    """SGD logistic regression on dense standardised features + one-hot TLD weights (by index)."""
    d = len(X[0])
    w = [0.0] * d
    wt = {}
    b = 0.0
    rng = random.Random(seed)
    order = list(range(len(X)))
    for epoch in range(epochs):
        rng.shuffle(order)
        step = lr / (1.0 + epoch)
        for i in order:
            x, t = X[i], tlds[i]
            z = b + sum(w[j] * x[j] for j in range(d)) + (wt.get(t, 0.0) if t is not None else 0.0)
            g = sigmoid(z) - y[i]
            b -= step * g
            for j in range(d):
                w[j] -= step * (g * x[j] + l2 * w[j])
            if t is not None:
                wt[t] = wt.get(t, 0.0) - step * (g + l2 * 4 * wt.get(t, 0.0))
    return b, w, wt


def auc(y, p):
    pairs = sorted(zip(p, y))
    # Mann-Whitney with ties averaged.
    ranks = [0.0] * len(pairs)
    i = 0
    while i < len(pairs):
        j = i
        while j + 1 < len(pairs) and pairs[j + 1][0] == pairs[i][0]:
            j += 1
        r = (i + j) / 2.0 + 1
        for k in range(i, j + 1):
            ranks[k] = r
        i = j + 1
    pos = sum(1 for _, t in pairs if t == 1)
    neg = len(pairs) - pos
    if pos == 0 or neg == 0:
        return float("nan")
    s = sum(r for r, (_, t) in zip(ranks, pairs) if t == 1)
    return (s - pos * (pos + 1) / 2) / (pos * neg)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=".")
    ap.add_argument("--out", default="data/ml/lexical_model.json")
    ap.add_argument("--abs-out", action="store_true", help="--out is a path on its own, not under --root")
    ap.add_argument("--report", action="store_true")
    args = ap.parse_args()
    root = args.root
    psl = load_psl(f"{root}/data/dns/public_suffix_list.dat")
    rows = list(csv.DictReader(open(f"{root}/data/ml/ioc_sample.csv", encoding="utf-8")))
    dga = list(csv.DictReader(open(f"{root}/data/ml/dga_sample.csv", encoding="utf-8")))
    heldout_regs = set()
    for r in rows:
        if r["split"] != "train" and r["kind"] == "domain":
            reg, _, _ = split_host(r["indicator"].lower(), psl)
            heldout_regs.add(reg)

    # Character bigram table from the registrable labels of train benign domains (add-one smoothing), as
    # negative natural-log probabilities, rows = previous char, 40 x 40 (37 chars, other, ^, $).
    counts = [[1.0] * 40 for _ in range(40)]
    for r in rows:
        if r["split"] == "train" and r["kind"] == "domain" and r["label"] == "0":
            reg, _, suffix = split_host(r["indicator"].lower(), psl)
            if not reg:
                continue
            core = reg[: -(len(suffix) + 1)]
            idx = [38] + [char_index(c) for c in core] + [39]
            for a, b in zip(idx, idx[1:]):
                counts[a][b] += 1
    table = []
    for a in range(40):
        tot = sum(counts[a])
        table.extend(round(-math.log(c / tot), 4) for c in counts[a])

    models = {}
    # ---- domain model: train rows + DGA sample rows whose registrable domain is not in test/test_ood.
    dom_train = [(r["indicator"].lower(), int(r["label"])) for r in rows if r["split"] == "train" and r["kind"] == "domain"]
    seen = {d for d, _ in dom_train}
    for r in dga:
        d = r["domain"].lower()
        reg, _, _ = split_host(d, psl)
        if d not in seen and reg not in heldout_regs:
            dom_train.append((d, 1))
            seen.add(d)
    dom_train.sort()
    X, T, Y = [], [], []
    for d, lab in dom_train:
        f, tld = domain_features(d, psl, table)
        X.append(f)
        T.append(tld)
        Y.append(lab)
    tld_counts = {}
    for t in T:
        tld_counts[t] = tld_counts.get(t, 0) + 1
    tld_vocab = sorted(t for t, c in tld_counts.items() if c >= 20)
    mean, std = standardise(X)
    Xs = [[(x[j] - mean[j]) / std[j] for j in range(len(x))] for x in X]
    Ti = [t if t in tld_vocab else None for t in T]
    b, w, wt = fit(Xs, Y, Ti, l2=1e-4, epochs=8, lr=0.05, seed=7)
    models["domain"] = {
        "features": DOMAIN_FEATURES, "bias": round(b, 6), "weights": [round(v, 6) for v in w],
        "mean": [round(v, 6) for v in mean], "std": [round(v, 6) for v in std],
        "tld_weights": {t: round(wt.get(t, 0.0), 6) for t in tld_vocab},
        "train_rows": len(Y),
    }

    # ---- url model: URL features + the host's domain features (one model).
    url_train = sorted((r["indicator"], int(r["label"])) for r in rows if r["split"] == "train" and r["kind"] == "url")
    XU, TU, YU = [], [], []
    for u, lab in url_train:
        host, uf = url_features(u)
        df, tld = domain_features(host, psl, table) if not is_ip(host) else ([0.0] * len(DOMAIN_FEATURES), None)
        XU.append(uf + df)
        TU.append(tld)
        YU.append(lab)
    umean, ustd = standardise(XU)
    XUs = [[(x[j] - umean[j]) / ustd[j] for j in range(len(x))] for x in XU]
    # No TLD weights for URLs: the benign reference URLs concentrate on a few TLDs (test_ood 0.632 with, 0.670 without).
    utld_vocab = []
    ub, uw, uwt = fit(XUs, YU, [None for _ in TU], l2=1e-4, epochs=8, lr=0.05, seed=11)
    models["url"] = {
        "features": URL_FEATURES + DOMAIN_FEATURES, "bias": round(ub, 6), "weights": [round(v, 6) for v in uw],
        "mean": [round(v, 6) for v in umean], "std": [round(v, 6) for v in ustd],
        "tld_weights": {t: round(uwt.get(t, 0.0), 6) for t in utld_vocab},
        "train_rows": len(YU),
    }
    out = {
        "about": "Lexical prior for domains and URLs; trained by scripts/ml/train.py on data/ml (split=train).",
        "bigram_neglogp": table,
        "models": models,
    }
    out_path = args.out if args.abs_out else f"{root}/{args.out}"
    with open(out_path, "w", encoding="utf-8") as fh:
        json.dump(out, fh, indent=1, sort_keys=True)
        fh.write("\n")

    if args.report:
        report(rows, psl, table, models)


def predict(model, f, tld):
    z = model["bias"]
    for j, v in enumerate(f):
        z += model["weights"][j] * (v - model["mean"][j]) / model["std"][j]
    z += model["tld_weights"].get(tld, 0.0) if tld else 0.0
    return sigmoid(z)


def report(rows, psl, table, models):
    for kind in ("domain", "url"):
        for split in ("train", "test", "test_ood"):
            ys, ps = [], []
            for r in rows:
                if r["kind"] != kind or r["split"] != split:
                    continue
                if kind == "domain":
                    f, tld = domain_features(r["indicator"].lower(), psl, table)
                else:
                    host, uf = url_features(r["indicator"])
                    df, tld = domain_features(host, psl, table) if not is_ip(host) else ([0.0] * len(DOMAIN_FEATURES), None)
                    f = uf + df
                ps.append(predict(models[kind], f, tld))
                ys.append(int(r["label"]))
            line = f"{kind:6s} {split:8s} n={len(ys):5d} AUC={auc(ys, ps):.3f}"
            for thr in (0.5,):
                tp = sum(1 for y, p in zip(ys, ps) if p >= thr and y == 1)
                fp = sum(1 for y, p in zip(ys, ps) if p >= thr and y == 0)
                fn = sum(1 for y, p in zip(ys, ps) if p < thr and y == 1)
                prec = tp / (tp + fp) if tp + fp else float("nan")
                rec = tp / (tp + fn) if tp + fn else float("nan")
                line += f"  p>={thr}: precision={prec:.3f} recall={rec:.3f}"
            print(line)


if __name__ == "__main__":
    main()
