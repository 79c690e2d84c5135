"""``wasm/python/core_module.py``: which core module the Python hosts ship, and what a user is told when none can
be had. Builds nothing: cargo is replaced by a stub on PATH where the rule needs one."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))

import core_module  # noqa: E402


def touch(path: str, mtime: float) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(b"\0asm")
    os.utime(path, (mtime, mtime))


class CoreModule(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = self.tmp.name
        self.path = os.environ.get("PATH", "")

    def tearDown(self):
        os.environ["PATH"] = self.path
        self.tmp.cleanup()

    def checkout(self) -> None:
        touch(os.path.join(self.root, "wasm", "abi", "Cargo.toml"), time.time())

    def stub_cargo(self, script: str) -> None:
        bindir = os.path.join(self.root, "bin")
        os.makedirs(bindir)
        cargo = os.path.join(bindir, "cargo")
        with open(cargo, "w", encoding="utf-8") as f:
            f.write("#!/bin/sh\n" + script + "\n")
        os.chmod(cargo, stat.S_IRWXU)
        os.environ["PATH"] = bindir + os.pathsep + self.path

    def test_newest_candidate_wins(self):
        old, new = (os.path.join(self.root, rel) for rel in core_module.CANDIDATES)
        touch(old, 1_000)
        touch(new, 2_000)
        self.assertEqual(core_module.find_or_build(self.root), new)
        os.utime(old, (3_000, 3_000))
        self.assertEqual(core_module.find_or_build(self.root), old)

    def test_explicit_path_must_exist(self):
        with self.assertRaisesRegex(core_module.CoreModuleMissing, "does not exist"):
            core_module.find(self.root, os.path.join(self.root, "nope.wasm"))

    def test_builds_when_none_is_built(self):
        self.checkout()
        out = os.path.join(self.root, core_module.CANDIDATES[-1])
        self.stub_cargo(f'mkdir -p "{os.path.dirname(out)}" && printf x > "{out}"')
        logged = []
        self.assertEqual(core_module.find_or_build(self.root, log=logged.append), out)
        self.assertIn("cargo build --locked --profile wasm", logged[0])

    def test_failed_build_names_the_commands(self):
        self.checkout()
        self.stub_cargo("exit 101")
        with self.assertRaises(core_module.CoreModuleMissing) as err:
            core_module.find_or_build(self.root, log=lambda _msg: None)
        self.assertIn("rustup target add wasm32-unknown-unknown", str(err.exception))
        self.assertIn("-p ioclens-wasm-abi", str(err.exception))

    def test_outside_a_checkout_says_so(self):
        with self.assertRaisesRegex(core_module.CoreModuleMissing, "From an ioclens checkout"):
            core_module.find_or_build(self.root)


if __name__ == "__main__":
    unittest.main()
