"""Python hosts: the plain-ABI module through the shared wasmtime-py loader, and the Extism plugin through the
Python ``extism`` host. Both must answer the whole corpus byte for byte like the native core (``dist/golden.json``).

Run: ``.venv/bin/python -m unittest discover -s wasm/tests -p 'test_*.py'`` after ``cargo xtask wasm`` and the
golden dump (``scripts/test.d/30-wasm.sh`` does all three).
"""

from __future__ import annotations

import base64
import json
import os
import sys
import tempfile
import time
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DIST = os.path.join(ROOT, "dist")
sys.path.insert(0, os.path.join(ROOT, "wasm", "python"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import ioclens_wasm  # noqa: E402

ABI_WASM = os.path.join(DIST, "abi", "ioclens_core.wasm")
# Operations the Extism plugin has no named export for: reached through its generic `call` (golden.mjs CALL_ONLY).
CALL_ONLY = {"lookup_many", "defang", "load_pack"}
EXTISM_WASM = os.path.join(DIST, "extism", "ioclens.wasm")


def golden() -> dict:
    with open(os.path.join(DIST, "golden.json"), encoding="utf-8") as f:
        return json.load(f)


class PlainAbi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cache = tempfile.TemporaryDirectory()
        cls.core = ioclens_wasm.Core(ABI_WASM, cache_dir=cls.cache.name)
        cls.golden = golden()

    @classmethod
    def tearDownClass(cls):
        cls.cache.cleanup()

    def test_ops_numbering_matches_the_core(self):
        self.assertEqual(list(self.core.ops), self.golden["ops"])

    def test_corpus_byte_for_byte(self):
        entries = self.golden["entries"]
        self.assertGreater(len(entries), 0)
        for e in entries:
            with self.subTest(e["name"]):
                self.assertEqual(self.core.call_raw(e["op"], e["request"]), e["raw"])

    def test_load_pack_helper(self):
        # A fresh instance: the wrapper takes the pack file's bytes, the core verifies them, and later lookups
        # answer as the native core did with the same pack loaded (the golden's `pack.*` entries).
        by_name = {e["name"]: e for e in self.golden["entries"]}
        req = by_name["pack-load"]["input"]
        pack = base64.b64decode(req["pack_base64"])
        core = ioclens_wasm.Core(ABI_WASM, cache_dir=self.cache.name)
        with self.assertRaises(ioclens_wasm.IoclensError) as cm:
            core.load_pack(pack[:-1] + bytes([pack[-1] ^ 1]), req["signature"], req["public_key"])
        self.assertIn("does not verify", str(cm.exception))
        loaded = core.load_pack(pack, req["signature"], req["public_key"])
        self.assertEqual(loaded, by_name["pack-load"]["answer"]["ok"])
        names = [n for n in by_name if n.startswith("pack.lookup.")]
        self.assertGreater(len(names), 0)
        for name in names:
            e = by_name[name]
            self.assertEqual(core.lookup(e["input"]["value"], e["input"]["now"]), e["answer"]["ok"], name)

    def test_helpers_return_ok_or_raise(self):
        self.assertFalse(self.core.version()["offline_intel"])
        with self.assertRaises(ioclens_wasm.IoclensError) as cm:
            self.core.classify("8.8.8.8", type="nope")
        self.assertEqual(cm.exception.kind, "invalid_option")

    def test_defang_helper(self):
        # Hand-written from the core's rule: scheme and host dots of network types, nothing else.
        self.assertEqual(self.core.defang("https://evil.com/a.php"), "hxxps://evil[.]com/a.php")
        self.assertEqual(self.core.defang("bob@evil.com"), "bob[@]evil[.]com")
        self.assertEqual(self.core.defang("invoice.zip", type="file_path"), "invoice.zip")
        self.assertEqual(self.core.defang("T1547.001"), "T1547.001")

    def test_bad_input_is_an_answer_not_a_trap(self):
        self.assertEqual(self.core.call("nope", {})["error"]["kind"], "unknown_op")
        self.assertEqual(self.core.call_raw("classify", "{")[:9], '{"error":')
        self.assertEqual(json.loads(self.core.call_raw("classify", "[1,2"))["error"]["kind"], "bad_request")
        # Invalid UTF-8 straight into linear memory.
        store, data = self.core._store, b"\xff\xfe"
        ptr = self.core._alloc(store, len(data))
        self.core._memory.write(store, data, ptr)
        packed = self.core._call(store, 1, ptr, len(data))
        out = bytes(self.core._memory.read(store, packed >> 32, (packed >> 32) + (packed & 0xFFFFFFFF)))
        self.assertEqual(json.loads(out)["error"]["kind"], "bad_request")
        self.core._dealloc(store, ptr, len(data))
        # Empty request: version answers, classify says what is missing.
        self.assertIn("ok", self.core.call("version", ""))
        self.assertEqual(self.core.call("classify", "")["error"]["kind"], "bad_request")

    def test_hosts_that_free_the_answer_keep_working(self):
        # The first ABI version had the host dealloc every answer (plugin-splunk's fast path still does).
        store = self.core._store
        data = b'{"value":"8.8.8[.]8"}'
        ptr = self.core._alloc(store, len(data))
        self.core._memory.write(store, data, ptr)
        for _ in range(50):
            packed = self.core._call(store, 1, ptr, len(data))
            out_ptr, out_len = packed >> 32, packed & 0xFFFFFFFF
            answer = bytes(self.core._memory.read(store, out_ptr, out_ptr + out_len))
            self.core._dealloc(store, out_ptr, out_len)
            self.assertEqual(json.loads(answer)["ok"]["canonical"], "8.8.8.8")
        self.core._dealloc(store, ptr, len(data))
        # ... and the loader's own path still answers afterwards.
        self.assertEqual(self.core.classify("8.8.8[.]8")["canonical"], "8.8.8.8")

    def test_requests_of_growing_size_reuse_one_block(self):
        for n in (1, 100, 5000, 70000, 10):
            text = "evil[.]com " * n
            self.assertIn("ok", self.core.call("extract", {"text": text}))
        self.assertGreaterEqual(self.core._buf_len, len(("evil[.]com " * 70000).encode()))

    def test_many_calls_do_not_leak(self):
        text = "hxxp://evil[.]com/a 10.0.0.1 " * 2000
        # The first two calls set the working set (allocator high-water mark; the previous answer is alive
        # while the next one is built).
        self.core.extract(text)
        self.core.extract(text)
        pages = self.core._memory.size(self.core._store)
        for _ in range(200):
            self.core.extract(text)
        # Every request and answer block is freed: memory does not grow with the number of calls.
        self.assertLessEqual(self.core._memory.size(self.core._store), pages + 2)


class CompileCache(unittest.TestCase):
    def test_compiles_once_then_deserialises(self):
        with tempfile.TemporaryDirectory() as cache:
            ioclens_wasm.Core(ABI_WASM, cache_dir=cache)
            files = os.listdir(cache)
            self.assertEqual(len(files), 1, files)
            name = files[0]
            self.assertTrue(name.startswith("ioclens-") and name.endswith(".cwasm"), name)
            self.assertIn("wasmtime50.0.1", name)
            mtime = os.stat(os.path.join(cache, name)).st_mtime_ns
            core = ioclens_wasm.Core(ABI_WASM, cache_dir=cache)
            self.assertEqual(os.stat(os.path.join(cache, name)).st_mtime_ns, mtime, "cache was rewritten")
            self.assertEqual(core.classify("x")["input"], "x")

    def test_corrupt_cache_is_replaced(self):
        with tempfile.TemporaryDirectory() as cache:
            ioclens_wasm.Core(ABI_WASM, cache_dir=cache)
            (name,) = os.listdir(cache)
            with open(os.path.join(cache, name), "wb") as f:
                f.write(b"garbage")
            core = ioclens_wasm.Core(ABI_WASM, cache_dir=cache)
            self.assertIn("ok", core.call("version", {}))
            self.assertEqual(os.listdir(cache), [name])
            self.assertGreater(os.path.getsize(os.path.join(cache, name)), 1000)

    def test_unwritable_cache_still_loads(self):
        core = ioclens_wasm.Core(ABI_WASM, cache_dir="/proc/ioclens-no-such-dir")
        self.assertIn("ok", core.call("version", {}))


class ExtismPython(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        import extism

        cls.extism = extism
        cls.golden = golden()
        cls.plugin = extism.Plugin({"wasm": [{"path": EXTISM_WASM}]}, wasi=False)

    def test_corpus_byte_for_byte(self):
        for e in self.golden["entries"]:
            with self.subTest(e["name"]):
                if e["op"] in CALL_ONLY:
                    generic = json.dumps({"op": e["op"], "input": json.loads(e["request"])})
                    got = bytes(self.plugin.call("call", generic.encode("utf-8"))).decode("utf-8")
                else:
                    got = bytes(self.plugin.call(e["op"], e["request"].encode("utf-8"))).decode("utf-8")
                self.assertEqual(got, e["raw"])

    def test_generic_call(self):
        got = json.loads(bytes(self.plugin.call("call", json.dumps({"op": "version", "input": {}}))))
        self.assertFalse(got["ok"]["offline_intel"])
        got = json.loads(bytes(self.plugin.call("call", b"{")))
        self.assertEqual(got["error"]["kind"], "bad_request")


class ExtismRemote(unittest.TestCase):
    """Remote scoring through the plugin against a real HTTP server on 127.0.0.1 (``remote_server.py``)."""

    REQUEST = {"value": "185.220.101[.]1", "now": 1767225600}

    @classmethod
    def setUpClass(cls):
        import extism

        import remote_server

        cls.extism = extism
        cls.server_module = remote_server
        cls.server, cls.port = remote_server.start()
        with extism.Plugin({"wasm": [{"path": EXTISM_WASM}]}, wasi=False) as p:
            cls.local = json.loads(bytes(p.call("lookup", json.dumps(cls.REQUEST))))["ok"]

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()

    def lookup(self, mode, allowed=("127.0.0.1",), key="test-key", timeout_ms=None):
        """The host pattern from extism/README.md: call lookup; if the host's HTTP traps, lookup_fallback."""
        manifest = {
            "wasm": [{"path": EXTISM_WASM}],
            "allowed_hosts": list(allowed),
            "config": {"api_url": f"http://127.0.0.1:{self.port}/{mode}"},
        }
        if key is not None:
            manifest["config"]["api_key"] = key
        if timeout_ms:
            manifest["timeout_ms"] = timeout_ms
        with self.extism.Plugin(manifest, wasi=False) as p:
            started = time.monotonic()
            try:
                answer = json.loads(bytes(p.call("lookup", json.dumps(self.REQUEST))))
                trapped = False
            except self.extism.Error as e:
                # The host owns the deadline: when it ran out, say so (the trap text alone may not, when the
                # HTTP client's own timeout fires first).
                error = str(e)
                if timeout_ms and (time.monotonic() - started) * 1000 >= timeout_ms * 0.9:
                    error = f"timeout: {error}"
                fallback = {"request": self.REQUEST, "error": error}
                answer = json.loads(bytes(p.call("lookup_fallback", json.dumps(fallback))))
                trapped = True
        self.assertIn("ok", answer, answer)
        return answer["ok"], trapped

    def assert_local_stands(self, got, status):
        self.assertEqual(got["score"]["remote_status"], status)
        self.assertEqual(got["risk"], self.local["risk"])
        self.assertEqual(got["score"]["source"], "local")
        self.assertNotIn("remote_score", got["score"])

    def test_ok_merges_the_remote_score(self):
        self.server_module.REQUESTS.clear()
        got, trapped = self.lookup("ok")
        self.assertFalse(trapped)
        self.assertEqual(got["score"]["remote_status"], "ok")
        self.assertEqual(got["score"]["remote_score"], 91)
        self.assertEqual(got["score"]["local_score"], self.local["risk"]["score"])
        # Merge rule (core/src/score/remote.rs): a remote answer can raise the score, never hide local evidence.
        self.assertEqual(got["risk"]["score"], max(91, self.local["risk"]["score"]))
        self.assertIn("T1090.003", [t["id"] for t in got["mitre_techniques"]])
        # The request the core built went out as built: canonical value, type, key in a header only.
        (req,) = self.server_module.REQUESTS
        self.assertEqual(req["path"], "/api/v1/lookup")
        self.assertEqual(req["query"]["ioc"], ["185.220.101.1"])
        self.assertEqual(req["query"]["type"], ["ipv4"])
        self.assertEqual(req["auth"], "Bearer test-key")
        self.assertNotIn("test-key", json.dumps(req["query"]))

    def test_flat_shape_is_accepted(self):
        got, _ = self.lookup("flat")
        self.assertEqual(got["score"]["remote_status"], "ok")
        self.assertIn("T1071", [t["id"] for t in got["mitre_techniques"]])

    def test_rate_limited(self):
        got, trapped = self.lookup("429")
        self.assertFalse(trapped)
        self.assert_local_stands(got, "rate_limited")

    def test_server_error(self):
        got, trapped = self.lookup("500")
        self.assertFalse(trapped)
        self.assert_local_stands(got, "error")

    def test_wrong_key_is_an_error_not_a_score(self):
        got, _ = self.lookup("ok", key="wrong")
        self.assert_local_stands(got, "error")

    def test_no_key_means_disabled(self):
        got, _ = self.lookup("ok", key=None)
        self.assert_local_stands(got, "disabled")

    def test_timeout_falls_back_to_local(self):
        got, trapped = self.lookup("slow", timeout_ms=1500)
        self.assertTrue(trapped)
        self.assert_local_stands(got, "timeout")

    def test_host_not_allowed_falls_back_to_local(self):
        got, trapped = self.lookup("ok", allowed=("example.invalid",))
        self.assertTrue(trapped)
        self.assert_local_stands(got, "error")

    def test_connection_refused_falls_back_to_local(self):
        manifest_port, self.port = self.port, 9  # nothing listens on the discard port
        try:
            got, trapped = self.lookup("ok")
        finally:
            self.port = manifest_port
        self.assertTrue(trapped)
        self.assert_local_stands(got, "error")


if __name__ == "__main__":
    unittest.main()
