"""Values for the generating commands: positional arguments and/or a CSV lookup file shipped with the app."""

import csv
import os
import re

from .core import APP_DIR

LOOKUPS_DIR = os.path.join(APP_DIR, "lookups")
# A lookup is named by its file name only: no directories, no traversal.
_LOOKUP_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,128}\.csv$")
MAX_LOOKUP_BYTES = 16 * 1024 * 1024


def option_parser(option_names):
    """splunklib's v2 argument splitter, except that ``name=value`` is an option only when ``name`` is one of
    the command's options: a positional URL such as ``http://x/?a=b`` stays a value."""

    def parse(arg):
        name, sep, value = arg.partition("=")
        if sep and name in option_names:
            return [name, value]
        return [arg]

    return parse


def read_lookup(name, column):
    """The non-empty values of ``column`` in ``<app>/lookups/<name>``; raises ValueError with a clear message."""
    if not _LOOKUP_NAME.match(name or "") or name.startswith("."):
        raise ValueError("lookup must be a .csv file name in the app's lookups directory, not {!r}".format(name))
    path = os.path.join(LOOKUPS_DIR, name)
    if not os.path.isfile(path):
        raise ValueError("no lookup file {} in the ioclens app".format(name))
    if os.path.getsize(path) > MAX_LOOKUP_BYTES:
        raise ValueError("lookup file {} is larger than {} bytes".format(name, MAX_LOOKUP_BYTES))
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if column not in (reader.fieldnames or []):
            columns = ", ".join(reader.fieldnames or [])
            raise ValueError("lookup {} has no column {!r} (columns: {})".format(name, column, columns))
        return [row[column].strip() for row in reader if (row.get(column) or "").strip()]


def collect(positional, lookup, column, limit):
    """Positional values then lookup values, de-duplicated in order; raises ValueError when there are none or
    more than ``limit``."""
    values = [value.strip() for value in positional if value and value.strip()]
    if lookup:
        values.extend(read_lookup(lookup, column))
    seen = set()
    out = []
    for value in values:
        if value not in seen:
            seen.add(value)
            out.append(value)
    if not out:
        raise ValueError("no values: give indicators as arguments or lookup=<file.csv>")
    if len(out) > limit:
        raise ValueError("{} values given, the limit is {}".format(len(out), limit))
    return out
