"""Fixtures for the remote tests: generated exports, the bundled incident without split tracebacks, and a
fake BigQuery holding sink-shaped tables (helpers shared with the tests are in ``_remote_helpers``)."""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import orjson
import pandas as pd
import pytest

import triage
from triage import schema as s

sys.path.insert(0, str(Path(__file__).parent))

import _generate  # noqa: E402
from _bq_server import FakeBigQuery  # noqa: E402
from _remote_helpers import PROJECT, sink_select  # noqa: E402


@pytest.fixture(scope="session")
def generated(tmp_path_factory) -> Path:
    """3,000 generated entries (every field shape the SQL mirrors) as JSON Lines, gzipped."""
    path = tmp_path_factory.mktemp("remote") / "generated.jsonl.gz"
    _generate.write_entries(path, _generate.entries(3000, seed=7))
    return path


@pytest.fixture(scope="session")
def generated_frame(generated: Path) -> pd.DataFrame:
    return triage.load(generated)


@pytest.fixture(scope="session")
def incident_unsplit(tmp_path_factory, incident_frame_cached: pd.DataFrame, incident_path: Path) -> Path:
    """The bundled incident without the entries of tracebacks split over several entries.

    The loader reassembles those (a sequential rule SQL does not mirror); without them both paths see the
    same entries.
    """
    heads = incident_frame_cached.loc[incident_frame_cached[s.RAW].str.contains('"fragments"', regex=False), s.RAW]
    drop = set()
    for raw in heads:
        entry = orjson.loads(raw)
        drop.add(entry.get("insertId"))
        drop.update(part.get("insertId") for part in entry["fragments"])
    lines = [line for line in gzip.decompress(incident_path.read_bytes()).splitlines()
             if line.strip() and orjson.loads(line).get("insertId") not in drop]
    path = tmp_path_factory.mktemp("remote") / "incident_unsplit.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


@pytest.fixture(scope="session")
def incident_unsplit_frame(incident_unsplit: Path) -> pd.DataFrame:
    frame = triage.load(incident_unsplit)
    assert frame.attrs["fragments_merged"] == 0
    return frame


@pytest.fixture(scope="session")
def bigquery(incident_unsplit: Path, generated: Path, tmp_path_factory):
    """A fake BigQuery with the unsplit incident and the generated entries as sink tables."""
    plain = tmp_path_factory.mktemp("remote") / "generated.jsonl"
    plain.write_bytes(gzip.decompress(generated.read_bytes()))
    with FakeBigQuery() as server:
        server.table(f"{PROJECT}.logs.incident", sink_select(incident_unsplit))
        server.table(f"{PROJECT}.logs.generated", sink_select(plain))
        yield server
