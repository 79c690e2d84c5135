"""Core JSON answers -> Splunk fields. No decisions here: every value is read from the core's answer.

Splunk fields are strings or lists of strings (multivalue); numbers are written as their decimal text and booleans
as ``true``/``false`` so that ``where risk_score > 70`` and ``search ioc_defanged=true`` both work.
"""

# The fields `| ioclens` adds, in output order (searchbnf.conf and README list the same).
ENRICH_FIELDS = (
    "ioc_type",
    "ioc_value",
    "ioc_defanged",
    "risk_score",
    "risk_level",
    "confidence",
    "verdict",
    "attack_technique",
    "attack_tactic",
    "warninglist",
    "ioc_reason",
)
QUERY_FIELDS = ("spl_query", "kql_query")


def dig(obj, *paths):
    """The first non-missing value among dotted ``paths`` in nested dicts, else None."""
    for path in paths:
        cur = obj
        for part in path.split("."):
            if isinstance(cur, dict) and part in cur:
                cur = cur[part]
            else:
                cur = None
                break
        if cur is not None:
            return cur
    return None


def text(value):
    """A scalar as Splunk field text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return ""
    return str(value)


def unique(values):
    """Order-preserving de-duplication of non-empty strings."""
    seen = set()
    out = []
    for value in values:
        if value and value not in seen:
            seen.add(value)
            out.append(value)
    return out


def technique_ids(package):
    """ATT&CK technique ids of a lookup package (`mitre_techniques` items are ids or `{id, …}` objects)."""
    items = dig(package, "mitre_techniques", "attack", "techniques") or []
    ids = []
    for item in items if isinstance(items, list) else []:
        ids.append(item if isinstance(item, str) else text(dig(item, "id", "technique_id", "technique")))
    return unique(ids)


def tactic_names(package):
    """ATT&CK tactics of the package's techniques (`tactics` lists on each technique, or a top-level list)."""
    names = []
    items = dig(package, "mitre_techniques", "attack", "techniques") or []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            tactics = dig(item, "tactics", "tactic") or []
            names.extend(tactics if isinstance(tactics, list) else [tactics])
    top = dig(package, "mitre_tactics", "tactics") or []
    names.extend(top if isinstance(top, list) else [])
    return unique(text(dig(n, "shortname", "name", "id")) if isinstance(n, dict) else text(n) for n in names)


def warninglist_names(package):
    """The names of the warninglists/intel lists that matched (`hits[]{role, list, …}`)."""
    hits = dig(package, "warninglists", "hits", "evidence.hits", "intel_hits") or []
    names = []
    for hit in hits if isinstance(hits, list) else []:
        names.append(text(dig(hit, "list", "name")) if isinstance(hit, dict) else text(hit))
    return unique(names)


def from_lookup(package, queries):
    """Fields of one value's enrichment package (the core's `lookup` answer)."""
    fields = {
        "ioc_type": text(dig(package, "ioc_type", "type", "classification.type")),
        "ioc_value": text(dig(package, "ioc_value", "canonical", "classification.canonical")),
        "ioc_defanged": text(bool(dig(package, "defanged", "classification.defanged"))),
        "risk_score": text(dig(package, "risk.score", "score.score", "risk_score")),
        "risk_level": text(dig(package, "risk.level", "score.level", "risk_level")),
        "confidence": text(dig(package, "confidence.level", "confidence", "score.confidence")),
        "verdict": text(dig(package, "verdict", "risk.verdict", "score.verdict")),
        "attack_technique": technique_ids(package),
        "attack_tactic": tactic_names(package),
        "warninglist": warninglist_names(package),
        "ioc_reason": text(dig(package, "reason", "classification.reason")),
    }
    if queries:
        fields["spl_query"] = text(dig(package, "hunting.splunk_query", "queries.spl"))
        fields["kql_query"] = text(dig(package, "hunting.kql_query", "queries.kql"))
    return fields


def from_classified(classified, queries):
    """Fields from a bare `classify` answer (a core build without the `lookup` operation)."""
    fields = {name: "" for name in ENRICH_FIELDS}
    fields.update(
        ioc_type=text(classified.get("type")),
        ioc_value=text(classified.get("canonical")),
        ioc_defanged=text(bool(classified.get("defanged"))),
        attack_technique=[],
        attack_tactic=[],
        warninglist=[],
        ioc_reason=text(classified.get("reason")),
    )
    if queries:
        fields.update(spl_query="", kql_query="")
    return fields


def merge_values(per_value):
    """Fields for a multivalue input field: one entry per input value, lists flattened and de-duplicated."""
    if len(per_value) == 1:
        return per_value[0]
    merged = {}
    for name in per_value[0]:
        items = []
        for fields in per_value:
            value = fields.get(name)
            items.extend(value if isinstance(value, list) else [value])
        merged[name] = items if name in ("ioc_type", "ioc_value", "risk_score", "risk_level") else unique(items)
    return merged
