"""The modular input's scheme and argument validation, exactly as splunkd drives them."""

import xml.etree.ElementTree as ET

import modinput
import pytest
from conftest import APP_DIR


def scheme_describes_every_argument():
    proc = modinput.run(APP_DIR, ["--scheme"])
    assert proc.returncode == 0, proc.stderr
    root = ET.fromstring(proc.stdout)
    assert root.tag == "scheme"
    assert root.findtext("title") == "ioclens feed"
    assert root.findtext("use_external_validation") == "true"
    args = {a.get("name"): a for a in root.iter("arg")}
    assert set(args) == {"url", "types", "confidence", "category", "industry", "lookback", "overlap", "page_size"}
    assert args["url"].findtext("required_on_create") == "true"
    assert args["page_size"].findtext("data_type") == "number"


VALID = {"url": "http://127.0.0.1:8080", "types": "ipv4,domain,url", "confidence": "high", "lookback": "7d"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"url": "ftp://feed.example"}, "url must be an http(s) URL"),
        ({"url": "not a url"}, "url must be an http(s) URL"),
        ({"url": "https://user:pw@feed.example"}, "must not carry a query, fragment or credentials"),
        ({"url": "https://feed.example/?api_key=abc"}, "must not carry a query, fragment or credentials"),
        ({"types": "ipv4,ipv7"}, "types: unknown value(s) ipv7"),
        ({"confidence": "certain"}, "confidence: unknown value(s) certain"),
        ({"category": "darkweb"}, "category: unknown value(s) darkweb"),
        ({"industry": "Energy;DROP"}, "industry must be sector slugs"),
        ({"lookback": "forever"}, "lookback must be a duration"),
        ({"overlap": "5 minutes"}, "overlap must be a duration"),
        ({"page_size": "0"}, "page_size must be between 1 and 10000"),
        ({"page_size": "many"}, "page_size must be a whole number"),
    ],
)
def invalid_arguments_are_refused_with_a_message(tmp_path, change, message):
    params = dict(VALID, **change)
    xml = modinput.validation_xml(params, "https://127.0.0.1:8089", "k", str(tmp_path))
    proc = modinput.run(APP_DIR, ["--validate-arguments"], xml)
    assert proc.returncode == 1
    error = ET.fromstring(proc.stdout)
    assert error.tag == "error"
    assert message in error.findtext("message")


def valid_arguments_pass(tmp_path):
    xml = modinput.validation_xml(
        dict(VALID, industry="energy,financial-services", page_size="500"), "https://127.0.0.1:8089", "k", str(tmp_path)
    )
    proc = modinput.run(APP_DIR, ["--validate-arguments"], xml)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == b""


def unknown_mode_is_an_error():
    proc = modinput.run(APP_DIR, ["--frobnicate"])
    assert proc.returncode == 1
    assert b"Invalid arguments to modular input script" in proc.stderr
