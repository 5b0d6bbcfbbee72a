"""The bundled incident with signatures and users, computed once per session (copies handed out)."""

from __future__ import annotations

import pandas as pd
import pytest


@pytest.fixture(scope="session")
def incident_signed_cached(incident_frame_cached: pd.DataFrame) -> pd.DataFrame:
    import triage

    return triage.add_users(triage.add_signatures(incident_frame_cached))


@pytest.fixture()
def incident_signed(incident_signed_cached: pd.DataFrame) -> pd.DataFrame:
    return incident_signed_cached.copy()
