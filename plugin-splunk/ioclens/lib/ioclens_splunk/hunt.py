"""``| iochunt`` translation: options -> the core's ``hunt`` request, and its answer (``Hunt {groups[], notes,
lookup_csv}``, core/src/query) -> one row per query."""

from .fields import text

HUNT_FIELDS = (
    "dialect",
    "profile",
    "ioc_type",
    "ioc_count",
    "title",
    "query",
    "chunk",
    "chunks",
    "earliest",
    "latest",
    "lookback",
    "notes",
    "detection_guidance",
)
DIALECTS = {"spl": ["spl"], "kql": ["kql"], "both": ["spl", "kql"]}


def request(values, lookback, spl_profile, kql_profile, dialect):
    """The core's ``hunt`` request (``QueryOptions`` field names)."""
    options = {
        "lookback": lookback,
        "spl_profile": spl_profile,
        "kql_profile": kql_profile,
        "targets": DIALECTS[dialect],
    }
    return {"values": list(values), "options": options}


def rows(answer, dialect):
    """``(rows, warnings)`` from the core's ``hunt`` answer."""
    out = []
    warnings = []
    for group in answer.get("groups") or []:
        for target in DIALECTS[dialect]:
            for query in group.get(target) or []:
                row = {
                    "dialect": target,
                    "profile": text(query.get("profile")),
                    "ioc_type": text(query.get("type") or group.get("type")),
                    "ioc_count": text(query.get("values")),
                    "title": text(query.get("title")),
                    "query": text(query.get("query")),
                    "chunk": text(query.get("chunk")),
                    "chunks": text(query.get("chunks")),
                    "earliest": text(query.get("earliest")),
                    "latest": text(query.get("latest")),
                    "lookback": text(query.get("lookback")),
                    "notes": [text(n) for n in query.get("notes") or []],
                    "detection_guidance": text(group.get("detection_guidance")),
                }
                out.append(row)
        for item in group.get("unsupported") or []:
            if item.get("target") in DIALECTS[dialect]:
                warnings.append(
                    "{} {}: {}".format(text(group.get("type")), text(item.get("target")), text(item.get("reason")))
                )
    for note in answer.get("notes") or []:
        warnings.append(text(note))
    for item in answer.get("rejected") or []:
        if isinstance(item, dict):
            warnings.append(
                "{}: {}".format(
                    text(item.get("value") or item.get("input")), text(item.get("reason") or item.get("message"))
                )
            )
        else:
            warnings.append(text(item))
    if answer.get("lookup_csv"):
        # More values than one inline query holds: some queries read the lookup ioclens_iocs. Its rows come as
        # one extra row (dialect=lookup_csv) to save with outputlookup or upload as ioclens_iocs.csv.
        out.append(dict.fromkeys(HUNT_FIELDS, ""))
        out[-1].update(dialect="lookup_csv", title="rows of the lookup ioclens_iocs", query=text(answer["lookup_csv"]))
        warnings.append("some queries read the lookup ioclens_iocs: save the dialect=lookup_csv row as that lookup")
    return out, warnings
