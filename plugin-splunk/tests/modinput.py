"""Drive the ioclens_feed modular input as splunkd does: ``--scheme``, ``--validate-arguments`` with a validation
definition on stdin, and a plain run with an input definition on stdin."""

import os
import subprocess
import sys
from xml.sax.saxutils import escape, quoteattr


def _params(params):
    return "".join("<param name={}>{}</param>".format(quoteattr(k), escape(str(v))) for k, v in params.items())


def validation_xml(params, uri, session_key, checkpoint_dir, name="ioclens_feed://main"):
    return (
        '<?xml version="1.0" encoding="UTF-8"?><items>'
        "<server_host>sh1</server_host><server_uri>{}</server_uri><session_key>{}</session_key>"
        "<checkpoint_dir>{}</checkpoint_dir><item name={}>{}</item></items>"
    ).format(escape(uri), escape(session_key), escape(checkpoint_dir), quoteattr(name), _params(params))


def input_xml(stanzas, uri, session_key, checkpoint_dir):
    body = "".join(
        "<stanza name={}>{}</stanza>".format(quoteattr(name), _params(params)) for name, params in stanzas.items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><input>'
        "<server_host>sh1</server_host><server_uri>{}</server_uri><session_key>{}</session_key>"
        "<checkpoint_dir>{}</checkpoint_dir><configuration>{}</configuration></input>"
    ).format(escape(uri), escape(session_key), escape(checkpoint_dir), body)


def run(app_dir, args=(), stdin="", timeout=120, script="ioclens_feed.py", extra_env=None):
    env = dict(os.environ)
    env.update(extra_env or {})
    env.pop("PYTHONPATH", None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run(
        [sys.executable, "-S", os.path.join(app_dir, "bin", script)] + list(args),
        input=stdin.encode("utf-8"),
        capture_output=True,
        timeout=timeout,
        env=env,
        cwd=os.path.join(app_dir, "bin"),
    )
