"""What the evaluation scores and how a value is compared (docs/accuracy.md, "What counts as a match").

Shared by the corpus generator (which writes labels in this form), the scorer and the optional peer comparison.
Standard library only.
"""

import ipaddress

# The ten types every extractor compared in docs/accuracy.md reports, in report order.
BASE_TYPES = ("domain", "ipv4", "ipv6", "url", "email", "md5", "sha1", "sha256", "cve", "attack")
# The types of issue 19, scored for ioclens: four the extractor reports as such, and three views of reported types
# (`onion`: domains under .onion, taken out of `domain`; `attack_object`: ATT&CK group/software/mitigation/campaign
# ids, taken out of `attack`; `ip_port`: an IPv4 written with its port, as `ip:port`, besides the `ipv4` itself).
NEW_TYPES = ("btc", "registry_key", "file_path", "asn", "onion", "ip_port", "attack_object")
# Every scored type. Anything else an extractor reports (sha512, cidr, ...) is not scored.
TYPES = BASE_TYPES + NEW_TYPES


def canonical(kind, value):
    """The comparison form of `value` for `kind`: the same function is applied to labels and to predictions."""
    v = value.strip()
    if kind in ("domain", "email", "onion"):
        return v.lower().rstrip(".")
    if kind == "ipv4":
        try:
            return str(ipaddress.IPv4Address(v))
        except ValueError:
            return v
    if kind == "ipv6":
        try:
            return ipaddress.IPv6Address(v).compressed
        except ValueError:
            return v.lower()
    if kind == "url":
        return url_key(v)
    if kind in ("md5", "sha1", "sha256"):
        return v.lower()
    if kind in ("cve", "attack", "attack_object"):
        return v.upper()
    if kind == "btc":
        return v.lower() if v.lower().startswith("bc1") else v
    if kind == "registry_key":
        return v.lower()  # keys and value names are case-insensitive
    if kind == "asn":
        return "AS" + v.upper().replace("ASN", "").replace("AS", "").replace(" ", "")
    return v


def url_key(url):
    """A URL without its scheme, host (and port) lower-cased, path/query kept as written, a lone `/` dropped.

    The scheme is left out on purpose: extractors disagree on what a scheme-less or `hxxp` URL should become, and
    the host and path are what an analyst blocks.
    """
    head, sep, tail = url.partition("://")
    rest = tail if sep and len(head) <= 10 and head.replace("+", "").replace("-", "").replace(".", "").isalnum() else url
    cut = len(rest)
    for ch in "/?#":
        at = rest.find(ch)
        if at != -1:
            cut = min(cut, at)
    authority, path = rest[:cut].lower(), rest[cut:]
    if path == "/":
        path = ""
    return authority + path


def url_host(url_canonical):
    """The host of a canonical URL key (no port, no user info)."""
    authority = url_canonical.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    authority = authority.rsplit("@", 1)[-1]
    if authority.startswith("["):
        return authority[1:].split("]", 1)[0]
    return authority.split(":", 1)[0]


class Tally:
    """Per-type counts: tp/fn over the required labels, fp over predictions that are neither required nor allowed,
    and `reported` (every distinct prediction), from which precision is (reported - fp) / reported."""

    def __init__(self):
        self.counts = {t: {"tp": 0, "fn": 0, "fp": 0, "reported": 0} for t in TYPES}
        self.missed = {t: [] for t in TYPES}
        self.wrong = {t: {} for t in TYPES}

    def add(self, labels, allowed, predicted, kinds=TYPES):
        """One document: `labels`/`allowed`/`predicted` map type -> iterable of canonical values."""
        for t in kinds:
            want = set(labels.get(t, ()))
            ok = want | set(allowed.get(t, ()))
            got = set(predicted.get(t, ()))
            c = self.counts[t]
            c["tp"] += len(want & got)
            c["fn"] += len(want - got)
            c["reported"] += len(got)
            bad = got - ok
            c["fp"] += len(bad)
            self.missed[t].extend(sorted(want - got))
            for b in bad:
                self.wrong[t][b] = self.wrong[t].get(b, 0) + 1

    @staticmethod
    def prf(c):
        p = (c["reported"] - c["fp"]) / c["reported"] if c["reported"] else 1.0
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f

    def total(self, kinds=TYPES):
        out = {"tp": 0, "fn": 0, "fp": 0, "reported": 0}
        for t in kinds:
            for k in out:
                out[k] += self.counts[t][k]
        return out

    def table(self, kinds=TYPES):
        """Markdown table: one row per type, then the micro average over `kinds`."""
        rows = ["| type | precision | recall | F1 | TP | FN | FP |", "|---|---|---|---|---|---|---|"]
        for t in TYPES:
            if t not in kinds:
                rows.append("| %s | n/a | n/a | n/a | | | |" % t)
                continue
            c = self.counts[t]
            rows.append("| %s | %.3f | %.3f | %.3f | %d | %d | %d |" % ((t,) + self.prf(c) + (c["tp"], c["fn"], c["fp"])))
        c = self.total(kinds)
        rows.append("| **micro** | %.3f | %.3f | %.3f | %d | %d | %d |" % (self.prf(c) + (c["tp"], c["fn"], c["fp"])))
        for t in TYPES:
            if self.wrong[t]:
                top = sorted(self.wrong[t].items(), key=lambda kv: (-kv[1], kv[0]))[:8]
                rows.append("  false positives %s: %s" % (t, "; ".join("%r x%d" % kv for kv in top)))
            if self.missed[t]:
                rows.append("  missed %s (first 8): %s" % (t, "; ".join(repr(x) for x in self.missed[t][:8])))
        return "\n".join(rows)


def scored_type(kind, value):
    """The scored type of a reported (`kind`, `value`): the views `onion` and `attack_object` split their values
    out of `domain` and `attack`."""
    if kind == "domain" and value.lower().rstrip(".").endswith(".onion"):
        return "onion"
    if kind == "attack" and value[:1].upper() in "GSMC":
        return "attack_object"
    return kind


def canonical_map(raw):
    """type -> set of canonical values, for the scored types only."""
    out = {}
    for t, values in raw.items():
        for v in values:
            kind = scored_type(t, v)
            if kind in TYPES:
                out.setdefault(kind, set()).add(canonical(kind, v))
    return out
