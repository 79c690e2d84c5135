"""Remote scoring against a real ``ioclens serve`` on 127.0.0.1: on, off, misconfigured, dead (fail-open)."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import free_port

import ioclens
from ioclens import RemoteConfig

NOW = 1_767_225_600
LISTED = "185.220.101.4"  # in the server's STIX feed (government, high confidence)


def test_remote_raises_the_score_of_a_listed_value(server):
    local = ioclens.lookup(LISTED, now=NOW, remote=False)
    remote = ioclens.lookup(LISTED, now=NOW, remote=RemoteConfig(server["url"], server["key"]))
    assert local.remote_status == "disabled" and not local.found
    assert remote.remote_status == "ok" and remote.remote_error == ""
    assert remote.found and remote.score > local.score
    assert remote.raw["score"]["local_score"] == local.score
    assert remote.raw["score"]["remote_score"] is not None


def test_env_switches_remote_on(server, monkeypatch):
    monkeypatch.setenv("IOCLENS_URL", server["url"])
    monkeypatch.setenv("IOCLENS_API_KEY", server["key"])
    frame = ioclens.lookup([LISTED, "not an ioc"], now=NOW)
    assert list(frame["remote_status"]) == ["ok", "disabled"]
    assert frame.loc[1, "remote_error"] == "not an indicator"
    assert ioclens.lookup(LISTED, now=NOW, remote=False).remote_status == "disabled"


def test_msticpyconfig_switches_remote_on(server, monkeypatch, tmp_path):
    pytest.importorskip("msticpy")
    from msticpy.common import pkg_config

    config = tmp_path / "msticpyconfig.yaml"
    config.write_text(
        "TIProviders:\n"
        "  Ioclens:\n"
        "    Primary: true\n"
        "    Provider: Ioclens\n"
        "    Args:\n"
        f"      Url: {server['url']}\n"
        f"      AuthKey: {server['key']}\n"
    )
    monkeypatch.setenv("MSTICPYCONFIG", str(config))
    pkg_config.refresh_config()
    try:
        found = RemoteConfig.discover()
        assert found is not None and found.source == "msticpyconfig" and found.usable
        assert ioclens.lookup(LISTED, now=NOW).remote_status == "ok"
    finally:
        monkeypatch.delenv("MSTICPYCONFIG")
        pkg_config.refresh_config()


def test_wrong_key_fails_open(server):
    got = ioclens.lookup(LISTED, now=NOW, remote=RemoteConfig(server["url"], "not-a-key"))
    local = ioclens.lookup(LISTED, now=NOW, remote=False)
    assert got.remote_status == "error" and "401" in got.remote_error
    assert got.score == local.score


def test_dead_server_fails_open_and_is_skipped_afterwards():
    dead = RemoteConfig(f"http://127.0.0.1:{free_port()}", "k", timeout=1)
    frame = ioclens.lookup([LISTED, "8.8.8.8"], now=NOW, remote=dead)
    assert list(frame["remote_status"]) == ["error", "error"]
    assert "cannot reach the server" in frame.loc[0, "remote_error"]
    assert frame.loc[1, "remote_error"].startswith("skipped after an earlier failure")
    local = ioclens.lookup([LISTED, "8.8.8.8"], now=NOW, remote=False)
    assert list(frame["score"]) == list(local["score"])


@pytest.mark.parametrize(
    "config, problem",
    [
        (RemoteConfig("ftp://127.0.0.1", "k"), "http(s)"),
        (RemoteConfig("http://127.0.0.1:1"), "no API key"),
        (RemoteConfig(""), "no server url"),
    ],
)
def test_misconfiguration_is_a_status_not_an_exception(config, problem):
    got = ioclens.lookup(LISTED, now=NOW, remote=config)
    assert got.remote_status == "disabled" and problem in got.remote_error


def test_remote_true_without_configuration_says_why():
    got = ioclens.lookup(LISTED, now=NOW, remote=True)
    assert got.remote_status == "disabled" and "no IOCLENS_URL" in got.remote_error


def test_key_never_in_repr():
    assert "secret" not in repr(RemoteConfig("http://127.0.0.1:1", "secret"))


def test_accessor_remote_status_column(server):
    df = pd.DataFrame({"ip": [LISTED, "10.0.0.1", None]})
    out = df.ioclens.enrich("ip", now=NOW, remote=RemoteConfig(server["url"], server["key"]))
    assert list(out["ioclens_remote_status"]) == ["ok", "ok", "skipped"]
    assert out.loc[0, "ioclens_found"]
