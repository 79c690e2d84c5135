#!/usr/bin/env python3
"""Optional: score other open-source extractors on the same corpus, beside ioclens (docs/accuracy.md, "Peers").

    scripts/eval-peers.sh                       # builds the corpus, runs this in .venv-peers
    python3 scripts/eval/peers.py DIR [--bin target/debug/ioclens] [TOOL ...]

TOOL is any of iocsearcher, ioc-finder, iocextract, msticpy (default: all that import). A tool that is not
installed is skipped with a note. Nothing in ./test.sh needs this file or the tools.

Each tool's output is mapped onto the scored types (labels.TYPES) and compared exactly as ioclens is: same
canonical forms, same labels, same allowed values. Where a tool does not report a type at all, that type is n/a
for it and left out of its micro average. Tools that do not report the host of a URL or the domain of an e-mail
are given them (as ioclens gives them) so that they are not charged for a convention.
"""

import argparse
import logging
import sys

from labels import BASE_TYPES, Tally, canonical, canonical_map, url_host
from score import extract_many, load

logging.disable(logging.WARNING)


def with_hosts(found):
    """Add the host of every URL and the domain of every e-mail, as ioclens reports them (implied)."""
    for url in list(found.get("url", ())):
        host = url_host(canonical("url", url))
        kind = "ipv4" if host.replace(".", "").isdigit() else "domain"
        found.setdefault(kind, set()).add(host)
    for mail in list(found.get("email", ())):
        found.setdefault("domain", set()).add(mail.rsplit("@", 1)[-1])
    return found


def iocsearcher():
    from iocsearcher.searcher import Searcher

    names = {"fqdn": "domain", "ip4": "ipv4", "ip6": "ipv6", "url": "url", "email": "email", "md5": "md5",
             "sha1": "sha1", "sha256": "sha256", "cve": "cve", "ttp": "attack"}
    searcher = Searcher()

    def run(text):
        out = {}
        for ioc in searcher.search_data(text, targets=set(names)):
            if ioc.name in names:
                out.setdefault(names[ioc.name], set()).add(ioc.value)
        return with_hosts(out)

    return run, set(BASE_TYPES)


def ioc_finder():
    from ioc_finder import find_iocs, ioc_finder as module

    names = {"domains": "domain", "ipv4s": "ipv4", "ipv6s": "ipv6", "urls": "url", "email_addresses": "email",
             "md5s": "md5", "sha1s": "sha1", "sha256s": "sha256", "cves": "cve", "attack_techniques": "attack",
             "attack_tactics": "attack"}
    wanted = list(module.DEFAULT_IOC_TYPES) + ["attack_techniques", "attack_tactics"]

    def run(text):
        out = {}
        found = find_iocs(text, included_ioc_types=wanted)
        for key, kind in names.items():
            values = found.get(key) or []
            groups = values.values() if isinstance(values, dict) else [values]
            for group in groups:
                out.setdefault(kind, set()).update(group)
        return with_hosts(out)

    return run, set(BASE_TYPES)


def iocextract():
    import iocextract as ie

    def run(text):
        return with_hosts({"url": set(ie.extract_urls(text, refang=True)),
                           "ipv4": set(ie.extract_ipv4s(text, refang=True)),
                           "ipv6": set(ie.extract_ipv6s(text)),
                           "email": set(ie.extract_emails(text, refang=True)),
                           "md5": set(ie.extract_md5_hashes(text)), "sha1": set(ie.extract_sha1_hashes(text)),
                           "sha256": set(ie.extract_sha256_hashes(text))})

    return run, {"ipv4", "ipv6", "url", "email", "md5", "sha1", "sha256"}


def msticpy():
    from msticpy.transform.iocextract import IoCExtract

    names = {"dns": "domain", "ipv4": "ipv4", "ipv6": "ipv6", "url": "url", "email": "email", "md5_hash": "md5",
             "sha1_hash": "sha1", "sha256_hash": "sha256"}
    extractor = IoCExtract()

    def run(text):
        found = extractor.extract(src=text)
        return with_hosts({kind: set(found.get(key, ())) for key, kind in names.items()})

    return run, set(names.values())


TOOLS = {"iocsearcher": iocsearcher, "ioc-finder": ioc_finder, "iocextract": iocextract, "msticpy": msticpy}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("dir", help="directory written by corpus.py")
    ap.add_argument("--bin", help="also score this ioclens binary, for the side-by-side")
    ap.add_argument("tools", nargs="*", help="default: every tool that imports")
    a = ap.parse_intermixed_args()
    docs = load(a.dir + "/accuracy.jsonl")
    traps = load(a.dir + "/traps.jsonl")
    summary = []
    if a.bin:
        found = extract_many(a.bin, [d["text"] for d in docs])
        tally = Tally()
        for doc, raw in zip(docs, found):
            tally.add(doc["labels"], doc.get("allowed", {}), canonical_map(raw))
        trap_found = extract_many(a.bin, [d["text"] for d in traps])
        # The peers report the base types only: ioclens is compared on the same ones (score.py scores the rest).
        summary.append(("ioclens", tally, BASE_TYPES,
                        sum(len(v) for f in trap_found for k, v in canonical_map(f).items() if k in BASE_TYPES)))
    for name in a.tools or list(TOOLS):
        try:
            run, kinds = TOOLS[name]()
        except (ImportError, KeyError) as err:
            print("skip %s: %s" % (name, err), file=sys.stderr)
            continue
        tally = Tally()
        for doc in docs:
            tally.add(doc["labels"], doc.get("allowed", {}), canonical_map(run(doc["text"])), kinds)
        trap_fp = 0
        for doc in traps:
            trap_fp += sum(len(v) for k, v in canonical_map(run(doc["text"])).items() if k in kinds)
        summary.append((name, tally, kinds, trap_fp))
    for name, tally, kinds, trap_fp in summary:
        print("\n## %s (%d documents; trap false positives: %d)\n" % (name, len(docs), trap_fp))
        print(tally.table(kinds))
    print("\n| tool | micro P | micro R | micro F1 | trap FP |\n|---|---|---|---|---|")
    for name, tally, kinds, trap_fp in summary:
        print("| %s | %.3f | %.3f | %.3f | %d |" % ((name,) + Tally.prf(tally.total(kinds)) + (trap_fp,)))


if __name__ == "__main__":
    main()
