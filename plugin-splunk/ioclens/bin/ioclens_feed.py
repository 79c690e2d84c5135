#!/usr/bin/env python
"""Modular input ``ioclens_feed``: polls an ioclens server's GET /api/v1/iocs into the ES-shaped KV-store
collections ip_intel, http_intel, file_intel and email_intel (see lib/ioclens_splunk/feed.py)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))

from ioclens_splunk import feed
from ioclens_splunk.splunkd import Splunkd
from splunklib.modularinput import Argument, EventWriter, Scheme, Script


class IoclensFeed(Script):
    """splunklib modular-input script: --scheme, --validate-arguments, and runs with an input definition."""

    def get_scheme(self):
        scheme = Scheme("ioclens feed")
        scheme.description = (
            "Polls an ioclens server's IOC feed into Enterprise Security style KV-store threat-intel collections."
        )
        scheme.use_external_validation = True
        scheme.use_single_instance = False
        for name, title, description, required in (
            ("url", "Server URL", "Base URL of the ioclens server, e.g. https://ioclens.example:8080", True),
            ("types", "Types", "Comma-separated: " + ",".join(feed.FEED_TYPES) + " (empty: all)", False),
            ("confidence", "Confidence", "Comma-separated: low,medium,high (empty: all)", False),
            ("category", "Source category", "Comma-separated: government,commercial,community (empty: all)", False),
            ("industry", "Industry", "Comma-separated CISA sector slugs, e.g. energy,healthcare (empty: all)", False),
            (
                "lookback",
                "First-run lookback",
                "How far back the first run reads, e.g. 24h or 30d (default 30d)",
                False,
            ),
            ("overlap", "Overlap", "How far before the previous run each run re-reads, e.g. 24h (default 24h)", False),
            ("page_size", "Page size", "Records per request, 1-10000 (default 1000)", False),
        ):
            argument = Argument(name, title=title, description=description, required_on_create=required)
            if name == "page_size":
                argument.data_type = Argument.data_type_number
            scheme.add_argument(argument)
        return scheme

    def validate_input(self, definition):
        feed.validate(definition.parameters)

    def stream_events(self, inputs, ew):
        splunkd = Splunkd(inputs.metadata["server_uri"], inputs.metadata["session_key"])
        checkpoint_dir = inputs.metadata["checkpoint_dir"]
        failed = 0
        for input_name, params in inputs.inputs.items():
            try:
                feed.validate(params)
                feed.run(params, input_name, splunkd, checkpoint_dir, lambda text: ew.log(EventWriter.INFO, text))
            except (feed.FeedError, ValueError) as error:
                failed += 1
                ew.log(EventWriter.ERROR, "ioclens feed {}: {}".format(input_name, error))
        if failed:
            raise RuntimeError("{} of {} ioclens feed input(s) failed".format(failed, len(inputs.inputs)))


if __name__ == "__main__":
    sys.exit(IoclensFeed().run(sys.argv))
