"""The typed API and the DataFrame accessor: shapes, hand-written expectations, bad input."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import ioclens
from ioclens import api

NOW = 1_767_225_600  # 2026-01-01T00:00:00Z


def test_lookup_single_refangs_and_types():
    got = ioclens.lookup("hxxps://evil-cdn[.]net/x", now=NOW)
    assert isinstance(got, ioclens.Lookup)
    assert (got.ioc, got.ioc_type, got.ioc_value) == ("hxxps://evil-cdn[.]net/x", "url", "https://evil-cdn.net/x")
    assert 0 <= got.score <= 100
    assert got.level in ("info", "low", "medium", "high", "critical")
    assert got.remote_status == "disabled" and got.remote_error == ""
    assert "evil-cdn.net/x" in got.kql and "ago(lookback)" in got.kql


def test_lookup_list_keeps_order_and_duplicates():
    frame = ioclens.lookup(["8.8.8[.]8", "not an ioc", "8.8.8.8"], now=NOW)
    assert list(frame.columns) == list(api.LOOKUP_COLUMNS)
    assert list(frame["ioc"]) == ["8.8.8[.]8", "not an ioc", "8.8.8.8"]
    assert list(frame["ioc_type"]) == ["ipv4", "unknown", "ipv4"]
    assert list(frame["ioc_value"])[0] == "8.8.8.8"
    assert frame.loc[1, "score"] == 0 and frame.loc[1, "techniques"] == []
    assert [r["ioc_value"] for r in frame["raw"]] == ["8.8.8.8", "not an ioc", "8.8.8.8"]


def test_lookup_accepts_series_and_tuple():
    assert len(ioclens.lookup(pd.Series(["1.2.3.4", "evil.com"]), now=NOW)) == 2
    assert len(ioclens.lookup(("1.2.3.4",), now=NOW)) == 1
    assert ioclens.lookup([], now=NOW).empty


def test_lookup_hunting_off_drops_queries():
    assert ioclens.lookup("1.2.3.4", now=NOW, hunting=False).kql is None


def test_lookup_lookback_and_profile_reach_the_query():
    got = ioclens.lookup("1.2.3.4", now=NOW, lookback="24h", profile="asim")
    assert "let lookback = 24h;" in got.kql
    assert "_Im_NetworkSession" in got.kql


def test_forced_type_mismatch_is_a_diagnostic_not_an_exception():
    got = ioclens.lookup("8.8.8.8", type="domain", now=NOW)
    assert got.ioc_type == "ipv4"  # the core keeps the detected type and says why it refused the forced one
    assert [d["code"] for d in got.raw["diagnostics"]] == ["type-mismatch"]


def test_extract_frame():
    frame = ioclens.extract("C2 at 185.220.101[.]1 and hxxp://evil-cdn[.]net/a; T1059.001, CVE-2021-44228.")
    assert list(frame.columns) == list(api.EXTRACT_COLUMNS)
    rows = set(zip(frame["type"], frame["value"]))
    assert {
        ("ipv4", "185.220.101.1"),
        ("url", "http://evil-cdn.net/a"),
        ("attack", "T1059.001"),
        ("cve", "CVE-2021-44228"),
    } <= rows
    assert ("domain", "evil-cdn.net") in rows  # implied by the URL
    assert frame.set_index("value").loc["evil-cdn.net", "implied"]
    assert ioclens.extract("").empty


def test_hunt_kql_by_type_and_targets():
    h = ioclens.hunt(["evil[.]com", "1.2.3.4", "not an ioc"], lookback="3d")
    assert set(h.by_type()) == {"domain", "ipv4"}
    assert all(q["target"] == "kql" for q in h.queries)
    assert all("let lookback = 3d;" in q for q in h.kql if "lookback" in q)
    assert any("`not an ioc` skipped" in n for n in h.notes)
    assert h.lookback == "3d"
    frame = h.to_frame()
    assert list(frame.columns) == list(api.HUNT_COLUMNS) and len(frame) == len(h.queries)
    both = ioclens.hunt("evil.com", target=["spl", "kql"])
    assert both.spl and both.kql
    defender = ioclens.hunt("evil.com", profile="defender")
    assert "Timestamp > ago(lookback)" in defender.kql[0]


def test_hunt_takes_frames():
    found = ioclens.extract("beacon to 203.0.113[.]9 and evil[.]com")
    h = ioclens.hunt(found)
    assert set(h.by_type()) == {"ipv4", "domain"}
    looked = ioclens.lookup(["203.0.113.9", "nope"], now=NOW)
    assert set(ioclens.hunt(looked).by_type()) == {"ipv4"}


def test_hunt_values_are_quoted_safely():
    h = ioclens.hunt([{"type": "domain", "value": 'evil.com"); print("x'}])
    # The core validates values: a domain cannot carry a quote, so nothing is hunted rather than injected.
    assert not h.kql or all('print("x' not in q for q in h.kql)


def test_attack():
    got = ioclens.attack("T1059.001")
    assert got["name"] == "PowerShell"
    assert [t["name"] for t in got["tactics"]] == ["Execution"]
    with pytest.raises(ioclens.IoclensError) as info:
        ioclens.attack("T9999.999")
    assert info.value.kind


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: ioclens.lookup(123), TypeError),
        (lambda: ioclens.lookup(None), TypeError),
        (lambda: ioclens.lookup(b"8.8.8.8"), TypeError),
        (lambda: ioclens.lookup({"a": 1}), TypeError),
        (lambda: ioclens.lookup(["8.8.8.8", 5]), TypeError),
        (lambda: ioclens.lookup("8.8.8.8", now="today"), TypeError),
        (lambda: ioclens.lookup("8.8.8.8", remote="yes"), TypeError),
        (lambda: ioclens.extract(None), TypeError),
        (lambda: ioclens.classify(None), TypeError),
        (lambda: ioclens.attack(7), TypeError),
        (lambda: ioclens.hunt(42), TypeError),
        (lambda: ioclens.hunt([None]), TypeError),
        (lambda: ioclens.hunt("evil.com", target="xql"), ValueError),
        (lambda: ioclens.hunt("evil.com", profile="cim"), ValueError),
        (lambda: ioclens.hunt(pd.DataFrame({"x": [1]})), ValueError),
    ],
)
def test_bad_input_raises_clearly(call, error):
    with pytest.raises(error, match="ioclens"):
        call()


def test_core_errors_carry_their_kind():
    with pytest.raises(ioclens.IoclensError) as info:
        ioclens.hunt(["nothing here"])
    assert info.value.kind == "invalid_option"
    with pytest.raises(ioclens.IoclensError) as info:
        ioclens.hunt("evil.com", lookback="1y")
    assert info.value.kind == "invalid_option"
    with pytest.raises(ioclens.IoclensError) as info:
        ioclens.classify("8.8.8.8", type="nope")
    assert info.value.kind == "invalid_option"
    with pytest.raises(ioclens.IoclensError) as info:
        ioclens.lookup("8.8.8.8", type="nope")
    assert info.value.kind == "bad_request" and "nope" in str(info.value)


def test_a_bad_element_fails_the_batch_before_any_work(monkeypatch):
    calls = []
    real = api._call
    monkeypatch.setattr(api, "_call", lambda op, req: calls.append(op) or real(op, req))
    with pytest.raises(TypeError, match=r"value\[2\]"):
        ioclens.lookup(["1.2.3.4", "evil.com", float("nan")])
    assert calls == []


# ---------------------------------------------------------------- accessor


def _alerts():
    return pd.DataFrame(
        {
            "SrcIP": ["185.220.101[.]1", "10.0.0.5", None, "185.220.101[.]1", float("nan"), "hello"],
            "Count": [3, 1, 2, 7, 1, 1],
        }
    )


def test_accessor_adds_columns_and_leaves_the_input_alone():
    df = _alerts()
    before = df.copy()
    out = df.ioclens.enrich("SrcIP", now=NOW)
    pd.testing.assert_frame_equal(df, before)
    added = [c for c in out.columns if c.startswith("ioclens_")]
    assert added == [f"ioclens_{n}" for _, n in ioclens.accessor.ENRICH_COLUMNS]
    assert list(out["ioclens_type"]) == ["ipv4", "ipv4", "unknown", "ipv4", "unknown", "unknown"]
    assert out.loc[0, "ioclens_value"] == "185.220.101.1"
    assert out.loc[0, "ioclens_score"] == out.loc[3, "ioclens_score"]
    assert list(out["ioclens_remote_status"]) == ["disabled", "disabled", "skipped", "disabled", "skipped", "disabled"]
    assert pd.isna(out.loc[2, "ioclens_score"]) and out.loc[2, "ioclens_techniques"] == []
    assert out.loc[5, "ioclens_score"] == 0
    single = ioclens.lookup("10.0.0.5", now=NOW)
    assert out.loc[1, "ioclens_score"] == single.score and out.loc[1, "ioclens_verdict"] == single.verdict


def test_accessor_looks_each_distinct_value_up_once(monkeypatch):
    seen = []
    real = api._call

    # One batch (lookup_many) for the distinct values; a one-value lookup would show up as "value".
    def spy(op, req):
        seen.extend(req.get("values") or [req.get("value")])
        return real(op, req)

    monkeypatch.setattr(api, "_call", spy)
    _alerts().ioclens.enrich("SrcIP", now=NOW)
    assert sorted(seen) == sorted(["185.220.101[.]1", "10.0.0.5", "hello"])


def test_accessor_hunting_column_and_prefix():
    out = _alerts().ioclens.enrich("SrcIP", now=NOW, hunting=True, prefix="ti_")
    assert "185.220.101.1" in out.loc[0, "ti_kql"]
    assert out.loc[2, "ti_kql"] is None


def test_accessor_bad_arguments():
    df = _alerts()
    with pytest.raises(KeyError, match="no column 'DstIP'"):
        df.ioclens.enrich("DstIP")
    with pytest.raises(TypeError):
        df.ioclens.enrich(3)
    enriched = df.ioclens.enrich("SrcIP", now=NOW)
    with pytest.raises(ValueError, match="already has"):
        enriched.ioclens.enrich("SrcIP")
    assert "ioclens_type" not in df.columns


def test_accessor_empty_and_all_missing():
    empty = pd.DataFrame({"x": pd.Series([], dtype=object)}).ioclens.enrich("x")
    assert "ioclens_score" in empty.columns and empty.empty
    missing = pd.DataFrame({"x": [None, math.nan]}).ioclens.enrich("x")
    assert list(missing["ioclens_type"]) == ["unknown", "unknown"]


def test_a_package_built_without_the_core_says_how_to_fix_it(tmp_path):
    import os
    import shutil
    import subprocess
    import sys

    package = os.path.dirname(ioclens.__file__)
    shutil.copytree(package, tmp_path / "ioclens", ignore=shutil.ignore_patterns("_wasm", "__pycache__"))
    code = "import ioclens\ntry:\n    ioclens.version()\nexcept RuntimeError as e:\n    print(e)\n"
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "WebAssembly core is missing" in out.stdout and "build.py" in out.stdout
