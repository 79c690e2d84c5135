"""Bad options are refused during getinfo with an ERROR message in inspector.messages and exit code 1, before
the core is loaded; hostile lookup names never leave the app's lookups directory."""

import pytest


@pytest.mark.parametrize(
    ("command", "args", "expected"),
    [
        ("ioclens", ["bogus=1"], "Unrecognized option: bogus=1"),
        ("ioclens", ["queries=maybe"], "Illegal value: queries=maybe"),
        ("ioclens", ["remote=2"], "Illegal value: remote=2"),
        ("ioclens", ["field=bad field"], "Illegal value: field=bad field"),
        ("iocextract", ["mode=table"], "Illegal value: mode=table"),
        ("iocextract", ["types=ipv4,ipv7"], "Illegal value: types=ipv4,ipv7"),
        ("iochunt", ["lookback=forever", "8.8.8.8"], "Illegal value: lookback=forever"),
        ("iochunt", ["profile=elastic", "8.8.8.8"], "Illegal value: profile=elastic"),
        ("iochunt", ["dialect=eql", "8.8.8.8"], "Illegal value: dialect=eql"),
        ("iochunt", ["kql_profile=splunk", "8.8.8.8"], "Illegal value: kql_profile=splunk"),
        ("ioclookup", ["remote=perhaps", "8.8.8.8"], "Illegal value: remote=perhaps"),
    ],
)
def bad_option_is_an_error(splunk, command, args, expected):
    run = splunk(command, args, generating=command in ("iochunt", "ioclookup"))
    assert expected in run.errors(), run.errors()
    assert run.returncode == 1
    assert run.getinfo.metadata.get("finished") is not False


@pytest.mark.parametrize("command", ["iochunt", "ioclookup"])
def generating_without_values_is_an_error(splunk, command):
    run = splunk(command, [], generating=True)
    assert any("no values" in e for e in run.errors()), run.errors()
    assert run.returncode == 1


@pytest.mark.parametrize(
    "name",
    ["../../../etc/passwd", "/etc/passwd", "..csv", "a/b.csv", "watchlist.txt", ".hidden.csv", "x" * 300 + ".csv"],
)
def hostile_lookup_name_is_refused(splunk, name):
    run = splunk("iochunt", ["lookup=" + name], generating=True)
    assert any("lookup must be a .csv file name" in e for e in run.errors()), run.errors()
    assert run.returncode == 1


def missing_lookup_and_column_are_explained(splunk):
    run = splunk("iochunt", ["lookup=nope.csv"], generating=True)
    assert run.errors() == ["no lookup file nope.csv in the ioclens app"]
    run = splunk("ioclookup", ["lookup=ioclens_watchlist.csv", "column=ioc"], generating=True)
    assert any("has no column 'ioc'" in e for e in run.errors()), run.errors()


def too_many_values_are_refused(splunk):
    run = splunk("iochunt", ["10.0.0.%d" % (i % 250) + "x%d" % i for i in range(10001)], generating=True)
    assert any("the limit is 10000" in e for e in run.errors()), run.errors()
