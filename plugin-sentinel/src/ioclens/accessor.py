"""``df.ioclens.enrich("column")``: the enrichment columns added to a copy of a DataFrame.

Each distinct cell value is looked up once. Cells that are not strings (NaN, None, numbers) are not sent to the
core: their row gets ``ioclens_type = "unknown"`` and ``ioclens_remote_status = "skipped"``. The input frame is
never modified; a bad argument raises before any lookup.
"""

from __future__ import annotations

from typing import Optional, Union

import pandas as pd

from . import api
from .remote import RemoteConfig

#: ``lookup`` frame column → added column (prefixed).
ENRICH_COLUMNS = (
    ("ioc_type", "type"),
    ("ioc_value", "value"),
    ("score", "score"),
    ("level", "level"),
    ("confidence", "confidence"),
    ("verdict", "verdict"),
    ("found", "found"),
    ("techniques", "techniques"),
    ("tactics", "tactics"),
    ("remote_status", "remote_status"),
    ("remote_error", "remote_error"),
)


@pd.api.extensions.register_dataframe_accessor("ioclens")
class IoclensAccessor:
    def __init__(self, frame: pd.DataFrame):
        self._frame = frame

    def enrich(
        self,
        column: str,
        *,
        prefix: str = "ioclens_",
        now: Optional[Union[int, float]] = None,
        remote: Union[None, bool, RemoteConfig] = None,
        hunting: bool = False,
    ) -> pd.DataFrame:
        """A copy of the frame with ``<prefix>type, value, score, level, confidence, verdict, found, techniques,
        tactics, remote_status, remote_error`` (and ``<prefix>kql`` with ``hunting=True``) for ``column``."""
        frame = self._frame
        if not isinstance(column, str):
            raise TypeError(f"ioclens: column must be a str, not {type(column).__name__}")
        if column not in frame.columns:
            raise KeyError(f"ioclens: no column {column!r} (columns: {', '.join(map(str, frame.columns))})")
        if not isinstance(prefix, str):
            raise TypeError("ioclens: prefix must be a str")
        clashes = [prefix + name for _, name in ENRICH_COLUMNS if prefix + name in frame.columns]
        if clashes:
            raise ValueError(f"ioclens: the frame already has {clashes}; pass another prefix=")
        cells = frame[column]
        distinct = list(dict.fromkeys(v for v in cells if isinstance(v, str)))
        looked = api.lookup(distinct, now=now, remote=remote, hunting=hunting) if distinct else None
        by_value: dict = {}
        if looked is not None:
            for value, row in zip(distinct, looked.to_dict("records")):
                row["kql"] = (row["raw"].get("hunting") or {}).get("kql_query") or None
                by_value[value] = row
        missing = {
            "ioc_type": "unknown",
            "ioc_value": None,
            "score": None,
            "level": None,
            "confidence": None,
            "verdict": None,
            "found": False,
            "techniques": [],
            "tactics": [],
            "remote_status": "skipped",
            "remote_error": "not a string",
            "kql": None,
        }
        out = frame.copy()
        pairs = list(ENRICH_COLUMNS) + ([("kql", "kql")] if hunting else [])
        for source, name in pairs:
            out[prefix + name] = [by_value[v][source] if isinstance(v, str) else _fresh(missing[source]) for v in cells]
        if looked is not None:
            out[prefix + "score"] = out[prefix + "score"].astype("Int64")
        return out


def _fresh(value):
    return list(value) if isinstance(value, list) else value
