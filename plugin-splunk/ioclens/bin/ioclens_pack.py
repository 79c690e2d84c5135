#!/usr/bin/env python
"""Modular input ``ioclens_pack``: keeps the signed intel pack of an ioclens server (GET /api/v1/intel/pack) in the
app's pack directory, verified by the core; every search command loads it at start (lib/ioclens_splunk/intel.py)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))

from ioclens_splunk import intel
from ioclens_splunk.core import get_core
from ioclens_splunk.splunkd import Splunkd
from splunklib.modularinput import Argument, EventWriter, Scheme, Script


class IoclensPack(Script):
    """splunklib modular-input script: --scheme, --validate-arguments, and runs with an input definition."""

    def get_scheme(self):
        scheme = Scheme("ioclens intel pack")
        scheme.description = "Downloads an ioclens server's signed intel pack; the ioclens search commands use it."
        scheme.use_external_validation = True
        scheme.use_single_instance = False
        for name, title, description, required in (
            ("url", "Pack URL", "e.g. https://ioclens.example:8080/api/v1/intel/pack", True),
            ("public_key", "Public key", "The server's pack-signing public key, 64 hex digits", True),
            ("timeout", "Timeout", "Seconds to wait for the download (default 60)", False),
        ):
            scheme.add_argument(Argument(name, title=title, description=description, required_on_create=required))
        return scheme

    def validate_input(self, definition):
        intel.validate(definition.parameters)

    def stream_events(self, inputs, ew):
        splunkd = Splunkd(inputs.metadata["server_uri"], inputs.metadata["session_key"])
        failed = 0
        for input_name, params in inputs.inputs.items():
            try:
                intel.validate(params)
                state = intel.run(params, splunkd.password(), get_core(), lambda text: ew.log(EventWriter.INFO, text))
            except ValueError as error:
                state = {"status": "failed", "error": str(error)}
            if state.get("status") in ("refused", "failed"):
                failed += 1
                ew.log(EventWriter.ERROR, "ioclens pack {}: {}: {}".format(input_name, state["status"], state["error"]))
        if failed:
            raise RuntimeError("{} of {} ioclens pack input(s) failed".format(failed, len(inputs.inputs)))


if __name__ == "__main__":
    sys.exit(IoclensPack().run(sys.argv))
