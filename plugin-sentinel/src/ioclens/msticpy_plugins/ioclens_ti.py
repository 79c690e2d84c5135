"""msticpy plugin module: ``mp_plugins.read_plugins([<this folder>])`` registers the ``Ioclens`` TI provider."""

from ioclens.msticpy_provider import Ioclens

__all__ = ["Ioclens"]
