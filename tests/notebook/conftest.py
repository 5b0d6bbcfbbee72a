"""Fixtures for the notebook tests: a hand-built frame and its analysis outputs."""

from __future__ import annotations

import pandas as pd
import pytest

from .frames import build_facts_frames, build_tiny_frame


@pytest.fixture()
def tiny_frame() -> pd.DataFrame:
    return build_tiny_frame()


@pytest.fixture()
def tiny_facts():
    from triage.notebook._facts import SignatureFacts

    return SignatureFacts(**build_facts_frames())
