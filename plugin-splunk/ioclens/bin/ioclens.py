#!/usr/bin/env python
"""| ioclens field=<f> [remote=<bool>] [queries=<bool>] -- streaming enrichment of one field per event.

Each distinct value is sent once per process to the core, batched per execute chunk (``lookup_many``, asking only
for the parts of the package the fields need; ``lookup`` one value at a time with remote scoring); the answer becomes
ioc_type, ioc_value, ioc_defanged, risk_score, risk_level, confidence, verdict, attack_technique (mv), attack_tactic
(mv), warninglist (mv: benign/shared lists that matched), intel_list (mv: threat-intel lists that matched),
malware_family, ioc_reason, and with queries=t spl_query / kql_query. A multivalue input field gives one
entry per value. remote=t asks the configured ioclens server too and merges its evidence (fail-open: remote_status
and remote_error say what happened).
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))

from ioclens_splunk import fields as fieldmap
from ioclens_splunk.command import load_core
from ioclens_splunk.enrich import Enricher
from splunklib.searchcommands import Configuration, Option, StreamingCommand, dispatch, validators

# Distinct values remembered per process (a search's chunks repeat values heavily: IPs, domains, hashes).
CACHE_LIMIT = 100000


@Configuration()
class IoclensCommand(StreamingCommand):
    """Enriches the value of ``field`` in every event with the ioclens core's verdict."""

    field = Option(
        doc="Field holding the indicator (default: ioc)", require=False, default="ioc", validate=validators.Fieldname()
    )
    remote = Option(
        doc="Also ask the configured ioclens server (default: ioclens.conf [remote] enabled)",
        require=False,
        default=None,
        validate=validators.Boolean(),
    )
    queries = Option(
        doc="Add spl_query and kql_query (default: false)", require=False, default=False, validate=validators.Boolean()
    )

    def prepare(self):
        core = load_core(self)
        if core is None:
            sys.exit(1)
        self._enricher = Enricher(self, core, self.remote, self.queries)
        self._cache = {}

    def stream(self, records):
        # splunklib calls stream() once per execute chunk: read the chunk, send its distinct values that this
        # process has not seen to the core in one batch, then fill the records.
        records = list(records)
        name = self.field
        cache = self._cache
        known = {}
        missing = []
        for record in records:
            raw = record.get(name)
            if raw is None or raw == "" or raw == []:
                continue
            for value in raw if isinstance(raw, list) else [raw]:
                if value in known:
                    continue
                cached = cache.get(value)
                known[value] = cached
                if cached is None:
                    missing.append(value)
        if missing:
            fresh = dict(zip(missing, self._enricher.fields_many(missing)))
            known.update(fresh)
            if len(cache) + len(fresh) > CACHE_LIMIT:
                cache.clear()
            cache.update(fresh)
        # splunklib takes a chunk's CSV columns from its first record: every record gets every output field.
        empty = dict.fromkeys(self._enricher.field_names(), "")
        for record in records:
            raw = record.get(name)
            if raw is None or raw == "" or raw == []:
                record.update(empty)
            elif isinstance(raw, list):
                record.update(fieldmap.merge_values([known[value] for value in raw]))
            else:
                record.update(known[raw])
            yield record


dispatch(IoclensCommand, sys.argv, sys.stdin, sys.stdout, __name__)
