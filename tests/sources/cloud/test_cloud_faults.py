"""Cloud Logging faults (issue 16, item 6), real google-cloud-logging client against the local server's fault modes:
transient faults are retried to the same frame; loops and the deadline end in CloudLoggingError with the pages
already read in ``.partial`` and a ``.resume`` that continues."""

from __future__ import annotations

import pandas as pd
import pytest

import triage
from tests.support.entries import entries
from triage.sources._cloud import pages as _cloud_pages
from triage.sources._cloud.client import CloudLoggingError

WINDOW = {"start": "2025-09-09T01:00:00Z", "end": "2025-09-09T02:00:00Z"}


def _read(server, retry, **kwargs) -> pd.DataFrame:
    kwargs.setdefault("project", "demo")
    return triage.read_cloud_logging(client=server.client(kwargs["project"]), retry=retry, progress=False,
                                     page_size=10, **WINDOW, **kwargs)


@pytest.fixture()
def loaded(cloud_server):
    cloud_server.load(entries(45))
    return cloud_server


@pytest.mark.parametrize("mode", ["reset", "truncate", "html", "entries_type", "token_type", "not_object"])
def test_a_transient_fault_is_retried_and_loses_nothing(loaded, no_wait_retry, mode):
    expected = _read(loaded, no_wait_retry)
    loaded.requests.clear()
    loaded.fault(mode, after=2)  # the third request fails once
    frame = _read(loaded, no_wait_retry)
    pd.testing.assert_frame_equal(frame.drop(columns=[]), expected)
    assert [r.get("fault") for r in loaded.requests].count(mode) == 1 and len(loaded.requests) == 6


def test_5xx_gateway_errors_are_retried(loaded, no_wait_retry):
    loaded.fail(502).fail(500).fail(504)
    assert len(_read(loaded, no_wait_retry)) == 45


def test_a_read_timeout_is_retried(loaded, no_wait_retry):
    loaded.fault("stall", delay=1.0)
    assert len(_read(loaded, no_wait_retry, read_timeout=0.2)) == 45
    assert loaded.requests[0].get("fault") == "stall" and len(loaded.requests) == 6


@pytest.mark.parametrize("mode", ["reset", "html", "entries_type"])
def test_a_lasting_fault_ends_in_cloud_logging_error_with_the_pages_read(loaded, mode):
    retry = _cloud_pages.DEFAULT_RETRY.with_delay(initial=0.0, maximum=0.0).with_timeout(0.5)
    loaded.fault(mode, after=2, times=10**6)
    with pytest.raises(CloudLoggingError) as info:
        _read(loaded, retry)
    err = info.value
    assert len(err.partial) == 20 and err.page_token and "demo" in str(err)
    loaded._script.clear()
    rest = triage.read_cloud_logging(client=loaded.client("demo"), progress=False, **err.resume)
    assert len(rest) == 25


def test_a_repeated_page_token_stops_the_read(loaded, no_wait_retry):
    loaded.fault("token_loop", after=1, times=10**6)
    with pytest.raises(CloudLoggingError, match="page token it had returned before") as info:
        _read(loaded, no_wait_retry)
    assert len(loaded.requests) == 2  # not 1,020: the second page repeats the first one's token
    assert len(info.value.partial) == 10 and info.value.resume["page_token"]


@pytest.mark.parametrize("limit", [None, 50])
def test_endless_empty_pages_stop_the_read(loaded, no_wait_retry, limit):
    loaded.fault("empty_page", after=1, times=10**6)
    with pytest.raises(CloudLoggingError, match="empty pages in a row") as info:
        _read(loaded, no_wait_retry, limit=limit)
    assert len(loaded.requests) == 2 + _cloud_pages.MAX_EMPTY_PAGES
    assert len(info.value.partial) == 10


def test_a_response_that_trickles_in_is_cut_off_by_the_deadline(loaded, no_wait_retry):
    loaded.fault("drip", after=1, delay=0.01)  # a page of ~5 KB at 100 bytes/s: a minute
    with pytest.raises(CloudLoggingError, match="deadline") as info:
        _read(loaded, no_wait_retry, timeout=1.0)
    assert len(info.value.partial) == 10 and info.value.resume["page_token"]


def test_the_deadline_bounds_retries_too(loaded):
    retry = _cloud_pages.DEFAULT_RETRY.with_delay(initial=0.01, maximum=0.01).with_timeout(600)
    loaded.fault("reset", times=10**6)
    with pytest.raises(CloudLoggingError, match="deadline"):
        _read(loaded, retry, timeout=0.5)


@pytest.mark.parametrize("option", ["timeout", "read_timeout"])
def test_a_bad_timeout_is_refused(loaded, no_wait_retry, option):
    with pytest.raises(ValueError, match=f"^{option} must be > 0"):
        _read(loaded, no_wait_retry, **{option: 0})
