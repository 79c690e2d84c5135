"""One value -> the core's enrichment package (plus the remote server's evidence when asked) -> fields.

Shared by ``| ioclens`` (per event) and ``| ioclookup`` (per argument).
"""

from . import fields as fieldmap
from .command import search_now
from .core import CoreError
from .remote import RemoteScorer, load_config

# The `type=` vocabulary of GET /api/v1/lookup (docs/api.md); other types are sent without it.
API_TYPES = {
    "ipv4": "ipv4",
    "ipv6": "ipv6",
    "domain": "domain",
    "url": "url",
    "md5": "md5",
    "sha1": "sha1",
    "sha256": "sha256",
    "sha512": "sha512",
    "cve": "cve",
    "email": "email",
    "attack": "mitre-attack",
}
# Longest value sent to the core; longer field values are not indicators (the core answers unknown either way).
MAX_VALUE_CHARS = 8192
# Values per `lookup_many` call: one crossing per batch, and a bounded answer (about 0.5 kB per value).
BATCH = 2000


class Enricher:
    """Calls ``lookup`` (or ``classify`` on a core build without scoring) and ``merge_remote``."""

    def __init__(self, command, core, remote, queries):
        self._core = core
        self.queries = bool(queries)
        self.lookup = core.has_op("lookup")
        self._merge = core.has_op("merge_remote")
        self._attack = core.has_op("attack")
        self._remote_request = core.has_op("remote_request")
        self._many = core.has_op("lookup_many")
        self._tactics = {}
        if not self.lookup:
            command.write_warning(
                "this build of the ioclens core has no scoring: only type and canonical value are filled"
            )
        self.scorer = None
        if remote is not False:
            info = command.metadata.searchinfo
            config = load_config(getattr(info, "splunkd_uri", None), getattr(info, "session_key", None))
            if config.enabled if remote is None else bool(remote):
                self.scorer = RemoteScorer(config)
                if config.problem:
                    command.write_warning("remote scoring is off: {}".format(config.problem))

    def field_names(self):
        """Every field :meth:`fields` returns, in order."""
        names = list(fieldmap.ENRICH_FIELDS)
        if self.queries:
            names.extend(fieldmap.QUERY_FIELDS)
        if self.scorer is not None:
            names.extend(("remote_status", "remote_error"))
        return names

    def package(self, value):
        """``(package, remote_status, remote_error)``; package is the `lookup` answer (or `classify` answer)."""
        value = value[:MAX_VALUE_CHARS]
        if not self.lookup:
            classified = self._core.call("classify", {"value": value})
            return classified, "disabled", "this build of the ioclens core cannot merge remote scores"
        request = {"value": value, "now": search_now()}
        if not self.queries:
            request["options"] = {"hunting": False}  # the queries are the costly part of a lookup
        package = self._core.call("lookup", request)
        if self.scorer is None:
            return package, "disabled", ""
        if self.scorer.config.problem:
            return package, "disabled", self.scorer.config.problem
        ioc_type = fieldmap.text(package.get("ioc_type"))
        if ioc_type in ("", "unknown"):
            return package, "disabled", "not an indicator"
        if not self._merge:
            return package, "disabled", "this build of the ioclens core cannot merge remote scores"
        path, query = self._remote_target(fieldmap.text(package.get("ioc_value")) or value, ioc_type)
        if path is None:
            return package, "disabled", "the core sends no remote request for this value"
        status, body, error = self.scorer.fetch(path, query)
        merge = {"local": package, "status": status}
        if body is not None:
            merge["response"] = body
        if error:
            merge["error"] = error
        try:
            merged = self._core.call("merge_remote", merge)
        except CoreError as failure:
            return package, "error", "merge failed: {}".format(failure.message)
        merged_status = fieldmap.text(fieldmap.dig(merged, "score.remote_status")) or (
            "ok" if status == 200 else "error"
        )
        return merged, merged_status, error or ""

    def _remote_target(self, canonical, ioc_type):
        """``(path, query)`` of the remote lookup: the core's ``remote_request`` when this build has it, else
        ``GET /api/v1/lookup?ioc=<value>&type=<type>`` (docs/api.md)."""
        if self._remote_request:
            try:
                req = self._core.call("remote_request", {"value": canonical, "type": ioc_type})
            except CoreError:
                req = None
            if not req:
                return None, None
            return fieldmap.text(req.get("path")), [tuple(pair) for pair in req.get("query") or []]
        query = [("ioc", canonical)]
        if ioc_type in API_TYPES:
            query.append(("type", API_TYPES[ioc_type]))
        return "/api/v1/lookup", query

    def tactics_of(self, technique):
        """Tactic names of an ATT&CK technique (the core's `attack` operation), cached per process."""
        names = self._tactics.get(technique)
        if names is None:
            names = []
            if self._attack:
                try:
                    obj = self._core.call("attack", {"id": technique})
                    names = [fieldmap.text(t.get("name")) for t in obj.get("tactics") or [] if isinstance(t, dict)]
                except CoreError:
                    names = []
            self._tactics[technique] = names
        return names

    def fields_many(self, values):
        """The Splunk fields of each value, in order. Without remote scoring (which is per value: one HTTP call
        and one merge each) the values go to the core in ``lookup_many`` batches, asking only for the parts of
        the package the fields come from; a value the batch could not answer takes the one-value path."""
        if self.scorer is not None or not self.lookup or not self._many:
            return [self.fields(value) for value in values]
        paths = list(fieldmap.LOOKUP_PATHS)
        request = {"now": search_now(), "fields": paths}
        if self.queries:
            paths.extend(fieldmap.QUERY_PATHS)
        else:
            request["options"] = {"hunting": False}  # the queries are the costly part of a lookup
        out = []
        for start in range(0, len(values), BATCH):
            batch = values[start : start + BATCH]
            request["values"] = [value[:MAX_VALUE_CHARS] for value in batch]
            results = self._core.call("lookup_many", request).get("results") or []
            for i, value in enumerate(batch):
                item = results[i] if i < len(results) else None
                if isinstance(item, dict) and isinstance(item.get("ok"), dict):
                    out.append(fieldmap.from_lookup(item["ok"], self.queries, self.tactics_of))
                else:
                    out.append(self.fields(value))
        return out

    def fields(self, value):
        """The Splunk fields for one value."""
        package, status, detail = self.package(value)
        if self.lookup:
            out = fieldmap.from_lookup(package, self.queries, self.tactics_of)
        else:
            out = fieldmap.from_classified(package, self.queries)
        if self.scorer is not None:
            out["remote_status"] = status
            out["remote_error"] = detail
        return out
