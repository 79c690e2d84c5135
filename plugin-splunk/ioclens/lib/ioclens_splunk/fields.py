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
    "intel_list",
    "malware_family",
    "ioc_reason",
)
QUERY_FIELDS = ("spl_query", "kql_query")
# The parts of a `lookup` package from_lookup reads: the projection `lookup_many` is asked for (dotted paths of
# ioclens_core::api::LOOKUP_FIELDS; a path through a list applies to each element), so the core serialises and
# Python decodes a few hundred bytes per value instead of the whole package.
LOOKUP_PATHS = (
    "classification.type",
    "classification.canonical",
    "classification.defanged",
    "classification.reason",
    "risk",
    "confidence",
    "score.verdict",
    "mitre_techniques.id",
    "attack.id",
    "attack.tactics.name",
    "hits.role",
    "hits.list",
    "malware_family",
)
QUERY_PATHS = ("hunting.splunk_query", "hunting.kql_query")


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
    if type(value) is str:  # the common case first: most fields are strings
        return value
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
    return [value for value in dict.fromkeys(values) if value]


def technique_ids(package):
    """ATT&CK technique ids of a lookup package (`mitre_techniques` items are ids or `{id, …}` objects)."""
    items = package.get("mitre_techniques")
    if not items:
        return []
    ids = []
    for item in items if isinstance(items, list) else []:
        ids.append(item if isinstance(item, str) else text(dig(item, "id", "technique_id", "technique")))
    return unique(ids)


def hit_lists(package, warninglist_roles, warninglists):
    """Names of the lists that matched (``hits[]{role, list, …}``): warninglists, or threat-intel lists. Which
    roles are warninglists is the core's word (``warninglist_roles`` of its ``version`` answer)."""
    hits = package.get("hits")
    if not hits:
        return []
    names = []
    for hit in hits if isinstance(hits, list) else []:
        if isinstance(hit, dict) and (text(hit.get("role")) in warninglist_roles) == warninglists:
            names.append(text(hit.get("list")))
    return unique(names)


def from_lookup(package, queries, warninglist_roles, tactics_of=None):
    """Fields of one value's enrichment package (the core's `lookup` answer, core/src/lookup.rs). Tactics come
    from the package's ``attack[].tactics``; ``tactics_of`` (the core's `attack` operation) is the fallback for a
    technique listed without them. ``warninglist_roles``: the core's ``version`` answer's list."""
    classification = package.get("classification") or {}
    risk = package.get("risk") or {}
    score = package.get("score") or {}
    techniques = technique_ids(package)
    tactics = []
    seen = set()
    for mapping in package.get("attack") or []:
        if isinstance(mapping, dict) and mapping.get("tactics"):
            seen.add(mapping.get("id"))
            tactics.extend(text(t.get("name")) for t in mapping["tactics"] if isinstance(t, dict))
    for technique in techniques if tactics_of else []:
        if technique not in seen:
            tactics.extend(tactics_of(technique))
    fields = {
        "ioc_type": text(classification.get("type") or package.get("ioc_type")),
        # The canonical value: empty for a value that is not an indicator (the package's own ioc_value then
        # echoes the input, as SOC Defenders' API does).
        "ioc_value": text(classification.get("canonical") if classification else package.get("ioc_value")),
        "ioc_defanged": "true" if classification.get("defanged") else "false",
        "risk_score": text(risk.get("score")),
        "risk_level": text(risk.get("level")),
        "confidence": text(package.get("confidence")),
        "verdict": text(score.get("verdict")),
        "attack_technique": techniques,
        "attack_tactic": unique(tactics),
        "warninglist": hit_lists(package, warninglist_roles, warninglists=True),
        "intel_list": hit_lists(package, warninglist_roles, warninglists=False),
        "malware_family": text(dig(package, "malware_family", "malware.family")),
        "ioc_reason": text(classification.get("reason")),
    }
    if queries:
        hunting = package.get("hunting") or {}
        fields["spl_query"] = text(hunting.get("splunk_query"))
        fields["kql_query"] = text(hunting.get("kql_query"))
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
