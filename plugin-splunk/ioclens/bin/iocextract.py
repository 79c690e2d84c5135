#!/usr/bin/env python
"""| iocextract [field=_raw] [types=<t1,t2…>] [mode=mv|rows] [implied=<bool>] -- streaming extraction.

Runs the core's ``extract`` operation on the field's text (defanged or not) and adds, per event, the distinct
indicators in order of first appearance: mode=mv (default) adds multivalue ioc_value / ioc_type plus ioc_count;
mode=rows emits one copy of the event per indicator with single-valued ioc_value, ioc_type, ioc_defanged and
ioc_occurrences. Indicators implied by others (the host of a URL, the domain of an e-mail) are left out unless
implied=t.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))

from ioclens_splunk import fields as fieldmap
from ioclens_splunk.command import IOC_TYPES, load_core, parse_types
from splunklib.searchcommands import Configuration, Option, StreamingCommand, dispatch, validators

MV_FIELDS = ("ioc_value", "ioc_type", "ioc_count")
ROW_FIELDS = ("ioc_value", "ioc_type", "ioc_defanged", "ioc_occurrences")


class TypeList(validators.Validator):
    """Comma-separated indicator type names."""

    def __call__(self, value):
        if value is None:
            return None
        return parse_types(value)

    def format(self, value):
        return ",".join(sorted(value)) if value else ""


@Configuration()
class IocextractCommand(StreamingCommand):
    """Extracts indicators of compromise from a text field."""

    field = Option(
        doc="Field holding the text (default: _raw)", require=False, default="_raw", validate=validators.Fieldname()
    )
    types = Option(
        doc="Keep only these types: " + ",".join(IOC_TYPES), require=False, default=None, validate=TypeList()
    )
    mode = Option(
        doc="mv (multivalue fields) or rows (one row per indicator)",
        require=False,
        default="mv",
        validate=validators.Set("mv", "rows"),
    )
    implied = Option(
        doc="Also emit implied indicators (URL hosts, e-mail domains)",
        require=False,
        default=False,
        validate=validators.Boolean(),
    )

    def prepare(self):
        self._core = load_core(self)
        if self._core is None:
            sys.exit(1)

    def _indicators(self, text):
        extraction = self._core.call("extract", {"text": text})
        defanged = {}
        for item in extraction.get("iocs") or []:
            key = (item.get("type"), item.get("canonical"))
            defanged[key] = defanged.get(key, False) or bool(item.get("defanged"))
        out = []
        for item in extraction.get("unique") or []:
            kind = item.get("type")
            if item.get("implied") and not self.implied:
                continue
            if self.types and kind not in self.types:
                continue
            out.append(
                (
                    kind,
                    item.get("canonical", ""),
                    int(item.get("count", 1)),
                    defanged.get((kind, item.get("canonical")), False),
                )
            )
        return out

    def stream(self, records):
        name = self.field
        for record in records:
            raw = record.get(name)
            text = "\n".join(raw) if isinstance(raw, list) else (raw or "")
            found = self._indicators(text) if text else []
            if self.mode == "rows":
                if not found:
                    continue
                for kind, value, count, defanged in found:
                    row = dict(record)
                    row.update(
                        ioc_value=value, ioc_type=kind, ioc_defanged=fieldmap.text(defanged), ioc_occurrences=str(count)
                    )
                    yield row
                continue
            record["ioc_value"] = [value for _, value, _, _ in found]
            record["ioc_type"] = [kind for kind, _, _, _ in found]
            record["ioc_count"] = str(len(found))
            yield record


dispatch(IocextractCommand, sys.argv, sys.stdin, sys.stdout, __name__)
