"""Build hook: ``pip install ./plugin-sentinel`` from a clean clone gets a package with its WebAssembly core.

pyproject.toml holds the metadata; this file only extends ``build_py``. When ``src/ioclens/_wasm/`` is empty or
incomplete it runs ``build.py``'s ``fill`` (copy the shared loader, find or build the core module). Outside a
checkout, or when the module cannot be built, the install stops with the exact commands to run, instead of
installing a package that fails at its first call.
"""

import importlib.util
import os
import sys

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))


class BuildWithCore(build_py):
    def run(self):
        spec = importlib.util.spec_from_file_location("ioclens_build", os.path.join(HERE, "build.py"))
        core_build = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(core_build)
        if not core_build.complete():
            if not core_build.in_checkout():
                raise SystemExit(
                    "ioclens: this source tree has no WebAssembly core (src/ioclens/_wasm/ioclens_core.wasm); "
                    "install from an ioclens checkout: pip install ./plugin-sentinel"
                )
            try:
                core_build.fill(log=lambda msg: print(msg, file=sys.stderr))
            except RuntimeError as err:
                raise SystemExit(f"ioclens: {err}") from None
            # The package list was found before the folder existed.
            if "ioclens._wasm" not in self.packages:
                self.packages.append("ioclens._wasm")
        super().run()


setup(cmdclass={"build_py": BuildWithCore})
