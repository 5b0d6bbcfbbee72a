"""Fixtures for the live-source tests: the fake Cloud Logging server and a no-wait retry policy."""

from __future__ import annotations

import pytest
from google.api_core import retry as gretry

from tests.servers.cloud_logging import FakeCloudLogging
from triage.sources._cloud import pages as _cloud_pages


@pytest.fixture()
def cloud_server():
    """A started :class:`FakeCloudLogging` (project ``demo``), stopped after the test."""
    with FakeCloudLogging(project="demo") as server:
        yield server


@pytest.fixture()
def no_wait_retry() -> gretry.Retry:
    """The production retry predicate with zero back-off, so retry tests never sleep."""
    return _cloud_pages.DEFAULT_RETRY.with_delay(initial=0.0, maximum=0.0).with_timeout(30.0)
