"""Shared fixtures: the staged app (target/splunk/stage/ioclens, built by plugin-splunk/build.py), the corpus, a
splunkd-like SCP v2 driver, and a fake splunkd REST endpoint."""

import glob
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import scp
from fake_splunkd import SESSION_KEY, FakeSplunkd

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
APP_DIR = os.environ.get("IOCLENS_SPLUNK_APP") or os.path.join(ROOT, "target", "splunk", "stage", "ioclens")
CORE_WASM = os.path.join(APP_DIR, "lib", "ioclens_wasm", "ioclens_core.wasm.gz")

try:
    import tomllib
except ImportError:  # Python < 3.11
    import tomli as tomllib


def corpus_cases():
    cases = []
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "corpus", "*.toml"))):
        with open(path, "rb") as handle:
            for case in tomllib.load(handle).get("case", []):
                case["_file"] = os.path.basename(path)
                cases.append(case)
    return cases


def pytest_configure(config):
    if not os.path.isdir(os.path.join(APP_DIR, "bin")):
        raise pytest.UsageError("no staged app at {}: run python3 plugin-splunk/build.py --stage-only".format(APP_DIR))


needs_core = pytest.mark.skipif(
    not os.path.exists(CORE_WASM) and not os.environ.get("IOCLENS_REQUIRE_CORE"),
    reason="core.wasm not staged yet (hosts branch)",
)


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("module-cache"))


@pytest.fixture
def splunk(tmp_path, cache_dir):
    """``splunk(command, args, chunks=None, generating=False, **kw)`` runs a command over SCP v2."""

    def invoke(command, args=(), chunks=None, generating=False, env=None, **kw):
        run_env = {"IOCLENS_CACHE_DIR": cache_dir}
        run_env.update(env or {})
        return scp.run(APP_DIR, command, args, chunks, generating, tmp_path, env=run_env, **kw)

    return invoke


@pytest.fixture
def splunkd():
    with FakeSplunkd() as fake:
        yield fake


@pytest.fixture
def session_key():
    return SESSION_KEY
