"""Fixtures for the notebook tests: the explorer's hand-built frame and its analysis outputs."""

from __future__ import annotations

import pandas as pd
import pytest

from .frames import build_explorer_frame, build_facts_frames


@pytest.fixture()
def explorer_frame() -> pd.DataFrame:
    return build_explorer_frame()


@pytest.fixture()
def explorer_facts():
    from triage.analysis.facts import SignatureFacts

    return SignatureFacts(**build_facts_frames())


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report
