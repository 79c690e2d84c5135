"""The ``ioclens_feed`` modular input: poll an ioclens server's ``GET /api/v1/iocs`` into KV-store collections
shaped like Splunk Enterprise Security's threat-intelligence collections, incrementally.

- Incremental: each run asks for indicators seen ``since`` the previous successful run minus ``overlap`` (default
  24h), then follows the server's ``links.next`` cursor to the end. The server's ``since`` filters on
  ``last_seen`` (docs/api.md: a lookback on activity), so the overlap also picks up records that reached the server
  late with a slightly older ``last_seen``; a record whose ``last_seen`` is older than the previous run minus the
  overlap when it reaches the server is not fetched (raise ``overlap`` for feeds that publish late). The
  checkpoint (``<checkpoint_dir>/<input>.json``) only advances after a complete run; re-delivered records are
  harmless because every document has a stable ``_key``.
- Collections (ES field names): ``ip_intel`` (ipv4, ipv6, cidr -> ``ip``; domain -> ``domain``), ``http_intel``
  (url -> ``url``), ``file_intel`` (md5/sha1/sha256/sha512 -> ``file_hash``), ``email_intel`` (email ->
  ``src_user``), each with ``description``, ``threat_key``, ``time``, ``weight``, ``disabled``, ``updated`` plus our
  ``ioc_type``, ``confidence``, ``category``, ``tags``, ``mitre_techniques``, ``first_seen``, ``last_seen``.
  Other types (cve, …) have no ES collection and are counted as skipped.
"""

import calendar
import hashlib
import itertools
import json
import os
import re
import ssl
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode, urljoin, urlsplit

FEED_TYPES = ("ipv4", "ipv6", "domain", "url", "md5", "sha1", "sha256", "sha512", "cve", "email")
CONFIDENCES = ("low", "medium", "high")
CATEGORIES = ("government", "commercial", "community")
_LOOKBACK = re.compile(r"^[1-9][0-9]{0,4}[hd]$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")
_SLUG = re.compile(r"^[a-z][a-z0-9-]{0,63}$")
DEFAULT_OVERLAP = "24h"
BATCH = 500
MAX_PAGES = 10000
WEIGHT = {"low": 1, "medium": 2, "high": 3}

COLLECTION = {
    "ipv4": ("ip_intel", "ip"),
    "ipv6": ("ip_intel", "ip"),
    "cidr": ("ip_intel", "ip"),
    "domain": ("ip_intel", "domain"),
    "url": ("http_intel", "url"),
    "md5": ("file_intel", "file_hash"),
    "sha1": ("file_intel", "file_hash"),
    "sha256": ("file_intel", "file_hash"),
    "sha512": ("file_intel", "file_hash"),
    "email": ("email_intel", "src_user"),
}


class FeedError(Exception):
    """A run that cannot complete (server unreachable, bad answer); the checkpoint is not advanced."""


def _csv(value):
    return [part.strip().lower() for part in str(value or "").split(",") if part.strip()]


def validate(params):
    """Checks an input's parameters; raises ValueError with the message splunkd shows to the admin."""
    url = str(params.get("url") or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("url must be an http(s) URL of an ioclens server, e.g. https://ioclens.example:8080")
    if parts.query or parts.fragment or parts.username:
        raise ValueError("url must not carry a query, fragment or credentials (the key lives in storage/passwords)")
    for name, allowed in (("types", FEED_TYPES), ("confidence", CONFIDENCES), ("category", CATEGORIES)):
        bad = [v for v in _csv(params.get(name)) if v not in allowed]
        if bad:
            raise ValueError("{}: unknown value(s) {} (allowed: {})".format(name, ", ".join(bad), ", ".join(allowed)))
    industry = _csv(params.get("industry"))
    if any(not _SLUG.match(slug) for slug in industry):
        raise ValueError("industry must be sector slugs such as energy, healthcare, financial-services")
    lookback = str(params.get("lookback") or "30d").strip()
    if not _LOOKBACK.match(lookback):
        raise ValueError("lookback must be a duration such as 24h or 30d")
    if not _LOOKBACK.match(str(params.get("overlap") or DEFAULT_OVERLAP).strip()):
        raise ValueError("overlap must be a duration such as 1h or 24h")
    try:
        page_size = int(params.get("page_size") or 1000)
    except ValueError:
        raise ValueError("page_size must be a whole number") from None
    if not 1 <= page_size <= 10000:
        raise ValueError("page_size must be between 1 and 10000")


def seconds_of(duration):
    """``24h`` / ``30d`` -> seconds."""
    duration = str(duration).strip()
    return int(duration[:-1]) * (3600 if duration.endswith("h") else 86400)


def iso(seconds):
    """Unix seconds -> ISO 8601 UTC (`2026-11-29T05:00:00Z`)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def epoch(text):
    """ISO 8601 (UTC, `Z` or `+00:00`, optional fraction) -> Unix seconds, or None."""
    match = _ISO.match(str(text or ""))
    if not match:
        return None
    y, mo, d, h, mi, s, tz = match.groups()
    seconds = calendar.timegm((int(y), int(mo), int(d), int(h), int(mi), int(s), 0, 0, 0))
    if tz and tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        seconds -= sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    return seconds


def document(record, input_name):
    """An ioclens feed record -> ``(collection, KV document)``, or None for types without an ES collection."""
    ioc_type = str(record.get("type") or "").lower()
    target = COLLECTION.get(ioc_type)
    value = str(record.get("value") or "")
    if target is None or not value:
        return None
    collection, field = target
    source = record.get("source") if isinstance(record.get("source"), dict) else {}
    feed_name = str(source.get("feed_name") or record.get("source_feed") or "ioclens")
    confidence = str(record.get("confidence") or "").lower()
    last_seen = record.get("last_seen") or record.get("first_seen")
    seen = epoch(last_seen)
    context = record.get("context")
    description = (
        context if isinstance(context, str) and context else "ioclens feed {}: {} {}".format(feed_name, ioc_type, value)
    )
    key = record.get("id") or hashlib.sha256("{}:{}".format(ioc_type, value).encode("utf-8")).hexdigest()
    techniques = record.get("mitre_techniques") or []
    doc = {
        "_key": str(key),
        field: value,
        "description": description[:1024],
        "threat_key": "ioclens:{}".format(feed_name),
        "time": seen if seen is not None else int(time.time()),
        "weight": WEIGHT.get(confidence, 1),
        "disabled": False,
        "updated": True,
        "ioc_type": ioc_type,
        "confidence": confidence,
        "category": str(source.get("category") or record.get("category") or ""),
        "reference_url": str(source.get("reference_url") or ""),
        "tags": [str(t) for t in record.get("tags") or []],
        "mitre_techniques": [str(t.get("id") if isinstance(t, dict) else t) for t in techniques],
        "first_seen": str(record.get("first_seen") or ""),
        "last_seen": str(last_seen or ""),
        "ioclens_input": input_name,
    }
    return collection, doc


class Checkpoint:
    """``{"since": iso}`` per input, written atomically."""

    def __init__(self, directory, input_name):
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", input_name)[:200]
        self.path = os.path.join(directory, safe + ".json")

    def load(self):
        try:
            with open(self.path, encoding="utf-8") as handle:
                data = json.load(handle)
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def save(self, data):
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        tmp = "{}.{}.tmp".format(self.path, os.getpid())
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.replace(tmp, self.path)


def _get(url, api_key, timeout):
    # Only http(s): validate() refused every other scheme before a run starts.
    request = urllib.request.Request(  # noqa: S310
        url, headers={"Authorization": "Bearer " + api_key, "Accept": "application/json"}
    )
    context = ssl.create_default_context() if url.startswith("https:") else None
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:  # noqa: S310
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        body = error.read()[:300].decode("utf-8", "replace")
        raise FeedError("GET {} -> HTTP {}: {}".format(urlsplit(url).path, error.code, body)) from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise FeedError("GET {} failed: {}".format(urlsplit(url).path, error)) from None


def pages(params, api_key, since, timeout=30.0):
    """Yields the ``data`` list of each page, following ``links.next``. The server's filters take one value each,
    so a multi-valued filter (``types = ipv4,url``) becomes one paged query per combination."""
    base = str(params["url"]).rstrip("/")
    query = {"since": since, "limit": int(params.get("page_size") or 1000), "format": "json"}
    dimensions = [
        (name, _csv(params.get(key)) or [None])
        for name, key in (
            ("type", "types"),
            ("confidence", "confidence"),
            ("category", "category"),
            ("industry", "industry"),
        )
    ]
    for combination in itertools.product(*[values for _, values in dimensions]):
        page_query = dict(query)
        for (name, _), value in zip(dimensions, combination):
            if value:
                page_query[name] = value
        url = "{}/api/v1/iocs?{}".format(base, urlencode(page_query))
        for _ in range(MAX_PAGES):
            body = _get(url, api_key, timeout)
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, list):
                raise FeedError("the server's answer has no data list")
            yield data
            links = body.get("links") if isinstance(body.get("links"), dict) else {}
            nxt = links.get("next")
            if not nxt or not data:
                break
            nxt = urljoin(url, nxt)
            if urlsplit(nxt).netloc != urlsplit(base).netloc:
                raise FeedError("links.next points to another host: {}".format(urlsplit(nxt).netloc))
            url = nxt
        else:
            raise FeedError("more than {} pages in one run".format(MAX_PAGES))


def run(params, input_name, splunkd, checkpoint_dir, log, now=None):
    """One poll of one input; returns a summary dict. Raises FeedError (checkpoint untouched) on failure."""
    now = int(time.time()) if now is None else now
    api_key = splunkd.password()
    if not api_key:
        raise FeedError("no API key in storage/passwords (realm ioclens, user api_key)")
    checkpoint = Checkpoint(checkpoint_dir, input_name)
    state = checkpoint.load()
    since = state.get("since") or str(params.get("lookback") or "30d")
    pending = {}
    summary = {"since": since, "records": 0, "saved": 0, "skipped": 0, "collections": {}}
    for data in pages(params, api_key, since):
        for record in data:
            summary["records"] += 1
            mapped = document(record, input_name) if isinstance(record, dict) else None
            if mapped is None:
                summary["skipped"] += 1
                continue
            collection, doc = mapped
            pending.setdefault(collection, []).append(doc)
            if len(pending[collection]) >= BATCH:
                summary["saved"] += _flush(splunkd, collection, pending, summary)
    for collection in list(pending):
        summary["saved"] += _flush(splunkd, collection, pending, summary)
    overlap = seconds_of(params.get("overlap") or DEFAULT_OVERLAP)
    checkpoint.save({"since": iso(now - overlap), "last_run": iso(now), "last_count": summary["records"]})
    log(
        "ioclens feed {}: {} records since {}, {} saved, {} skipped".format(
            input_name, summary["records"], since, summary["saved"], summary["skipped"]
        )
    )
    return summary


def _flush(splunkd, collection, pending, summary):
    docs = pending.pop(collection, [])
    if not docs:
        return 0
    try:
        splunkd.kv_batch_save(collection, docs)
    except Exception as error:  # noqa: BLE001 - splunklib raises HTTPError and socket errors alike
        raise FeedError("KV store {} batch_save failed: {}".format(collection, error)) from None
    summary["collections"][collection] = summary["collections"].get(collection, 0) + len(docs)
    return len(docs)
