"""One value -> the core's enrichment package (plus the remote server's evidence when asked) -> fields.

Shared by ``| ioclens`` (per event) and ``| ioclookup`` (per argument).
"""

from . import fields as fieldmap
from .command import search_now
from .core import CoreError
from .remote import load_config

# Values per `lookup_many` call: one crossing per batch, and a bounded answer (about 0.5 kB per value). Values go
# to the core whole: it bounds its own input (a value too long to be an indicator is `unknown`, with the reason).
BATCH = 2000


class Enricher:
    """Calls the core's ``lookup`` (``lookup_many`` in batches) and, with remote scoring, ``merge_remote``."""

    def __init__(self, command, core, remote, queries):
        self._core = core
        self.queries = bool(queries)
        self._tactics = {}
        # Which evidence roles are warninglists (the `warninglist` field) and which are threat intel (`intel_list`).
        self._warninglist_roles = frozenset(core.call("version", {}).get("warninglist_roles") or ())
        # remote_status/remote_error are added when remote scoring is asked for, even when it cannot be used.
        self.remote = False
        self.remote_problem = None
        self.scorer = None
        if remote is not False:
            info = command.metadata.searchinfo
            config = load_config(getattr(info, "splunkd_uri", None), getattr(info, "session_key", None))
            if config.enabled if remote is None else bool(remote):
                self.remote = True
                if config.problem:
                    self.remote_problem = config.problem
                    command.write_warning("remote scoring is off: {}".format(config.problem))
                else:
                    # The shared loader's HTTP half (wasm/python/ioclens_wasm/remote.py), beside the core module
                    # get_core() already loaded through the same package.
                    from ioclens_wasm import remote as shared

                    self._merge_remote = shared.merge_remote
                    self.scorer = shared.RemoteScorer(config.url, config.api_key, config.timeout)

    def field_names(self):
        """Every field :meth:`fields` returns, in order."""
        names = list(fieldmap.ENRICH_FIELDS)
        if self.queries:
            names.extend(fieldmap.QUERY_FIELDS)
        if self.remote:
            names.extend(("remote_status", "remote_error"))
        return names

    def package(self, value):
        """``(package, remote_error)``: the core's `lookup` answer, merged with the server's when remote scoring is
        on (the status is the package's ``score.remote_status``, the core's word)."""
        request = {"value": value, "now": search_now()}
        if not self.queries:
            request["options"] = {"hunting": False}  # the queries are the costly part of a lookup
        package = self._core.call("lookup", request)
        if self.scorer is None:
            return package, self.remote_problem or ""
        return self._merge_remote(self._core.call, self.scorer, package, CoreError)

    def tactics_of(self, technique):
        """Tactic names of an ATT&CK technique (the core's `attack` operation), cached per process."""
        names = self._tactics.get(technique)
        if names is None:
            names = []
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
        if self.remote:
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
            request["values"] = batch
            results = self._core.call("lookup_many", request).get("results") or []
            for i, value in enumerate(batch):
                item = results[i] if i < len(results) else None
                if isinstance(item, dict) and isinstance(item.get("ok"), dict):
                    out.append(fieldmap.from_lookup(item["ok"], self.queries, self._warninglist_roles, self.tactics_of))
                else:
                    out.append(self.fields(value))
        return out

    def row(self, value):
        """``(package, fields)`` of one value: the core's package and its Splunk fields."""
        package, detail = self.package(value)
        out = fieldmap.from_lookup(package, self.queries, self._warninglist_roles, self.tactics_of)
        if self.remote:
            out["remote_status"] = fieldmap.text(fieldmap.dig(package, "score.remote_status"))
            out["remote_error"] = detail
        return package, out

    def fields(self, value):
        """The Splunk fields for one value."""
        return self.row(value)[1]
