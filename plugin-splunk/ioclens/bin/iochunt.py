#!/usr/bin/env python
"""| iochunt <value>… [lookup=<file.csv> column=<name>] [lookback=7d] [profile=cim|raw]
[kql_profile=native|asim|defender] [dialect=spl|kql|both] -- generating: the core's hunting queries for the values,
grouped by type and batched by the core, one row per query (dialect, profile, ioc_type, ioc_count, title, query,
earliest/latest or lookback, notes, detection_guidance). Values that are not indicators, or types a dialect cannot
express, come back as warnings in the job inspector."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))

from ioclens_splunk import hunt as huntmap
from ioclens_splunk import values as valuelist
from ioclens_splunk.command import MAX_VALUES, load_core
from ioclens_splunk.core import CoreError
from splunklib.searchcommands import Configuration, GeneratingCommand, Option, dispatch, validators

OPTIONS = ("lookup", "column", "lookback", "profile", "kql_profile", "dialect")


@Configuration(type="reporting")
class IochuntCommand(GeneratingCommand):
    """Generates bounded Splunk SPL and Sentinel KQL hunting queries for indicators."""

    lookup = Option(doc="CSV file in the app's lookups directory holding the values", require=False, default=None)
    column = Option(
        doc="Column of the lookup file (default: indicator)",
        require=False,
        default="indicator",
        validate=validators.Fieldname(),
    )
    lookback = Option(
        doc="Time window of the queries, e.g. 24h, 7d, 30d (default: 7d)",
        require=False,
        default="7d",
        validate=validators.Match("lookback", r"[1-9][0-9]{0,3}[mhdw]"),
    )
    profile = Option(
        doc="cim (CIM data models and fields) or raw (index/sourcetype searches)",
        require=False,
        default="cim",
        validate=validators.Set("cim", "raw"),
    )
    kql_profile = Option(
        doc="native (Sentinel tables), asim (ASIM parsers) or defender (Defender XDR advanced hunting)",
        require=False,
        default="native",
        validate=validators.Set("native", "asim", "defender"),
    )
    dialect = Option(
        doc="spl, kql or both (default: both)",
        require=False,
        default="both",
        validate=validators.Set("spl", "kql", "both"),
    )

    _protocol_v2_option_parser = staticmethod(valuelist.option_parser(OPTIONS))

    def prepare(self):
        try:
            self._values = valuelist.collect(self.fieldnames, self.lookup, self.column, MAX_VALUES)
        except ValueError as error:
            self.write_error(str(error))
            sys.exit(1)
        self._core = load_core(self)
        if self._core is None:
            sys.exit(1)

    def generate(self):
        request = huntmap.request(self._values, self.lookback, self.profile, self.kql_profile, self.dialect)
        try:
            answer = self._core.call("hunt", request)
        except CoreError as error:
            self.write_error("iochunt: {}".format(error.message))
            return
        rows, warnings = huntmap.rows(answer, self.dialect)
        for warning in warnings:
            self.write_warning(warning)
        yield from rows


dispatch(IochuntCommand, sys.argv, sys.stdin, sys.stdout, __name__)
