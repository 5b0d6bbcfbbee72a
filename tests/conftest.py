"""Fixtures shared by every test package: the bundled incident (as loaded, and with signatures and users) and its
ground truth, the hand-built tiny frame, one headless browser for image export, and a fresh config folder.

Helpers that tests import (fake Cloud Logging server, LogEntry builders, hand-built frames, figure inspection) live
in ``tests/support``."""

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


@pytest.fixture(scope="session")
def incident_signed_cached(incident_frame_cached: pd.DataFrame) -> pd.DataFrame:
    """The bundled incident with signatures and users, computed once per session (do not modify: copy it)."""
    import triage

    return triage.add_users(triage.add_signatures(incident_frame_cached))


@pytest.fixture()
def incident_signed(incident_signed_cached: pd.DataFrame) -> pd.DataFrame:
    return incident_signed_cached.copy()


@pytest.fixture()
def tiny_frame() -> pd.DataFrame:
    """:func:`tests.support.frames.build_tiny_frame`: one hour of one service with known answers (fresh per test)."""
    from tests.support.frames import build_tiny_frame

    return build_tiny_frame()


@pytest.fixture(scope="session")
def shared_browser():
    """One headless browser for every image export of the session (kaleido's server; see
    :func:`triage.postmortem.browser`)."""
    from triage.postmortem import browser

    with browser():
        yield


@pytest.fixture(scope="session", autouse=True)
def _own_config_folder(tmp_path_factory):
    """Samples sign and pseudonymise with the user's own key (made in the config folder on first use): the
    tests get a fresh folder, never the developer's, and no team key from the environment."""
    import os

    saved = {name: os.environ.get(name) for name in ("XDG_CONFIG_HOME", "TRIAGE_KEY", "TRIAGE_PSEUDONYM_KEY")}
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path_factory.mktemp("config"))
    os.environ.pop("TRIAGE_KEY", None)
    os.environ.pop("TRIAGE_PSEUDONYM_KEY", None)
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
