"""What the four search commands share: loading the core once, reporting it, and the options' vocabularies."""

import time

from .core import CoreError, describe_load, get_core

# Wire names of indicator types (core/src/model.rs IocKind), for `types=` and `type=` options.
IOC_TYPES = (
    "ipv4",
    "ipv6",
    "cidr",
    "domain",
    "url",
    "email",
    "md5",
    "sha1",
    "sha256",
    "sha512",
    "cve",
    "attack",
    "asn",
    "btc",
    "file_path",
    "registry_key",
)

# Upper bound on the values a generating command accepts in one invocation (queries are batched by the core).
MAX_VALUES = 10000


def load_core(command):
    """Loads the core for ``command`` (a splunklib SearchCommand) and reports how; on failure writes an ERROR
    message and returns None (the caller then exits, which splunkd shows as the search error)."""
    try:
        core = get_core()
    except CoreError as error:
        command.write_error(error.message)
        return None
    except Exception as error:  # noqa: BLE001 - wasmtime raises its own types; the user needs the text
        command.write_error("cannot load the ioclens core: {}".format(error))
        return None
    # Inspector metrics are (seconds-ish value, invocations, input count, output count) tuples.
    command.write_metric("ioclens_core_load_ms", (round(core.load_seconds * 1000.0, 1), 1, None, None))
    command.write_metric("ioclens_core_cache_hit", (None, 1 if core.cached else 0, None, None))
    command.write_metric("ioclens_core_fastcall", (None, 1 if core.fast else 0, None, None))
    if core.pack:
        command.write_metric("ioclens_pack_entries", (None, core.pack.get("entries"), None, None))
    command.logger.info(describe_load(core))
    return core


_NOW = []


def search_now():
    """``now`` (Unix seconds) for every score in this process, taken once: results do not drift between chunks.
    The core never reads the clock; the host passes the time in."""
    if not _NOW:
        _NOW.append(int(time.time()))
    return _NOW[0]


def parse_types(text):
    """``types=ipv4,domain`` -> set of wire names; raises ValueError naming the unknown ones."""
    names = [part.strip().lower() for part in str(text).split(",") if part.strip()]
    unknown = [name for name in names if name not in IOC_TYPES]
    if unknown:
        raise ValueError("unknown type(s): {} (known: {})".format(", ".join(unknown), ", ".join(IOC_TYPES)))
    return set(names)
