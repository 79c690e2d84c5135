"""``| iochunt`` translation: options -> the core's ``hunt`` request, and its answer -> one row per query."""

from .fields import dig, text, unique

HUNT_FIELDS = ("dialect", "query", "ioc_count", "ioc_type", "ioc_value", "lookback", "profile")


def request(values, lookback, profile, dialect):
    """The core's ``hunt`` request."""
    return {"values": list(values), "options": {"lookback": lookback, "profile": profile}}


def rows(answer, dialect):
    """``(rows, warnings)`` from the core's ``hunt`` answer."""
    out = []
    queries = dig(answer, "queries", "batches") or []
    for item in queries if isinstance(queries, list) else []:
        name = text(dig(item, "dialect", "language")).lower()
        if dialect != "both" and name != dialect:
            continue
        iocs = dig(item, "iocs", "values", "indicators") or []
        values = [text(dig(i, "canonical", "value")) if isinstance(i, dict) else text(i) for i in iocs]
        types = [text(dig(i, "type", "kind")) for i in iocs if isinstance(i, dict)] or dig(item, "types") or []
        row = {
            "dialect": name,
            "query": text(dig(item, "query", "text")),
            "ioc_count": str(len(values)),
            "ioc_type": unique(text(t) for t in types),
            "ioc_value": values,
            "lookback": text(dig(item, "lookback", "options.lookback")),
            "profile": text(dig(item, "profile", "options.profile")),
        }
        out.append({name: row.get(name, "") for name in HUNT_FIELDS})
    warnings = []
    rejected = dig(answer, "rejected", "skipped", "diagnostics") or []
    for item in rejected if isinstance(rejected, list) else []:
        if isinstance(item, dict):
            warnings.append("{}: {}".format(text(dig(item, "value", "input")), text(dig(item, "reason", "message"))))
        else:
            warnings.append(text(item))
    return out, warnings
