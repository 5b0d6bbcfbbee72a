"""read_cloud_logging and logging_filter, with the real google-cloud-logging client against a local server."""

from __future__ import annotations

from datetime import datetime, timezone

import orjson
import pandas as pd
import pytest
from google.api_core import retry as gretry

import triage
from tests.support.entries import entries, entry
from triage import schema as s
from triage.sources._cloud.client import ATTR_QUERY, CloudLoggingError

WINDOW = {"start": "2025-09-09T01:00:00Z", "end": "2025-09-09T02:00:00Z"}


def _now() -> datetime:
    return datetime(2025, 9, 9, 3, 0, tzinfo=timezone.utc)


def _read(server, no_wait_retry, **kwargs) -> pd.DataFrame:
    kwargs.setdefault("project", "demo")
    kwargs.setdefault("progress", False)
    return triage.read_cloud_logging(client=server.client(kwargs["project"]), retry=no_wait_retry, **kwargs)


def _concat(*frames: pd.DataFrame) -> pd.DataFrame:
    # pandas compares attrs on concat and cannot compare the `rejected` DataFrames they hold.
    return pd.concat([_without_attrs(f) for f in frames], ignore_index=True)


def _without_attrs(frame: pd.DataFrame) -> pd.DataFrame:
    copy = frame.copy()
    copy.attrs = {}
    return copy


def _export(tmp_path, items, name="export.jsonl"):
    path = tmp_path / name
    path.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in items))
    return path


# --- the filter ----------------------------------------------------------------------------------
def test_filter_matches_the_gcloud_command_analysts_use():
    text = triage.logging_filter(service="netra-backend-staging", min_severity="WARNING", freshness="2h",
                                 now=_now)
    assert text == ('resource.type="cloud_run_revision" AND resource.labels.service_name="netra-backend-staging"'
                    ' AND severity>=WARNING AND timestamp>="2025-09-09T01:00:00Z"'
                    ' AND timestamp<"2025-09-09T03:00:00Z"')


def test_filter_always_has_an_explicit_window_and_quotes_values():
    default = triage.logging_filter(now=_now)
    assert default == 'timestamp>="2025-09-08T03:00:00Z" AND timestamp<"2025-09-09T03:00:00Z"'
    several = triage.logging_filter(service=["a", 'we"ird'], start="2025-09-09 01:00:00.5", end="2025-09-09 02:00")
    assert '(resource.labels.service_name="a" OR resource.labels.service_name="we\\"ird")' in several
    assert 'timestamp>="2025-09-09T01:00:00.500000Z"' in several


def test_a_filter_with_its_own_window_is_kept_as_typed():
    typed = 'timestamp>="2025-09-09T01:00:00Z" AND textPayload:"boom"'
    assert triage.logging_filter(typed) == typed
    assert triage.logging_filter(typed, min_severity=500) == f"severity>=ERROR AND ({typed})"


@pytest.mark.parametrize("kwargs, message", [
    ({"freshness": "2h", "start": "2025-09-09"}, "either freshness"),
    ({"freshness": "soon"}, "freshness"),
    ({"freshness": "-1h"}, "freshness"),
    ({"freshness": pd.Timedelta(0)}, "positive"),
    ({"start": "2025-09-09T02:00Z", "end": "2025-09-09T01:00Z"}, "empty time window"),
    ({"start": "yesterday-ish"}, "start"),
    ({"min_severity": "LOUD"}, "severity"),
])
def test_bad_filter_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        triage.logging_filter(**kwargs)


# --- reading ---------------------------------------------------------------------------------------
def test_read_equals_a_file_export_and_sends_the_filter(cloud_server, no_wait_retry, tmp_path):
    items = entries(240)
    cloud_server.load(items[::-1])  # the server orders by timestamp itself
    frame = _read(cloud_server, no_wait_retry, service="svc1", min_severity="WARNING", page_size=7, **WINDOW)

    expected = [e for e in items if e["resource"]["labels"]["service_name"] == "svc1"
                and e["severity"] in ("WARNING", "ERROR")]
    from_file = triage.load(_export(tmp_path, expected))
    pd.testing.assert_frame_equal(frame, from_file, check_like=False)
    assert len(frame) == len(expected) == 40

    sent = [r["body"] for r in cloud_server.requests]
    assert len(sent) == -(-len(expected) // 7)
    assert all(r["path"].startswith("/v2/entries:list?") for r in cloud_server.requests)
    first = sent[0]
    assert first["resourceNames"] == ["projects/demo"]
    assert first["orderBy"] == "timestamp asc" and first["pageSize"] == 7 and "pageToken" not in first
    for clause in ('resource.labels.service_name="svc1"', "severity>=WARNING",
                   'timestamp>="2025-09-09T01:00:00Z"', 'timestamp<"2025-09-09T02:00:00Z"'):
        assert clause in first["filter"]
    assert all(b["pageToken"] for b in sent[1:])
    assert len({b["filter"] for b in sent}) == 1

    query = frame.attrs[ATTR_QUERY]
    assert query["project"] == "demo" and query["filter"] == first["filter"]
    assert (query["start"], query["end"]) == ("2025-09-09T01:00:00Z", "2025-09-09T02:00:00Z")
    assert query["pages"] == len(sent) and query["next_page_token"] is None and query["resume"] is None
    assert frame.attrs[s.ATTR_SOURCES] == [f"projects/demo: {first['filter']}"]
    assert frame.attrs[s.ATTR_RECORDS] == 40


def test_429_then_success_and_503_are_retried(cloud_server, no_wait_retry):
    cloud_server.load(entries(30))
    cloud_server.fail(429).fail(503, after=1, times=2)
    frame = _read(cloud_server, no_wait_retry, page_size=10, **WINDOW)
    assert frame[s.INSERT_ID].tolist() == [f"id{i:07d}" for i in range(30)]
    assert [r["status"] for r in cloud_server.requests] == [429, 200, 503, 503, 200, 200]
    # A retried request is the same request.
    assert cloud_server.requests[0]["body"] == cloud_server.requests[1]["body"]
    assert cloud_server.requests[2]["body"] == cloud_server.requests[4]["body"]


def test_retries_that_run_out_name_the_project_and_give_a_resume_token(cloud_server, no_wait_retry):
    cloud_server.load(entries(30))
    cloud_server.fail(503, after=1)
    with pytest.raises(CloudLoggingError, match="(?s)project 'demo'.*503.*gave up retrying") as info:
        _read(cloud_server, no_wait_retry.with_timeout(0.0), page_size=10, **WINDOW)
    assert len(info.value.partial) == 10
    assert info.value.page_token == cloud_server.requests[1]["body"]["pageToken"]


def test_permission_denied_names_project_and_filter_and_resumes(cloud_server, no_wait_retry):
    items = entries(50)
    cloud_server.load(items)
    cloud_server.fail(403, after=2)
    with pytest.raises(CloudLoggingError) as info:
        _read(cloud_server, no_wait_retry, page_size=10, min_severity="DEBUG", **WINDOW)
    err = info.value
    message = str(err)
    assert "project 'demo'" in message and "severity>=DEBUG" in message and 'timestamp>="2025-09-09T01' in message
    assert "403" in message and "roles/logging.viewer" in message and "read_cloud_logging(**err.resume)" in message
    assert len(cloud_server.requests) == 3  # a 403 is not retried
    assert err.partial[s.INSERT_ID].tolist() == [f"id{i:07d}" for i in range(20)]
    assert err.page_token and err.resume["page_token"] == err.page_token
    assert err.partial.attrs[ATTR_QUERY]["next_page_token"] == err.page_token

    rest = triage.read_cloud_logging(**err.resume, client=cloud_server.client("demo"), retry=no_wait_retry,
                                     progress=False)
    assert cloud_server.requests[-len(rest) // 10 - 1]["body"]["pageToken"] == err.page_token
    both = _concat(err.partial, rest)
    assert both[s.INSERT_ID].tolist() == [e["insertId"] for e in items]


def test_unknown_project_is_a_clear_permission_error(cloud_server, no_wait_retry):
    with pytest.raises(CloudLoggingError, match="project 'elsewhere'.*Permission"):
        _read(cloud_server, no_wait_retry, project="elsewhere", **WINDOW)


def test_limit_stops_early_and_the_token_continues(cloud_server, no_wait_retry):
    items = entries(60)
    cloud_server.load(items)
    head = _read(cloud_server, no_wait_retry, page_size=10, limit=25, **WINDOW)
    assert len(head) == 25
    assert [r["body"]["pageSize"] for r in cloud_server.requests] == [10, 10, 5]
    resume = head.attrs[ATTR_QUERY]["resume"]
    assert resume["page_token"] == head.attrs[ATTR_QUERY]["next_page_token"] is not None
    tail = triage.read_cloud_logging(**resume, client=cloud_server.client("demo"), progress=False)
    assert tail[s.INSERT_ID].tolist() == [e["insertId"] for e in items[25:]]
    newest = _read(cloud_server, no_wait_retry, page_size=10, limit=5, order="desc", **WINDOW)
    assert newest[s.INSERT_ID].tolist() == [e["insertId"] for e in items[-5:]]


def test_keyboard_interrupt_carries_the_resume_token(cloud_server, no_wait_retry):
    items = entries(40)
    cloud_server.load(items)
    cloud_server.fail(429, after=2)

    def interrupt(exc):  # the user presses Ctrl-C while the read backs off
        raise KeyboardInterrupt

    retry = gretry.Retry(predicate=no_wait_retry._predicate, initial=0.0, maximum=0.0, on_error=interrupt)
    with pytest.raises(KeyboardInterrupt) as info:
        _read(cloud_server, retry, page_size=10, **WINDOW)
    err = info.value
    assert err.page_token == cloud_server.requests[2]["body"]["pageToken"]
    assert len(err.partial) == 20 and any("read_cloud_logging(**exc.resume)" in n for n in err.__notes__)
    rest = triage.read_cloud_logging(**err.resume, client=cloud_server.client("demo"), progress=False)
    assert _concat(err.partial, rest)[s.INSERT_ID].tolist() == [e["insertId"] for e in items]


def test_bad_entries_are_named_by_their_index_across_pages(cloud_server, no_wait_retry):
    items = entries(25)
    items[13] = entry(13, severity="LOUD")
    cloud_server.load(items)
    with pytest.raises(triage.LoadError, match=r"projects/demo: .*\[13\]: severity"):
        _read(cloud_server, no_wait_retry, page_size=10, **WINDOW)
    with pytest.warns(UserWarning, match="1 record"):
        frame = _read(cloud_server, no_wait_retry, page_size=10, errors="report", **WINDOW)
    assert len(frame) == 24
    assert frame.attrs[s.ATTR_REJECTED]["line"].tolist() == [13]


def test_a_bad_filter_is_reported_with_the_filter(cloud_server, no_wait_retry):
    cloud_server.load(entries(3))
    with pytest.raises(CloudLoggingError, match="(?s)400.*filter's syntax"):
        _read(cloud_server, no_wait_retry, filter='jsonPayload.message=("unclosed"', **WINDOW)


def test_without_credentials_the_error_says_how_to_log_in(monkeypatch, tmp_path):
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "missing.json"))
    with pytest.raises(CloudLoggingError, match="application-default login"):
        triage.read_cloud_logging(project="demo", progress=False)


def test_a_page_token_only_resumes_the_read_it_came_from(cloud_server, no_wait_retry):
    cloud_server.load(entries(30))
    head = _read(cloud_server, no_wait_retry, page_size=10, limit=10, **WINDOW)
    token = head.attrs[ATTR_QUERY]["next_page_token"]
    with pytest.raises(CloudLoggingError, match="(?s)400.*page_token doesn't match.*exact filter"):
        _read(cloud_server, no_wait_retry, page_token=token, min_severity="ERROR", **WINDOW)


def test_ctrl_c_while_a_page_is_added_waits_for_the_page():
    import os
    import signal

    from triage.sources._cloud.errors import interrupt_after

    done = []
    with pytest.raises(KeyboardInterrupt):
        with interrupt_after():
            os.kill(os.getpid(), signal.SIGINT)  # a real Ctrl-C, delivered mid-block
            done.append("page added")
    assert done == ["page added"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
