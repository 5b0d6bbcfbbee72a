"""The fake Cloud Logging server itself: the API behaviour other tests rely on."""

from __future__ import annotations

import pytest
from google.api_core import exceptions as gexc

from tests.support._filter import FilterError, compile_filter
from tests.support.cloud_logging import FakeCloudLogging

E1 = {"timestamp": "2025-09-09T01:00:00Z", "severity": "ERROR", "textPayload": "db timeout",
      "resource": {"type": "cloud_run_revision", "labels": {"service_name": "api"}}}
E2 = {"timestamp": "2025-09-09T01:00:01Z", "severity": "INFO", "jsonPayload": {"message": "ok", "n": 3},
      "resource": {"type": "cloud_run_revision", "labels": {"service_name": "web"}}}


@pytest.mark.parametrize("text, expected", [
    ('resource.labels.service_name="api"', [True, False]),
    ("severity>=WARNING", [True, False]),
    ("severity<=INFO", [False, True]),
    ('textPayload:"timeout"', [True, False]),
    ('NOT resource.labels.service_name="api"', [False, True]),
    ('-resource.labels.service_name="api"', [False, True]),
    ('severity=ERROR OR jsonPayload.n=3', [True, True]),
    # OR binds tighter than AND, as in Cloud Logging.
    ('severity=INFO OR severity=ERROR AND resource.labels.service_name="web"', [False, True]),
    ('timestamp>="2025-09-09T01:00:01Z" timestamp<"2025-09-09T02:00:00Z"', [False, True]),
    ("", [True, True]),
])
def test_the_filter_subset(text, expected):
    keep = compile_filter(text)
    assert [keep(E1), keep(E2)] == expected


@pytest.mark.parametrize("text", ['severity>=LOUD', 'timestamp>="yesterday"', '(severity=INFO', "timeout"])
def test_filters_outside_the_subset_are_rejected(text):
    with pytest.raises(FilterError):
        compile_filter(text)


def test_paging_tokens_errors_and_the_request_log():
    with FakeCloudLogging([E2, E1] * 3, project="p") as server:
        api = server.client("p")._connection.api_request
        body = {"resourceNames": ["projects/p"], "filter": "severity>=DEFAULT", "pageSize": 4}
        first = api(method="POST", path="/entries:list", data=body)
        assert [e["timestamp"] for e in first["entries"]][:3] == ["2025-09-09T01:00:00Z"] * 3
        second = api(method="POST", path="/entries:list", data={**body, "pageToken": first["nextPageToken"]})
        assert len(second["entries"]) == 2 and "nextPageToken" not in second
        with pytest.raises(gexc.BadRequest, match="doesn't match"):
            api(method="POST", path="/entries:list",
                data={**body, "filter": "severity>=ERROR", "pageToken": first["nextPageToken"]})
        with pytest.raises(gexc.BadRequest, match="pageSize"):
            api(method="POST", path="/entries:list", data={**body, "pageSize": 1001})
        with pytest.raises(gexc.Forbidden, match="projects/q"):
            api(method="POST", path="/entries:list", data={**body, "resourceNames": ["projects/q"]})
        server.fail(503, times=2).fail(429)
        for kind in (gexc.ServiceUnavailable, gexc.ServiceUnavailable, gexc.TooManyRequests):
            with pytest.raises(kind):
                api(method="POST", path="/entries:list", data=body)
        assert len(api(method="POST", path="/entries:list", data=body)["entries"]) == 4
        assert [r["status"] for r in server.requests] == [200, 200, 400, 400, 403, 503, 503, 429, 200]
        assert server.filters[0] == "severity>=DEFAULT"
        assert server.requests[0]["path"] == "/v2/entries:list?prettyPrint=false"
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.url
