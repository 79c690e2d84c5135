"""Executes notebooks/ioclens-hunt.ipynb end to end on a local python3 kernel (nbclient) and checks its outputs.

``IOCLENS_FIGURES`` set to a directory keeps the chart there (``plugin-sentinel/docs`` refreshes the README copy).
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("matplotlib")

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "ioclens-hunt.ipynb"


def _text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif "data" in out:
            parts.append(out["data"].get("text/plain", ""))
    return "".join(parts)


def test_notebook_runs_end_to_end(tmp_path, monkeypatch):
    figures = Path(os.environ.get("IOCLENS_FIGURES") or tmp_path / "figures")
    monkeypatch.setenv("IOCLENS_FIGURES", str(figures))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # a failing cell (including the checks cell) raises CellExecutionError

    code = [c for c in nb.cells if c.cell_type == "code"]
    errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    assert "all checks passed" in _text(code[-1])
    # The indicators table, the chart inline and on disk, and the KQL printed per type.
    everything = "\n".join(_text(c) for c in code)
    assert "185.220.101.4" in everything and "update-check-service.xyz" in everything
    images = [o["data"]["image/png"] for c in code for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) == 1 and len(base64.b64decode(images[0])) > 10_000
    png = figures / "ioclens-hunt.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "// ---- ipv4:" in everything and "union isfuzzy=true" in everything
    assert "Not connected: set SENTINEL_WORKSPACE" in everything
