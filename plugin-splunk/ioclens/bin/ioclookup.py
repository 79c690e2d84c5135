#!/usr/bin/env python
"""| ioclookup <value>… [lookup=<file.csv> column=<name>] [remote=<bool>] -- generating: one row per value with
the core's whole enrichment package (type, canonical value, score, confidence, verdict, techniques, warninglist
hits, hunting queries) as fields, and the package itself as JSON in _raw (``| spath`` reads the rest)."""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))

from ioclens_splunk import fields as fieldmap
from ioclens_splunk import values as valuelist
from ioclens_splunk.command import MAX_VALUES, load_core
from ioclens_splunk.enrich import Enricher
from splunklib.searchcommands import Configuration, GeneratingCommand, Option, dispatch, validators

OPTIONS = ("lookup", "column", "remote")


@Configuration(type="reporting")
class IoclookupCommand(GeneratingCommand):
    """Looks up indicators given as arguments (or in a lookup file) and returns one row each."""

    lookup = Option(doc="CSV file in the app's lookups directory holding the values", require=False, default=None)
    column = Option(
        doc="Column of the lookup file (default: indicator)",
        require=False,
        default="indicator",
        validate=validators.Fieldname(),
    )
    remote = Option(
        doc="Also ask the configured ioclens server", require=False, default=None, validate=validators.Boolean()
    )

    _protocol_v2_option_parser = staticmethod(valuelist.option_parser(OPTIONS))

    def prepare(self):
        try:
            self._values = valuelist.collect(self.fieldnames, self.lookup, self.column, MAX_VALUES)
        except ValueError as error:
            self.write_error(str(error))
            sys.exit(1)
        core = load_core(self)
        if core is None:
            sys.exit(1)
        self._enricher = Enricher(self, core, self.remote, queries=True)

    def generate(self):
        names = ["ioc_input"] + self._enricher.field_names() + ["detection_guidance", "_raw"]
        for value in self._values:
            package, row = self._enricher.row(value)
            row["ioc_input"] = value
            row["detection_guidance"] = fieldmap.text(fieldmap.dig(package, "hunting.detection_guidance"))
            row["_raw"] = json.dumps(package, sort_keys=True, separators=(",", ":"))
            yield {name: row.get(name, "") for name in names}


dispatch(IoclookupCommand, sys.argv, sys.stdin, sys.stdout, __name__)
