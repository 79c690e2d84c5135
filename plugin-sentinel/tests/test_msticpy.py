"""msticpy: the ``Ioclens`` TI provider through both registration paths, lookup_iocs, pivots, severity, offline."""

from __future__ import annotations

import socket

import pandas as pd
import pytest

msticpy = pytest.importorskip("msticpy")

from msticpy.context.tilookup import TILookup  # noqa: E402
from msticpy.context.tiproviders.result_severity import ResultSeverity  # noqa: E402

import ioclens  # noqa: E402
from ioclens.msticpy_provider import SEVERITY, IoclensTI, plugin_folder, register  # noqa: E402

NOW = 1_767_225_600


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a non-loopback connection fails the test (the provider must work offline)."""
    real = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if host not in ("127.0.0.1", "::1", "localhost") and not str(host).startswith("/"):
            raise AssertionError(f"network access to {address!r}")
        return real(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture
def clean_registry():
    saved = dict(TILookup.CUSTOM_PROVIDERS)
    TILookup.CUSTOM_PROVIDERS.pop("Ioclens", None)
    yield
    TILookup.CUSTOM_PROVIDERS.clear()
    TILookup.CUSTOM_PROVIDERS.update(saved)


def test_severity_scale():
    # msticpy: unknown(-1) < information(0) < warning(1) < high(2).
    assert SEVERITY == {
        "info": ResultSeverity.information,
        "low": ResultSeverity.information,
        "medium": ResultSeverity.warning,
        "high": ResultSeverity.high,
        "critical": ResultSeverity.high,
    }


def test_direct_registration_without_config(no_network):
    ti = TILookup(primary_providers=[IoclensTI(Now=NOW)])
    assert any(s.startswith("Ioclens") for s in ti.provider_status)
    row = ti.lookup_ioc("185.220.101.1").iloc[0]
    local = ioclens.lookup("185.220.101.1", now=NOW, hunting=False)
    assert row["Provider"] == "Ioclens" and bool(row["Result"])
    assert row["Details"]["Score"] == local.score
    assert row["Severity"] == SEVERITY[local.level].name
    assert row["RawResult"] == local.raw


def test_plugin_folder_and_config_registration(tmp_path, monkeypatch, clean_registry, no_network):
    from msticpy.common import pkg_config
    from msticpy.init import mp_plugins

    mp_plugins.read_plugins([plugin_folder()])
    assert TILookup.CUSTOM_PROVIDERS["Ioclens"] is IoclensTI
    config = tmp_path / "msticpyconfig.yaml"
    config.write_text(
        "TIProviders:\n  Ioclens:\n    Primary: true\n    Provider: Ioclens\n    Args:\n      Remote: false\n"
    )
    monkeypatch.setenv("MSTICPYCONFIG", str(config))
    pkg_config.refresh_config()
    try:
        ti = TILookup(providers=["Ioclens"])
        assert ti.provider_status == [s for s in ti.provider_status if s.startswith("Ioclens")]
        assert ti.provider_status and "primary" in ti.provider_status[0]
        df = pd.DataFrame({"ioc": ["185.220.101.1", "evil-cdn.net", "44d88612fea8a8f36de82e1278abb02f"]})
        res = ti.lookup_iocs(df, ioc_col="ioc")
        assert set(res["Ioc"]) == set(df["ioc"])
        assert set(res["Provider"]) == {"Ioclens"}
        assert set(res["IocType"]) == {"ipv4", "dns", "md5_hash"}
        for _, row in res.iterrows():
            want = ioclens.lookup(row["Ioc"], hunting=False)
            assert row["Details"]["Score"] == want.score
            assert row["Severity"] == SEVERITY[want.level].name
    finally:
        monkeypatch.delenv("MSTICPYCONFIG")
        pkg_config.refresh_config()


def test_register_helper(clean_registry, no_network):
    assert register() is IoclensTI and TILookup.CUSTOM_PROVIDERS["Ioclens"] is IoclensTI
    ti = TILookup(providers=["Ioclens"])  # nothing configured: no provider yet
    register(ti, Now=NOW)
    assert ti.provider_status and ti.provider_status[0].startswith("Ioclens")
    assert ti.lookup_ioc("185.220.101.1").iloc[0]["Provider"] == "Ioclens"


def test_defanged_values_and_non_indicators(no_network):
    ti = TILookup(primary_providers=[IoclensTI()])
    res = ti.lookup_iocs(["hxxp://evil-cdn[.]net/a", "hello world"])
    assert "hello world" not in set(res["Ioc"])  # msticpy drops values it cannot type before asking providers
    row = res.set_index("Ioc").loc["hxxp://evil-cdn[.]net/a"]
    assert row["IocType"] == "url"
    assert row["Details"]["Score"] == ioclens.lookup("hxxp://evil-cdn[.]net/a", hunting=False).score
    provider = IoclensTI()
    for value in ("hello world", "1.2.3[.]4"):
        got = provider.lookup_ioc(value).iloc[0]
        if value == "hello world":
            assert (got["Severity"], bool(got["Result"]), got["Status"]) == ("unknown", False, 2)
        else:
            assert (got["IocType"], got["SafeIoc"], bool(got["Result"])) == ("ipv4", "1.2.3.4", True)


def test_parse_results_maps_levels():
    provider = IoclensTI()
    for value in ("185.220.101.1", "8.8.8.8", "not an ioc"):
        package = ioclens.lookup(value, now=NOW, hunting=False).raw
        assessed, severity, details = provider.parse_results(package)
        if package["ioc_type"] == "unknown":
            assert (assessed, severity) == (False, ResultSeverity.unknown)
        else:
            assert assessed and severity == SEVERITY[package["risk"]["level"]]
            assert details["Score"] == package["risk"]["score"]


def test_provider_remote_args(server):
    provider = IoclensTI(Url=server["url"], AuthKey=server["key"], Now=NOW)
    row = TILookup(primary_providers=[provider]).lookup_ioc("185.220.101.4").iloc[0]
    assert row["Details"]["RemoteStatus"] == "ok"
    assert row["Reference"] == f"{server['url']}/api/v1/lookup"
    assert row["Severity"] == "high"


def test_pivots_route_to_ioclens(no_network):
    from msticpy.datamodel.entities import Dns, IpAddress
    from msticpy.init.pivot import Pivot

    ti = TILookup(primary_providers=[IoclensTI(Now=NOW)])
    Pivot().reload_pivots(providers=[ti])
    ip = IpAddress.ti.lookup_ip("185.220.101.1")
    assert set(ip["Provider"]) == {"Ioclens"}
    assert ip.iloc[0]["Details"]["Score"] == ioclens.lookup("185.220.101.1", now=NOW).score
    dns = Dns.ti.lookup_dns("evil-cdn.net")
    assert set(dns["Provider"]) == {"Ioclens"}
