"""A splunkd stand-in for Search Command Protocol v2 (``chunked = true``), written from the protocol as splunkd
speaks it (and as splunk-sdk-python's own tests replay it):

- every message, both ways: ``chunked 1.0,<metadata bytes>,<body bytes>\\n`` + JSON metadata + body;
- splunkd sends ``{"action": "getinfo", "preview": false, "searchinfo": {...}}`` with an empty body and reads the
  command's configuration back; then ``{"action": "execute", "finished": <bool>}`` chunks whose bodies are CSV
  (header row, ``\\r\\n`` line ends, minimal quoting, multivalue fields as ``<name>`` = values joined by newlines
  plus ``__mv_<name>`` = ``$v1$;$v2$`` with ``$`` doubled), reading one reply chunk per execute chunk;
- for generating commands splunkd keeps sending empty execute chunks until the reply says ``finished: true``;
- errors come back in the reply metadata as ``inspector.messages = [["ERROR", "text"], ...]``.

The command runs with ``-S`` (no site-packages): only the standard library and the app's vendored ``lib/``.
"""

import csv
import io
import json
import os
import re
import subprocess
import sys
import time
from urllib.parse import quote

csv.field_size_limit(2**31 - 1)
HEADER = re.compile(rb"chunked\s+1.0\s*,\s*(\d+)\s*,\s*(\d+)\s*\n")


def encode_csv(rows):
    """Rows (dicts of str or list of str) -> CSV body as splunkd writes it, with __mv_ columns for lists."""
    if not rows:
        return b""
    names = []
    for row in rows:
        for name in row:
            if name not in names:
                names.append(name)
    multi = [n for n in names if any(isinstance(r.get(n), list) for r in rows)]
    header = list(names) + ["__mv_" + n for n in multi]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        values = []
        for name in names:
            value = row.get(name, "")
            values.append("\n".join(value) if isinstance(value, list) else value)
        for name in multi:
            value = row.get(name, "")
            if isinstance(value, list) and len(value) > 1:
                values.append(";".join("$" + v.replace("$", "$$") + "$" for v in value))
            else:
                values.append("")
        writer.writerow(values)
    return out.getvalue().encode("utf-8")


def decode_mv(text):
    return [m.replace("$$", "$") for m in re.findall(r"\$((?:\$\$|[^$])*)\$(?:;|$)", text)]


def decode_csv(body):
    """CSV body -> list of dicts; a field with a non-empty __mv_ column becomes a list."""
    if not body:
        return []
    reader = csv.reader(io.StringIO(body.decode("utf-8")))
    try:
        header = next(reader)
    except StopIteration:
        return []
    rows = []
    for values in reader:
        row = {}
        mv = {}
        for name, value in zip(header, values):
            if name.startswith("__mv_"):
                if value:
                    mv[name[5:]] = decode_mv(value)
            else:
                row[name] = value
        row.update(mv)
        rows.append(row)
    return rows


def _cpu_seconds(pid):
    """User + system CPU seconds of a process so far (Linux /proc), or None."""
    try:
        with open("/proc/{}/stat".format(pid), "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def frame(metadata, body=b""):
    meta = json.dumps(metadata).encode("utf-8")
    return b"chunked 1.0,%d,%d\n" % (len(meta), len(body)) + meta + body


class Reply:
    """One chunk the command sent back."""

    def __init__(self, metadata, body):
        self.metadata = metadata
        self.body = body
        self._rows = None

    @property
    def rows(self):
        if self._rows is None:
            self._rows = decode_csv(self.body)
        return self._rows

    @property
    def finished(self):
        return bool(self.metadata.get("finished"))

    def messages(self, level=None):
        items = (self.metadata.get("inspector") or {}).get("messages") or []
        return [text for kind, text in items if level is None or kind == level]


class Run:
    """The whole conversation: getinfo reply, execute replies, exit code, stderr."""

    def __init__(
        self,
        getinfo,
        replies,
        returncode,
        stderr,
        seconds,
        getinfo_seconds=0.0,
        execute_seconds=0.0,
        execute_cpu_seconds=None,
    ):
        self.execute_cpu_seconds = execute_cpu_seconds  # the command's CPU time over the same span (Linux)
        self.getinfo_seconds = getinfo_seconds  # start of the process -> getinfo reply (start-up cost)
        self.execute_seconds = execute_seconds  # first execute chunk sent -> last reply read (throughput)
        self.getinfo = getinfo
        self.replies = replies
        self.returncode = returncode
        self.stderr = stderr
        self.seconds = seconds

    @property
    def rows(self):
        return [row for reply in self.replies for row in reply.rows]

    def errors(self):
        found = self.getinfo.messages("ERROR") if self.getinfo else []
        for reply in self.replies:
            found.extend(reply.messages("ERROR"))
        return found

    def warnings(self):
        found = self.getinfo.messages("WARN") if self.getinfo else []
        for reply in self.replies:
            found.extend(reply.messages("WARN"))
        return found


def searchinfo(app_dir, command, args, dispatch_dir, splunkd_uri="", session_key=""):
    search = "| {} {}".format(command, " ".join(args))
    return {
        "args": list(args),
        "raw_args": list(args),
        "dispatch_dir": dispatch_dir,
        "sid": "1700000000.42",
        "app": "ioclens",
        "owner": "admin",
        "username": "admin",
        "session_key": session_key,
        "splunkd_uri": splunkd_uri,
        "splunk_version": "10.2.0",
        "search": quote(search),
        "command": command,
        "maxresultrows": 50000,
        "earliest_time": "0",
        "latest_time": "0",
    }


def _read_chunk(stream):
    line = stream.readline()
    while line in (b"\n", b"\r\n"):
        line = stream.readline()
    if not line:
        return None
    match = HEADER.match(line)
    if not match:
        raise AssertionError("not a chunk header: {!r} (then {!r})".format(line, stream.read(2000)))
    meta_len, body_len = int(match.group(1)), int(match.group(2))
    metadata = json.loads(stream.read(meta_len).decode("utf-8")) if meta_len else {}
    body = stream.read(body_len) if body_len else b""
    return Reply(metadata, body)


def run(
    app_dir,
    command,
    args=(),
    chunks=None,
    generating=False,
    tmp_path=None,
    python=None,
    env=None,
    splunkd_uri="",
    session_key="",
    max_generate_rounds=1000,
    prefix=(),
):
    """Runs ``bin/<command>.py`` as splunkd would and returns a :class:`Run`.

    ``chunks`` is a list of row lists, one per execute chunk (the last is sent with ``finished: true``).
    """
    dispatch_dir = str(tmp_path or "/tmp")
    script = os.path.join(app_dir, "bin", command + ".py")
    proc_env = dict(os.environ)
    proc_env.pop("PYTHONPATH", None)
    proc_env["PYTHONDONTWRITEBYTECODE"] = "1"
    proc_env.update(env or {})
    # Encode before the clock starts: the CSV writing is splunkd's cost, not the command's.
    bodies = [encode_csv(rows) for rows in (chunks if chunks is not None else [[]])]
    started = time.perf_counter()
    proc = subprocess.Popen(
        list(prefix) + [python or sys.executable, "-S", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=os.path.join(app_dir, "bin"),
        env=proc_env,
    )
    info = searchinfo(app_dir, command, args, dispatch_dir, splunkd_uri, session_key)
    replies = []
    getinfo = None
    t_getinfo = t_done = started
    cpu_getinfo = cpu_done = None
    try:
        proc.stdin.write(frame({"action": "getinfo", "preview": False, "searchinfo": info}))
        proc.stdin.flush()
        getinfo = _read_chunk(proc.stdout)
        t_getinfo = time.perf_counter()
        cpu_getinfo = _cpu_seconds(proc.pid)
        if getinfo is not None and not getinfo.messages("ERROR"):
            if generating:
                for _ in range(max_generate_rounds):
                    proc.stdin.write(frame({"action": "execute", "finished": True}))
                    proc.stdin.flush()
                    reply = _read_chunk(proc.stdout)
                    if reply is None:
                        break
                    replies.append(reply)
                    if reply.finished or reply.messages("ERROR"):
                        break
            else:
                for i, body in enumerate(bodies):
                    last = i == len(bodies) - 1
                    proc.stdin.write(frame({"action": "execute", "finished": last}, body))
                    proc.stdin.flush()
                    reply = _read_chunk(proc.stdout)
                    if reply is None:
                        break
                    replies.append(reply)
                    if reply.messages("ERROR"):
                        break
        t_done = time.perf_counter()
        cpu_done = _cpu_seconds(proc.pid)
        proc.stdin.close()
    except BrokenPipeError:
        pass
    try:
        rest = proc.stdout.read()
        stderr = proc.stderr.read().decode("utf-8", "replace")
        returncode = proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    if rest.strip():
        extra = _read_chunk(io.BytesIO(rest))
        if extra is not None:
            replies.append(extra)
    return Run(
        getinfo,
        replies,
        returncode,
        stderr,
        time.perf_counter() - started,
        t_getinfo - started,
        max(t_done - t_getinfo, 0.0),
        cpu_done - cpu_getinfo if cpu_getinfo is not None and cpu_done is not None else None,
    )
