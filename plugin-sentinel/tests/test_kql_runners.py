"""Handing the hunt KQL to Sentinel without a tenant: the real ``azure.monitor.query.LogsQueryClient`` (alone, and
inside msticpy's ``QueryProvider("MSSentinel")``) over the real azure-core/requests pipeline, with only the
socket layer replaced by a requests adapter that records each HTTP request and answers like Log Analytics."""

from __future__ import annotations

import datetime as dt
import io
import json
import time

import pytest

pytest.importorskip("azure.monitor.query")

import requests  # noqa: E402
import urllib3  # noqa: E402
from azure.core.credentials import AccessToken  # noqa: E402
from azure.core.pipeline.transport import RequestsTransport  # noqa: E402
from azure.monitor.query import LogsQueryClient  # noqa: E402
from requests.adapters import BaseAdapter  # noqa: E402

import ioclens  # noqa: E402
from ioclens import sentinel  # noqa: E402

WORKSPACE = "00000000-1111-2222-3333-444444444444"
ENDPOINT = "https://api.loganalytics.io/v1"


class RecordingAdapter(BaseAdapter):
    """The network layer, unconnected: records each request and answers with one Log Analytics table."""

    def __init__(self):
        super().__init__()
        self.requests: list = []

    def send(self, request, **kwargs):
        self.requests.append(request)
        body = json.loads(request.body)
        response = requests.Response()
        response.status_code = 200
        response.headers["Content-Type"] = "application/json"
        table = {
            "name": "PrimaryResult",
            "columns": [{"name": "TimeGenerated", "type": "datetime"}, {"name": "SourceTable", "type": "string"}],
            "rows": [["2026-01-01T00:00:00Z", f"hit {len(self.requests)}"]],
        }
        content = json.dumps({"tables": [table]}).encode()
        response.raw = urllib3.HTTPResponse(
            body=io.BytesIO(content),
            headers={"Content-Type": "application/json"},
            status=200,
            preload_content=False,
        )
        response.url = request.url
        response.request = request
        response.encoding = "utf-8"
        assert "query" in body
        return response

    def close(self):
        pass


class StaticCredential:
    def get_token(self, *scopes, **kwargs):
        return AccessToken("test-token", int(time.time()) + 3600)


@pytest.fixture
def client():
    adapter = RecordingAdapter()
    session = requests.Session()
    session.mount("https://", adapter)
    logs = LogsQueryClient(StaticCredential(), endpoint=ENDPOINT, transport=RequestsTransport(session=session))
    return logs, adapter


@pytest.fixture
def hunt():
    return ioclens.hunt(["185.220.101[.]1", "evil-cdn[.]net", "not an ioc"], lookback="3d")


def _check_requests(adapter, hunt):
    reqs = sentinel.kql_requests(hunt)
    assert len(adapter.requests) == len(reqs)
    bodies = []
    for sent, want in zip(adapter.requests, reqs):
        assert sent.method == "POST"
        assert sent.url.startswith(f"{ENDPOINT}/workspaces/{WORKSPACE}/query")
        assert sent.headers["Authorization"] == "Bearer test-token"
        body = json.loads(sent.body)
        assert body["query"] == want["query"]  # sent unmodified
        bodies.append(body)
    return bodies


def test_kql_requests_lists_every_kql_query(hunt):
    reqs = sentinel.kql_requests(hunt)
    assert [r["query"] for r in reqs] == hunt.kql
    assert {r["type"] for r in reqs} == {"ipv4", "domain"}
    with pytest.raises(ValueError, match="no KQL"):
        sentinel.kql_requests(ioclens.hunt("evil-cdn.net", target="spl"))


def test_lookback_timespan():
    assert sentinel.lookback_timespan("3d") == dt.timedelta(days=3)
    assert sentinel.lookback_timespan("90m") == dt.timedelta(minutes=90)
    assert sentinel.lookback_timespan("2w") == dt.timedelta(weeks=2)
    with pytest.raises(ValueError):
        sentinel.lookback_timespan("1y")


def test_logs_query_client(client, hunt):
    logs, adapter = client
    results = sentinel.run_with_logs_client(hunt, logs, WORKSPACE)
    bodies = _check_requests(adapter, hunt)
    # The hunt's own lookback (3 days) as the ISO 8601 duration azure-monitor-query writes.
    assert {b["timespan"] for b in bodies} == {"PT259200.0S"}
    assert len(results) == len(adapter.requests)
    assert set(results["ioclens_type"]) == {"ipv4", "domain"}
    assert list(results["SourceTable"])[0] == "hit 1"


def test_msticpy_query_provider(client, hunt):
    pytest.importorskip("msticpy")
    from msticpy.data import QueryProvider

    qry_prov = QueryProvider("MSSentinel")
    assert not qry_prov.connected  # no tenant
    logs, adapter = client
    # What connect() would do after authenticating: a LogsQueryClient and the workspace to query.
    driver = qry_prov._query_provider
    driver._query_client = logs
    driver._workspace_ids = [WORKSPACE]
    driver._connected = True
    results = sentinel.run_with_query_provider(hunt, qry_prov)
    _check_requests(adapter, hunt)
    assert len(results) == len(sentinel.kql_requests(hunt))
    assert set(results["ioclens_type"]) == {"ipv4", "domain"}
