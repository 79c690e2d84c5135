"""msticpy plugin module: ``mp_plugins.read_plugins([<this folder>])`` registers the ``Ioclens`` TI provider."""

from ioclens.msticpy_provider import IoclensTI

__all__ = ["IoclensTI"]
