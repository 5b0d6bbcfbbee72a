"""Fixtures shared by every test package: the bundled incident and its ground truth."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
INCIDENT = ROOT / "data" / "samples" / "incident.jsonl.gz"
INCIDENT_TRUTH = ROOT / "data" / "samples" / "incident.truth.csv.gz"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def incident_path() -> Path:
    return INCIDENT


@pytest.fixture(scope="session")
def incident_truth() -> pd.DataFrame:
    return pd.read_csv(INCIDENT_TRUTH, dtype=str)


@pytest.fixture(scope="session")
def incident_frame_cached() -> pd.DataFrame:
    import triage

    return triage.load(INCIDENT)


@pytest.fixture()
def incident_frame(incident_frame_cached: pd.DataFrame) -> pd.DataFrame:
    """The bundled incident's log frame (a fresh copy per test, so tests may modify it)."""
    return incident_frame_cached.copy()
