#!/usr/bin/env python3
"""Score `ioclens extract` against a corpus written by corpus.py (docs/accuracy.md).

    python3 scripts/eval/score.py DIR --bin target/debug/ioclens [--gate]

Prints per-type precision/recall/F1 on DIR/accuracy.jsonl, the false positives on DIR/traps.jsonl and the
per-style recall matrix on DIR/probes.jsonl. With --gate, exits 1 when micro-F1 < --min-f1, domain or URL
precision < --min-precision, or any trap document yields a scored indicator.

Each set is extracted in one run of the binary (`--format csv`, spans in bytes): the documents are joined with
blank lines and every mention is given back to the document its span falls in. Standard library only.
"""

import argparse
import bisect
import csv
import io
import json
import subprocess
import sys

from labels import TYPES, Tally, canonical_map

SEPARATOR = "\n\n\f\n\n"


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def extract_many(binary, texts):
    """One `ioclens extract` over all texts; returns, per text, {type: set(raw value)} (implied values included)."""
    starts, pieces, offset = [], [], 0
    for text in texts:
        starts.append(offset)
        data = text.encode("utf-8")
        pieces.append(data)
        offset += len(data) + len(SEPARATOR)
    blob = SEPARATOR.encode("utf-8").join(pieces)
    run = subprocess.run([binary, "extract", "-", "--format", "csv"], input=blob, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, check=False)
    if run.returncode != 0:
        sys.exit("score: %s extract failed (%d): %s" % (binary, run.returncode, run.stderr.decode(errors="replace")))
    found = [{} for _ in texts]
    rows = csv.DictReader(io.StringIO(run.stdout.decode("utf-8")))
    for row in rows:
        start = int(row["start"])
        doc = bisect.bisect_right(starts, start) - 1
        found[doc].setdefault(row["type"], set()).add(row["canonical"])
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

    p, r, f = Tally.prf(tally.total())
    print("\naccuracy: micro P/R/F1 = %.3f / %.3f / %.3f; trap false positives: %d; probes %d/%d" % (
        p, r, f, len(bad), hit, total))
    if not a.gate:
        return
    fails = []
    if f < a.min_f1:
        fails.append("micro-F1 %.3f < %.2f" % (f, a.min_f1))
    for kind in ("domain", "url"):
        prec = Tally.prf(tally.counts[kind])[0]
        if prec < a.min_precision:
            fails.append("%s precision %.3f < %.2f" % (kind, prec, a.min_precision))
    if bad:
        fails.append("%d false positives on the trap set" % len(bad))
    if fails:
        sys.exit("accuracy gate failed: " + "; ".join(fails))
    print("accuracy gate passed (micro-F1 >= %.2f, domain/url precision >= %.2f, no trap false positive)" % (
        a.min_f1, a.min_precision))


if __name__ == "__main__":
    main()
