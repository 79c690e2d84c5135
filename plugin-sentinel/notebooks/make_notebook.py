#!/usr/bin/env python3
"""Writes ioclens-hunt.ipynb (unexecuted) from the cells below: the notebook's reviewable source.

.venv-msticpy/bin/python plugin-sentinel/notebooks/make_notebook.py
"""

import os

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

CELLS = [
    (
        "md",
        """# ioclens hunt: from a threat report to Sentinel hunting queries

Paste a report, get its indicators, their risk scores and ATT&CK techniques, a picture of what the report covers,
and KQL you can run in Microsoft Sentinel. Everything runs locally (the ioclens core is bundled as WebAssembly);
set `IOCLENS_URL` / `IOCLENS_API_KEY` (or `TIProviders: Ioclens: Args` in msticpyconfig.yaml) to merge a
remote ioclens server's scores, and `SENTINEL_WORKSPACE` to run the queries in your workspace.""",
    ),
    (
        "code",
        """# Parameters
import os

FIGURES = os.environ.get("IOCLENS_FIGURES", "figures")   # where the chart is saved
WORKSPACE = os.environ.get("SENTINEL_WORKSPACE")          # msticpyconfig workspace name; None = not connected
LOOKBACK = "7d"                                           # hunting window""",
    ),
    (
        "code",
        """import matplotlib.pyplot as plt
import pandas as pd

import ioclens
from ioclens import sentinel

pd.set_option("display.max_colwidth", 80)
print("ioclens core", ioclens.version()["version"])""",
    ),
    ("md", "## 1. The report\n\nPaste the report text (defanged indicators are fine)."),
    (
        "code",
        '''REPORT = r"""
Incident summary - invoice-themed intrusion, November 2026

Initial access was a phishing e-mail from billing@invoice-portal[.]xyz linking to
hxxps://invoice-portal[.]xyz/doc/view.php?id=4711 (T1566.002). The page dropped a loader
(SHA256 aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f,
MD5 44d88612fea8a8f36de82e1278abb02f) that runs PowerShell (T1059.001) and persists through
HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run (T1547.001).

Command and control: HTTPS beacons to update-check-service[.]xyz and 185.220.101[.]4 (T1071.001),
fallback 45.155.205[.]233. The actor exploited CVE-2023-23397 for credential theft (T1187) and
exfiltrated archives to hxxp://files-drop[.]top/upload (T1567.002).
"""''',
    ),
    ("md", "## 2. Extracted indicators"),
    (
        "code",
        """indicators = ioclens.extract(REPORT)
indicators""",
    ),
    (
        "md",
        """## 3. Enrichment: scores and ATT&CK

`df.ioclens.enrich(column)` adds the core's score (0-100), level, confidence, verdict and the ATT&CK techniques
each indicator points to; `ioclens_remote_status` says whether a remote ioclens server contributed.""",
    ),
    (
        "code",
        """enriched = indicators.ioclens.enrich("value")
enriched[["type", "value", "ioclens_score", "ioclens_level", "ioclens_verdict",
          "ioclens_techniques", "ioclens_tactics", "ioclens_remote_status"]]""",
    ),
    (
        "code",
        """# Techniques: those the report names plus those the indicators point to, with their tactics.
named = set(indicators.loc[indicators["type"] == "attack", "value"])
pointed = {t for ts in enriched["ioclens_techniques"] for t in ts}
rows = []
for technique in sorted(named | pointed):
    card = ioclens.attack(technique)
    for tactic in card["tactics"]:
        rows.append({"technique": technique, "name": card["name"], "tactic_id": tactic["id"],
                     "tactic": tactic["name"],
                     "source": "report" if technique in named else "indicator"})
techniques = pd.DataFrame(rows)
techniques""",
    ),
    ("md", "## 4. Score by type and tactic coverage"),
    (
        "code",
        """# Enterprise tactics in kill-chain order; names come from the embedded ATT&CK catalogue.
TACTIC_IDS = ["TA0043", "TA0042", "TA0001", "TA0002", "TA0003", "TA0004", "TA0005",
              "TA0006", "TA0007", "TA0008", "TA0009", "TA0011", "TA0010", "TA0040"]
tactic_names = [ioclens.attack(t)["name"] for t in TACTIC_IDS]
coverage = (techniques.groupby("tactic_id")["technique"].nunique()
            .reindex(TACTIC_IDS, fill_value=0))

scored = enriched.dropna(subset=["ioclens_score"])
scored = scored[~scored["ioclens_type"].isin(["unknown", "attack"])]  # ATT&CK ids are context, not scored IOCs
by_type = scored.groupby("type")["ioclens_score"].agg(["max", "mean", "count"]).sort_values("max")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.8))
ax1.barh(by_type.index, by_type["max"], color="#c0392b", alpha=0.35, label="max")
ax1.scatter(scored["ioclens_score"], scored["type"], color="#c0392b", zorder=3, label="indicator")
ax1.set_xlim(0, 100)
ax1.set_xlabel("ioclens risk score (0-100)")
ax1.set_title("Score by indicator type")
ax1.legend(loc="lower right")
ax2.barh(tactic_names[::-1], coverage.values[::-1], color="#2c7fb8")
ax2.set_xlabel("distinct techniques")
ax2.set_title("ATT&CK tactic coverage (no bar = not covered)")
ax2.xaxis.get_major_locator().set_params(integer=True)
fig.tight_layout()
os.makedirs(FIGURES, exist_ok=True)
FIGURE = os.path.join(FIGURES, "ioclens-hunt.png")
fig.savefig(FIGURE, dpi=110, bbox_inches="tight")
plt.show()""",
    ),
    (
        "md",
        """## 5. Hunting KQL per type

Time-bounded, injection-safe queries over the native Sentinel tables (`profile="asim"` for ASIM parsers,
`"defender"` for Defender XDR advanced hunting), plus a `ThreatIntelIndicators` check per type.""",
    ),
    (
        "code",
        """hunt = ioclens.hunt(indicators, target="kql", lookback=LOOKBACK)
hunt.to_frame()[["type", "profile", "title", "values"]]""",
    ),
    (
        "code",
        """for ioc_type, queries in hunt.by_type().items():
    print(f"// ---- {ioc_type}: {len(queries)} quer{'y' if len(queries) == 1 else 'ies'}")
    print(queries[0])
    print()""",
    ),
    (
        "md",
        """## 6. msticpy threat-intel lookup (optional)

The same scores through msticpy's `TILookup` with the `Ioclens` provider (no network needed).""",
    ),
    (
        "code",
        """try:
    import tldextract
    # Offline: use tldextract's bundled Public Suffix List snapshot instead of downloading it.
    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    from msticpy.context.tilookup import TILookup
    from ioclens.msticpy_provider import Ioclens
except ImportError:
    ti_results = None
    print("msticpy is not installed: pip install 'ioclens[msticpy]'")
else:
    ti = TILookup(primary_providers=[Ioclens()])
    ti_results = ti.lookup_iocs(indicators, ioc_col="value")
    display(ti_results[["Ioc", "IocType", "Provider", "Severity", "Details"]])""",
    ),
    ("md", "## 7. Run the hunt in Sentinel (when connected)"),
    (
        "code",
        """results = None
if WORKSPACE:
    from msticpy.data import QueryProvider

    qry_prov = QueryProvider("MSSentinel")
    qry_prov.connect(workspace=WORKSPACE)
    results = sentinel.run_with_query_provider(hunt, qry_prov)
    display(results)
else:
    print(f"Not connected: set SENTINEL_WORKSPACE to run the {len(hunt.kql)} queries, "
          "or paste them into Sentinel > Logs.")""",
    ),
    (
        "code",
        """# Checks (CI executes this notebook end to end): what the cells above must have produced.
assert {"ipv4", "domain", "url", "sha256", "md5", "email", "cve", "attack"} <= set(indicators["type"])
assert enriched["ioclens_score"].dropna().between(0, 100).all()
assert {"T1059.001", "T1071.001", "T1547.001"} <= set(techniques["technique"])
assert coverage["TA0002"] >= 1 and coverage["TA0011"] >= 1
assert os.path.getsize(FIGURE) > 10_000
assert {"ipv4", "domain", "url"} <= set(hunt.by_type())
assert all("ago(lookback)" in q for q in hunt.kql if q.startswith("let lookback"))
assert ti_results is None or set(ti_results["Provider"]) == {"Ioclens"}
print("all checks passed")""",
    ),
]


def main() -> None:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for kind, source in CELLS:
        nb.cells.append(new_markdown_cell(source) if kind == "md" else new_code_cell(source))
    nb.cells[1].metadata["tags"] = ["parameters"]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ioclens-hunt.ipynb")
    nbformat.validate(nb)
    nbformat.write(nb, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
