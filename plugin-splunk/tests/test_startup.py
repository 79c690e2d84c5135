"""Start-up: the compiled module is cached under the cache directory (keyed by wasm hash, wasmtime version and
machine, written atomically), the second process deserializes it, and the inspector reports which happened."""

import os

import scp
from conftest import APP_DIR, needs_core

pytestmark = needs_core


def _metric(run, name):
    return (run.getinfo.metadata.get("inspector") or {}).get("metric." + name)


def cold_then_cached_start(tmp_path):
    cache = tmp_path / "cache"
    env = {"IOCLENS_CACHE_DIR": str(cache)}
    rows = [[{"ioc": "8.8.8.8"}]]
    cold = scp.run(APP_DIR, "ioclens", ["field=ioc"], rows, tmp_path=tmp_path, env=env)
    assert cold.returncode == 0 and cold.errors() == [], cold.stderr
    files = sorted(os.listdir(cache))
    # The unpacked module and its compiled form, both named by content hash; no temporary file left behind.
    assert [f.rsplit(".", 1)[1] for f in files] == ["cwasm", "wasm"], files
    assert not any(f.startswith(".tmp") for f in files), files
    assert _metric(cold, "ioclens_core_cache_hit")[1] == 0

    warm = scp.run(APP_DIR, "ioclens", ["field=ioc"], rows, tmp_path=tmp_path, env=env)
    assert warm.returncode == 0 and warm.errors() == [], warm.stderr
    assert _metric(warm, "ioclens_core_cache_hit")[1] == 1
    assert sorted(os.listdir(cache)) == files
    assert warm.rows == cold.rows
    cold_ms, warm_ms = _metric(cold, "ioclens_core_load_ms")[0], _metric(warm, "ioclens_core_load_ms")[0]
    assert warm_ms < cold_ms, (cold_ms, warm_ms)


def unwritable_cache_still_answers(tmp_path):
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    run = scp.run(
        APP_DIR,
        "ioclens",
        ["field=ioc"],
        [[{"ioc": "8.8.8.8"}]],
        tmp_path=tmp_path,
        env={"IOCLENS_CACHE_DIR": str(blocker / "cache")},
    )
    assert run.returncode == 0 and run.errors() == [], run.stderr
    assert run.rows[0]["ioc_type"] == "ipv4"


def splunk_home_run_dir_is_the_default(tmp_path):
    home = tmp_path / "splunk"
    env = {"SPLUNK_HOME": str(home), "IOCLENS_CACHE_DIR": ""}
    run = scp.run(APP_DIR, "ioclens", ["field=ioc"], [[{"ioc": "8.8.8.8"}]], tmp_path=tmp_path, env=env)
    assert run.returncode == 0 and run.errors() == [], run.stderr
    assert len([f for f in os.listdir(home / "var" / "run" / "ioclens") if f.endswith(".cwasm")]) == 1


def fast_path_answers_exactly_like_the_loader(tmp_path):
    values = [
        "8.8.8[.]8",
        "hxxps://evil[.]example/a?b=c",
        "CVE-2024-3094",
        "",
        "x" * 10000,
        "\u202e\x01$;$",
        "::ffff:1.2.3.4",
    ]
    rows = [[{"ioc": v, "i": str(i)} for i, v in enumerate(values)]]
    env = {"IOCLENS_CACHE_DIR": str(tmp_path / "cache")}
    fast = scp.run(APP_DIR, "ioclens", ["field=ioc", "queries=t"], rows, tmp_path=tmp_path, env=env)
    slow = scp.run(
        APP_DIR, "ioclens", ["field=ioc", "queries=t"], rows, tmp_path=tmp_path, env=dict(env, IOCLENS_NO_FASTCALL="1")
    )
    assert fast.returncode == 0 and slow.returncode == 0, fast.stderr + slow.stderr
    assert _metric(fast, "ioclens_core_fastcall")[1] == 1
    assert _metric(slow, "ioclens_core_fastcall")[1] == 0
    assert fast.rows == slow.rows


def tampered_unpacked_module_is_replaced(tmp_path):
    cache = tmp_path / "cache"
    env = {"IOCLENS_CACHE_DIR": str(cache)}
    rows = [[{"ioc": "8.8.8[.]8"}]]
    first = scp.run(APP_DIR, "ioclens", ["field=ioc"], rows, tmp_path=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    (unpacked,) = [f for f in os.listdir(cache) if f.endswith(".wasm")]
    (cache / unpacked).write_bytes(b"\0asm not the module")
    second = scp.run(APP_DIR, "ioclens", ["field=ioc"], rows, tmp_path=tmp_path, env=env)
    assert second.returncode == 0 and second.errors() == [], second.stderr
    assert second.rows == first.rows
