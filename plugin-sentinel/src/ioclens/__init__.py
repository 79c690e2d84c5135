"""ioclens for Microsoft Sentinel notebooks: IOC enrichment by the ioclens Rust core (WebAssembly, offline).

    >>> import ioclens
    >>> ioclens.lookup("185.220.101[.]1").score
    >>> ioclens.extract(report)                 # DataFrame of indicators
    >>> ioclens.hunt(values, target="kql")      # hunting queries
    >>> df.ioclens.enrich("SrcIP")              # enrichment columns
    >>> ioclens.load_pack(url, public_key)      # a signed intel pack from an ioclens server, kept on disk

msticpy: ``ioclens.msticpy_provider.IoclensTI`` (``TILookup(providers=["Ioclens"])``, pivots); see README.md.
"""

from . import accessor as _accessor  # noqa: F401 - registers df.ioclens
from ._version import __version__
from .api import Hunt, IoclensError, Lookup, attack, classify, extract, extraction, hunt, lookup, version
from .pack import PackStatus, load_pack, pack_status
from .remote import RemoteConfig

__all__ = [
    "Hunt",
    "IoclensError",
    "Lookup",
    "PackStatus",
    "RemoteConfig",
    "__version__",
    "attack",
    "classify",
    "extract",
    "extraction",
    "hunt",
    "load_pack",
    "lookup",
    "pack_status",
    "version",
]
