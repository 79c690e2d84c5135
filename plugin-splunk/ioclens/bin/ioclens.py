#!/usr/bin/env python
"""| ioclens field=<f> [remote=<bool>] [queries=<bool>] -- streaming enrichment of one field per event.

Each distinct value is sent once to the core's ``lookup`` operation (the enrichment package); the answer becomes
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
        # splunklib takes a chunk's CSV columns from its first record: every record gets every output field.
        empty = dict.fromkeys(self._enricher.field_names(), "")
        name = self.field
        cache = self._cache
        for record in records:
            raw = record.get(name)
            if raw is None or raw == "" or raw == []:
                record.update(empty)
                yield record
                continue
            values = raw if isinstance(raw, list) else [raw]
            per_value = []
            for value in values:
                cached = cache.get(value)
                if cached is None:
                    cached = self._enricher.fields(value)
                    if len(cache) >= CACHE_LIMIT:
                        cache.clear()
                    cache[value] = cached
                per_value.append(cached)
            record.update(fieldmap.merge_values(per_value))
            yield record


dispatch(IoclensCommand, sys.argv, sys.stdin, sys.stdout, __name__)
