"""The setup page (app.conf [ui] setup_view): its static files, and the splunkd REST calls it makes, replayed
against the fake splunkd and read back the way the commands read them (ioclens.conf [remote] through
configs/conf-ioclens, the key from storage/passwords).

The calls come from the page's own ``appserver/static/setup_plan.js`` run under Node (the page loads the same
file through RequireJS); without Node those tests are skipped unless ``IOCLENS_REQUIRE_NODE`` is set."""

import configparser
import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from types import SimpleNamespace
from urllib.parse import urlencode as _urlencode

import pytest
from conftest import APP_DIR
from fake_splunkd import PREFIX, SESSION_KEY

STATIC = os.path.join(APP_DIR, "appserver", "static")
VIEW = os.path.join(APP_DIR, "default", "data", "ui", "views", "ioclens_setup.xml")
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(
    NODE is None and not os.environ.get("IOCLENS_REQUIRE_NODE"), reason="node is not installed"
)


def _conf(name):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(os.path.join(APP_DIR, "default", name))
    return parser


def setup_view_is_a_simple_xml_1_1_dashboard():
    app = _conf("app.conf")
    assert app["ui"]["setup_view"] == "ioclens_setup"
    assert app["install"]["is_configured"] == "0"  # AppInspect: setup not performed yet
    root = ET.parse(VIEW).getroot()
    assert root.tag == "dashboard"
    # AppInspect cloud: Simple XML 1.1 (jQuery 3.5) for dashboards with custom JS; no setup.xml.
    assert root.get("version") == "1.1"
    assert root.get("script") == "setup.js" and root.get("stylesheet") == "setup.css"
    for name in ("setup.js", "setup.css", "setup_plan.js"):
        assert os.path.isfile(os.path.join(STATIC, name)), name
    assert not os.path.exists(os.path.join(APP_DIR, "default", "setup.xml"))
    inputs = {el.get("id"): el.get("type") for el in root.iter("input")}
    assert inputs["ioclens-key"] == "password"
    assert inputs["ioclens-url"] == "text"


def saved_searches_use_the_exact_lookback():
    # The core's queries search exactly the lookback (-7d, not -7d@d, which would reach 7-8 days back): a
    # saved search's dispatch window is the same relative time, never snapped, and matches its lookback=.
    saved = _conf("savedsearches.conf")
    windows = {s.name: s.get("dispatch.earliest_time") for s in saved.values() if s.get("dispatch.earliest_time")}
    assert windows, "no saved search with a dispatch window"
    for name, earliest in windows.items():
        assert "@" not in earliest, (name, earliest)
        lookback = [w.split("=", 1)[1] for w in saved[name]["search"].split() if w.startswith("lookback=")]
        if lookback:
            assert earliest == "-" + lookback[0], (name, earliest, lookback)
    assert windows["ioclens - Hunting queries for the watchlist"] == "-7d"


def no_secret_in_any_conf():
    for name in os.listdir(os.path.join(APP_DIR, "default")):
        if name.endswith(".conf"):
            for section in _conf(name).values():
                assert not {"api_key", "password", "token"} & set(section), (name, section.name)


def setup_js_uses_the_plan_module_and_the_user_session():
    with open(os.path.join(STATIC, "setup.js"), encoding="utf-8") as handle:
        js = handle.read()
    assert "'../app/ioclens/setup_plan'" in js
    assert "mvc.createService" in js
    # The stored key is never read back into the page: only whether one exists.
    assert "clear_password" not in js


def _plan(form, key_exists):
    script = (
        "const p = require(process.argv[1]);"
        "const form = JSON.parse(process.argv[2]);"
        "process.stdout.write(JSON.stringify({problems: p.validate(form), calls: p.plan(form, process.argv[3] === 'y')}));"
    )
    out = subprocess.run(
        [
            NODE or "node",
            "-e",
            script,
            os.path.join(STATIC, "setup_plan.js"),
            json.dumps(form),
            "y" if key_exists else "n",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def _replay(splunkd, calls):
    """Sends the page's calls as splunkjs does (form body, output_mode=json, the user's session)."""
    statuses = []
    for call in calls:
        body = dict(call["body"], output_mode="json")
        request = urllib.request.Request(
            splunkd.uri + PREFIX + call["path"],
            data=_urlencode(body).encode("utf-8"),
            method=call["method"],
            headers={"Authorization": "Splunk " + SESSION_KEY, "Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)
    return statuses


def _read_back(splunkd):
    """ioclens.conf [remote] and the key as the commands read them (remote.load_config, in the app's own
    interpreter setup: only the app's lib/ on the path)."""
    script = (
        "import json, sys; sys.path.insert(0, sys.argv[1]);"
        "from ioclens_splunk.remote import load_config;"
        "c = load_config(sys.argv[2], sys.argv[3]);"
        "print(json.dumps(dict(url=c.url, api_key=c.api_key, timeout=c.timeout, enabled=c.enabled, problem=c.problem)))"
    )
    out = subprocess.run(
        [sys.executable, "-S", "-c", script, os.path.join(APP_DIR, "lib"), splunkd.uri, SESSION_KEY],
        capture_output=True,
        text=True,
        check=True,
    )
    return SimpleNamespace(**json.loads(out.stdout))


@needs_node
def first_setup_creates_the_key_and_updates_the_conf(splunkd):
    splunkd.confs[("ioclens", "remote")] = {"url": "", "timeout": "3", "enabled": "false"}  # default/ioclens.conf
    form = {"url": " https://ioclens.example:8443 ", "apiKey": "s3cr3t-key", "timeout": "5", "enabled": True}
    answer = _plan(form, key_exists=False)
    assert answer["problems"] == []
    assert _replay(splunkd, answer["calls"]) == [200, 201, 200]
    config = _read_back(splunkd)
    assert (config.url, config.api_key, config.timeout, config.enabled, config.problem) == (
        "https://ioclens.example:8443",
        "s3cr3t-key",
        5.0,
        True,
        None,
    )
    assert splunkd.apps["ioclens"] == {"configured": "true"}
    # The key went only to storage/passwords: no conf write carries it.
    conf_posts = [body for method, path, _, body in splunkd.requests if method == "POST" and "/configs/" in path]
    assert conf_posts and not any(b"s3cr3t" in body for body in conf_posts)
    assert splunkd.confs[("ioclens", "remote")] == {
        "url": "https://ioclens.example:8443",
        "timeout": "5",
        "enabled": "true",
    }


@needs_node
def second_setup_updates_the_key_or_keeps_it(splunkd):
    splunkd.confs[("ioclens", "remote")] = {"url": "https://old.example", "timeout": "3", "enabled": "false"}
    splunkd.passwords["ioclens:api_key:"] = "old-key"
    answer = _plan({"url": "https://new.example", "apiKey": "new-key"}, key_exists=True)
    assert _replay(splunkd, answer["calls"]) == [200, 200, 200]
    assert _read_back(splunkd).api_key == "new-key"
    # A blank key field keeps the stored key and sends no password call at all.
    answer = _plan({"url": "https://newer.example", "apiKey": "  "}, key_exists=True)
    assert [c["path"] for c in answer["calls"]] == ["configs/conf-ioclens/remote", "apps/local/ioclens"]
    assert _replay(splunkd, answer["calls"]) == [200, 200]
    config = _read_back(splunkd)
    assert (config.url, config.api_key, config.enabled) == ("https://newer.example", "new-key", False)


@needs_node
def creating_a_key_that_exists_is_refused_not_duplicated(splunkd):
    # A stale page (opened before another admin stored a key) gets splunkd's 409, shown as an error.
    splunkd.confs[("ioclens", "remote")] = {"url": "", "timeout": "3", "enabled": "false"}
    splunkd.passwords["ioclens:api_key:"] = "other-admin"
    answer = _plan({"url": "https://x.example", "apiKey": "mine"}, key_exists=False)
    assert _replay(splunkd, answer["calls"])[1] == 409
    assert splunkd.passwords == {"ioclens:api_key:": "other-admin"}


@needs_node
@pytest.mark.parametrize(
    "form",
    [
        {"url": "ftp://ioclens.example"},
        {"url": "https://user:pw@ioclens.example"},
        {"url": "https://ioclens.example/a b"},
        {"url": "javascript:alert(1)"},
        {"url": "", "enabled": True},
        {"url": "https://ioclens.example", "timeout": "0"},
        {"url": "https://ioclens.example", "timeout": "31"},
        {"url": "https://ioclens.example", "timeout": "soon"},
        {"url": "https://ioclens.example", "apiKey": "a\nb"},
    ],
)
def invalid_forms_are_refused_before_any_call(form):
    assert _plan(form, key_exists=False)["problems"] != []


@needs_node
def empty_url_turns_remote_scoring_off(splunkd):
    splunkd.confs[("ioclens", "remote")] = {"url": "https://old.example", "timeout": "3", "enabled": "true"}
    answer = _plan({"url": "", "enabled": False}, key_exists=False)
    assert answer["problems"] == []
    assert _replay(splunkd, answer["calls"]) == [200, 200]
    assert _read_back(splunkd).problem == "no server url in ioclens.conf [remote]"
