"""The explorer and the worksheet on the bundled incident, with the real upstream stages."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import triage
from triage import schema as s
from triage.notebook import Evidence, FiveWhys

REDIS = "Redis ping test failed: asyncio.run() cannot be called from a running event loop"


@pytest.fixture(scope="module")
def frame(incident_signed_cached) -> pd.DataFrame:
    return incident_signed_cached.copy()


@pytest.fixture(scope="module")
def summary(frame) -> pd.DataFrame:
    return triage.summarize(frame)


def _signature(summary: pd.DataFrame, prefix: str) -> str:
    return summary.loc[summary[s.TEMPLATE].str.startswith(prefix), s.SIGNATURE].iloc[0]


def test_explorer_on_the_incident(frame, summary):
    app = triage.explore(frame, summary=summary)
    table = app.model.table(limit=None)
    assert table[s.COUNT].sum() == len(frame)
    assert dict(zip(table[s.SIGNATURE], table[s.COUNT])) == frame[s.SIGNATURE].value_counts().to_dict()
    redis = _signature(summary, "Redis ping test failed")
    app.choose(redis)
    assert "every ~30 s" in app.header.value
    assert sum(app.figure.data[1].y) == 1439
    app.revisions.value = ("netra-backend-staging-00123-vtm",)
    assert 0 < sum(app.figure.data[1].y) < 1439


def test_worksheet_on_the_incident(frame, summary, tmp_path):
    redis = _signature(summary, "Redis ping test failed")
    ws = triage.five_whys(frame, redis, summary=summary)
    row = summary.set_index(s.SIGNATURE).loc[redis]
    assert ws.problem.template == REDIS and ws.problem.count == row[s.COUNT] == 1439
    assert ws.problem.first_seen == row[s.FIRST_SEEN].isoformat()
    assert ws.problem.period.startswith("every ~30 s")
    assert len(ws.problem.revisions) == 3 and all("unchanged" in r for r in ws.problem.revisions)
    # Four events a minute in the newest revision: silence is significant after ln(20)/rate minutes.
    assert ws.verification.quiet_minutes == pytest.approx(math.log(20) / ws.problem.rate_per_min)
    assert 3.5 < ws.problem.rate_per_min < 4.5
    ws.why(1, "asyncio.run() inside the running loop", Evidence("signature", redis))
    reopened = FiveWhys.load(ws.save(tmp_path / "ws.json"), frame=frame)
    assert reopened == ws and reopened.unsupported_whys() == [2, 3, 4, 5]


def test_merge_from_the_explorer_is_applied_by_add_signatures(incident_frame_cached, frame, summary, tmp_path):
    rules = tmp_path / "triage-rules.toml"
    app = triage.explore(frame, rules=rules, summary=summary)
    closed = [_signature(summary, "Connection closed by client"), _signature(summary, "Connection closed by server")]
    app.choose(closed[0])
    app.merge_with.value = (closed[1],)
    app.rule_name.value = "connection closed"
    app.merge_button.click()
    assert app.rules_status.value.startswith("merge rule 'connection closed'")
    again = triage.add_signatures(incident_frame_cached, rules=rules)
    merged = again.loc[frame[s.SIGNATURE].isin(closed), s.SIGNATURE]
    assert merged.nunique() == 1 and merged.iloc[0] not in closed
    assert len(merged) == frame[s.SIGNATURE].isin(closed).sum()
