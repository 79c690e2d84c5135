#!/usr/bin/env python3
"""Score `ioclens extract` against a corpus written by corpus.py (docs/accuracy.md).

    python3 scripts/eval/score.py DIR --bin target/debug/ioclens [--gate]

Prints per-type precision/recall/F1 on DIR/accuracy.jsonl, the false positives on DIR/traps.jsonl and the
per-style recall matrix on DIR/probes.jsonl. With --gate, exits 1 when micro-F1 over the ten base types <
--min-f1, domain or URL precision < --min-precision, precision or recall of any issue-19 type (BTC, registry key,
file path, ASN, onion, ip:port, ATT&CK object) < --min-new, or any trap document yields a scored indicator.

Each set is extracted in one run of the binary (`--format jsonl`, spans in bytes): the documents are joined with
blank lines and every mention is given back to the document its span falls in. Standard library only.
"""

import argparse
import bisect
import json
import subprocess
import sys

from labels import BASE_TYPES, NEW_TYPES, TYPES, Tally, canonical_map

SEPARATOR = "\n\n\f\n\n"


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def extract_many(binary, texts):
    """One `ioclens extract` over all texts; returns, per text, {type: set(raw value)} (implied values included;
    an IPv4 written with its port also as `ip_port` `ip:port`)."""
    starts, pieces, offset = [], [], 0
    for text in texts:
        starts.append(offset)
        data = text.encode("utf-8")
        pieces.append(data)
        offset += len(data) + len(SEPARATOR)
    blob = SEPARATOR.encode("utf-8").join(pieces)
    run = subprocess.run([binary, "extract", "-", "--format", "jsonl"], input=blob, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, check=False)
    if run.returncode != 0:
        sys.exit("score: %s extract failed (%d): %s" % (binary, run.returncode, run.stderr.decode(errors="replace")))
    found = [{} for _ in texts]
    for line in run.stdout.decode("utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        doc = bisect.bisect_right(starts, row["span"]["start"]) - 1
        found[doc].setdefault(row["type"], set()).add(row["canonical"])
        if row["type"] == "ipv4" and row.get("port"):
            found[doc].setdefault("ip_port", set()).add("%s:%d" % (row["canonical"], row["port"]))
    return found


def accuracy(docs, found, kinds=TYPES):
    tally = Tally()
    for doc, raw in zip(docs, found):
        tally.add(doc["labels"], doc.get("allowed", {}), canonical_map(raw), kinds)
    return tally


def traps(docs, found, kinds=TYPES):
    """Every scored value reported on a trap document, as (document id, type, value)."""
    out = []
    for doc, raw in zip(docs, found):
        for kind, values in sorted(canonical_map(raw).items()):
            if kind in kinds:
                out.extend((doc["id"], kind, v) for v in sorted(values))
    return out


def probe_matrix(rows, found, kinds=TYPES):
    """Markdown table: hits per (type, style) in the order the corpus lists them."""
    order, hits, totals, example = [], {}, {}, {}
    for row, raw in zip(rows, found):
        key = (row["type"], row["style"])
        if key not in totals:
            order.append(key)
            totals[key] = hits[key] = 0
            sample = row["text"].split(" to ", 1)[1].rsplit(" during ", 1)[0]
            example[key] = sample.encode("ascii", "backslashreplace").decode("ascii").replace("|", "\\|")
        if row["type"] not in kinds:
            continue
        totals[key] += 1
        hits[key] += canonical_map(raw).get(row["type"], set()).__contains__(row["value"])
    lines = ["| type | style | example | found |", "|---|---|---|---|"]
    for key in order:
        cell = "%d/%d" % (hits[key], totals[key]) if totals[key] else "n/a"
        lines.append("| %s | %s | `%s` | %s |" % (key[0], key[1], example[key], cell))
    return "\n".join(lines), sum(hits.values()), sum(totals.values())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("dir", help="directory written by corpus.py")
    ap.add_argument("--bin", required=True, help="the ioclens binary")
    ap.add_argument("--gate", action="store_true", help="exit 1 when a threshold is not met")
    ap.add_argument("--min-f1", type=float, default=0.99)
    ap.add_argument("--min-precision", type=float, default=0.98, help="for domain and url")
    ap.add_argument("--min-new", type=float, default=0.95,
                    help="precision and recall floor for each issue-19 type (%s)" % ", ".join(NEW_TYPES))
    a = ap.parse_args()

    docs = load(a.dir + "/accuracy.jsonl")
    tally = accuracy(docs, extract_many(a.bin, [d["text"] for d in docs]))
    print("## accuracy (%d documents)\n" % len(docs))
    print(tally.table())

    trap_docs = load(a.dir + "/traps.jsonl")
    bad = traps(trap_docs, extract_many(a.bin, [d["text"] for d in trap_docs]))
    print("\n## traps (%d documents, %d hard negatives): %d false positives" % (
        len(trap_docs), sum(len(d["negatives"]) for d in trap_docs), len(bad)))
    for ident, kind, value in bad[:20]:
        print("  trap %s: %s %r" % (ident, kind, value))

    rows = load(a.dir + "/probes.jsonl")
    table, hit, total = probe_matrix(rows, extract_many(a.bin, [r["text"] for r in rows]))
    print("\n## defang probes: %d/%d\n" % (hit, total))
    print(table)

    p, r, f = Tally.prf(tally.total(BASE_TYPES))
    new_p, new_r, new_f = Tally.prf(tally.total(NEW_TYPES))
    print("\naccuracy: micro P/R/F1 = %.3f / %.3f / %.3f (base types), %.3f / %.3f / %.3f (issue-19 types: %s); "
          "trap false positives: %d; probes %d/%d" % (p, r, f, new_p, new_r, new_f, ", ".join(
              "%s %.3f/%.3f" % ((t,) + Tally.prf(tally.counts[t])[:2]) for t in NEW_TYPES), len(bad), hit, total))
    if not a.gate:
        return
    fails = []
    if f < a.min_f1:
        fails.append("micro-F1 %.3f < %.2f" % (f, a.min_f1))
    for kind in ("domain", "url"):
        prec = Tally.prf(tally.counts[kind])[0]
        if prec < a.min_precision:
            fails.append("%s precision %.3f < %.2f" % (kind, prec, a.min_precision))
    for kind in NEW_TYPES:
        c = tally.counts[kind]
        prec, rec, _ = Tally.prf(c)
        if c["tp"] + c["fn"] == 0:
            fails.append("no %s in the corpus" % kind)
        if prec < a.min_new or rec < a.min_new:
            fails.append("%s precision/recall %.3f/%.3f < %.2f" % (kind, prec, rec, a.min_new))
    if bad:
        fails.append("%d false positives on the trap set" % len(bad))
    if fails:
        sys.exit("accuracy gate failed: " + "; ".join(fails))
    print("accuracy gate passed (micro-F1 >= %.2f, domain/url precision >= %.2f, issue-19 types P and R >= %.2f, "
          "no trap false positive)" % (a.min_f1, a.min_precision, a.min_new))


if __name__ == "__main__":
    main()
