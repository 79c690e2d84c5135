"""Running the hunting KQL in Sentinel: hand it to msticpy's ``QueryProvider("MSSentinel")`` or to
``azure.monitor.query.LogsQueryClient`` when the notebook is connected. Nothing here needs a tenant until the
query actually runs; ``kql_requests`` shows exactly what would be sent.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any, Optional, Union

import pandas as pd

from .api import Hunt

_LOOKBACK = re.compile(r"^([1-9][0-9]*)([mhdw])$")


def lookback_timespan(lookback: str) -> _dt.timedelta:
    """``7d`` → ``timedelta(days=7)`` (the window the queries are bounded with, for ``LogsQueryClient``)."""
    m = _LOOKBACK.match(lookback or "")
    if not m:
        raise ValueError(f"ioclens: lookback must be <N>m, <N>h, <N>d or <N>w, not {lookback!r}")
    n, unit = int(m.group(1)), m.group(2)
    return {
        "m": _dt.timedelta(minutes=n),
        "h": _dt.timedelta(hours=n),
        "d": _dt.timedelta(days=n),
        "w": _dt.timedelta(weeks=n),
    }[unit]


def kql_requests(hunt: Hunt) -> list:
    """``[{type, profile, title, query}]`` for every KQL query of a hunt (what the runners send, in order)."""
    out = [
        {"type": q["type"], "profile": q["profile"], "title": q["title"], "query": q["query"]}
        for q in hunt.queries
        if q["target"] == "kql"
    ]
    if not out:
        raise ValueError("ioclens: the hunt has no KQL query (call ioclens.hunt(values, target='kql'))")
    return out


def run_with_query_provider(hunt: Hunt, query_provider: Any, **kwargs: Any) -> pd.DataFrame:
    """Runs every KQL query through a connected msticpy ``QueryProvider("MSSentinel")`` (``exec_query``) and
    concatenates the results, with ``ioclens_type`` / ``ioclens_query`` columns saying which query found them."""
    frames = []
    for req in kql_requests(hunt):
        result = query_provider.exec_query(req["query"], **kwargs)
        if isinstance(result, pd.DataFrame) and not result.empty:
            frames.append(result.assign(ioclens_type=req["type"], ioclens_query=req["title"]))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def run_with_logs_client(
    hunt: Hunt,
    client: Any,
    workspace_id: str,
    lookback: Union[str, _dt.timedelta, None] = None,
) -> pd.DataFrame:
    """Runs every KQL query through ``azure.monitor.query.LogsQueryClient.query_workspace`` (the queries carry
    their own time bound; ``timespan`` is set to the same window so the service does not cut it shorter)."""
    from azure.monitor.query import LogsQueryStatus

    if isinstance(lookback, _dt.timedelta):
        timespan: Optional[_dt.timedelta] = lookback
    else:
        timespan = lookback_timespan(lookback or hunt.lookback)
    frames = []
    for req in kql_requests(hunt):
        response = client.query_workspace(workspace_id, req["query"], timespan=timespan)
        tables = response.tables if response.status == LogsQueryStatus.SUCCESS else response.partial_data
        for table in tables or []:
            frame = pd.DataFrame(data=table.rows, columns=table.columns)
            if not frame.empty:
                frames.append(frame.assign(ioclens_type=req["type"], ioclens_query=req["title"]))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
