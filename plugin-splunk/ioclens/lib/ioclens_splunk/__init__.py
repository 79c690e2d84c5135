"""ioclens Splunk app: the translation layer between Splunk (search commands, modular input) and the ioclens core.

The core (``core.wasm``, run by the shared wasmtime loader ``ioclens_wasm``) decides everything: types, canonical
values, scores, techniques, queries. This package only moves fields in and out:

- ``core``     loads the module once per process, from a compiled-module cache under the app's run directory;
- ``fields``   turns the core's JSON answers into Splunk fields (multivalue lists where the answer is a list);
- ``splunkd``  talks to the local splunkd REST API (app conf, ``storage/passwords``, KV store);
- ``remote``   optional remote scoring against an ioclens server, fail-open;
- ``feed``     the modular input that polls ``GET /api/v1/iocs`` into ES-shaped KV-store collections.
"""

APP_NAME = "ioclens"
