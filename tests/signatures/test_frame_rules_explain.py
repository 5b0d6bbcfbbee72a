"""add_signatures on a log frame, team rules files, and explain."""

from __future__ import annotations

import tomllib

import pandas as pd
import pytest
import yaml

import triage
from triage import schema as s
from triage.signatures import Rule, Rules, add_merge_rule, add_split_rule, explain

MESSAGES = ["Redis ping test failed: asyncio.run() cannot be called from a running event loop",
            "Redis ping test failed: timeout after 5.0s",
            "WebSocket error: Invalid user_id format: 105945141827451681156",
            "WebSocket error: Invalid user_id format: e2e-staging_pipeline",
            "No JWT in WebSocket headers or subprotocols"]


@pytest.fixture()
def frame() -> pd.DataFrame:
    f = pd.DataFrame({s.MESSAGE: pd.array(MESSAGES, dtype=s.STRING_DTYPE),
                      s.LOGGER: ["redis", "redis", "ws", "ws", "auth"],
                      s.SERVICE: ["backend"] * 4 + ["auth"]}, index=[5, 6, 7, 8, 9])
    f.attrs["sources"] = ["x.jsonl"]
    return f


def test_add_signatures_returns_a_new_frame_with_params(frame):
    before = frame.copy()
    out = triage.add_signatures(frame, params=True)
    pd.testing.assert_frame_equal(frame, before)
    assert out is not frame and out.attrs["sources"] == ["x.jsonl"]
    assert list(out.index) == [5, 6, 7, 8, 9]
    assert out[s.SIGNATURE].str.fullmatch(r"[0-9a-f]{12}").all()
    assert out.loc[7, s.SIGNATURE] == out.loc[8, s.SIGNATURE]
    assert out.loc[8, s.PARAMS] == ["e2e-staging_pipeline"]
    assert out.loc[9, s.PARAMS] == []


def test_params_are_left_out_unless_asked_for_and_params_of_reads_them_for_any_rows(frame):
    lazy = triage.add_signatures(frame)
    assert s.PARAMS not in lazy
    eager = triage.add_signatures(frame, params=True)
    pd.testing.assert_series_equal(triage.params_of(lazy), eager[s.PARAMS])
    assert triage.params_of(lazy.loc[[8]]).tolist() == [["e2e-staging_pipeline"]]
    assert triage.params_of(frame).tolist() == eager[s.PARAMS].tolist()  # signatures computed when missing


def test_split_rule_carves_out_and_merge_rule_folds_in(frame, tmp_path):
    path = tmp_path / "triage-rules.toml"
    default = triage.add_signatures(frame)
    add_split_rule(path, "e2e pipeline user", r"format: e2e-")
    add_merge_rule(path, "redis ping", [r"^Redis ping test failed"])
    out = triage.add_signatures(frame, rules=path)
    assert out.loc[8, s.SIGNATURE] != out.loc[7, s.SIGNATURE] == default.loc[7, s.SIGNATURE]
    assert out.loc[8, s.TEMPLATE] == "e2e pipeline user"
    assert out.loc[5, s.SIGNATURE] == out.loc[6, s.SIGNATURE] != default.loc[5, s.SIGNATURE]
    # Replaying the same file gives the same signatures.
    assert out[s.SIGNATURE].tolist() == triage.add_signatures(frame, rules=str(path))[s.SIGNATURE].tolist()


def test_merge_by_signature_and_conditions_on_logger_and_service(frame):
    default = triage.add_signatures(frame)
    rules = Rules((Rule("merge", "auth or ws", signatures=(default.loc[7, s.SIGNATURE],)),
                   Rule("split", "backend redis", message=("timeout",), logger=("^redis$",), service=("backend",))))
    out = triage.add_signatures(frame, rules=rules)
    assert out.loc[7, s.SIGNATURE] == out.loc[8, s.SIGNATURE] == rules.rules[0].signature
    assert out.loc[6, s.TEMPLATE] == "backend redis" and out.loc[5, s.TEMPLATE] != "backend redis"


def test_rules_file_escaping_round_trips(tmp_path):
    path = tmp_path / "rules.toml"
    tricky = 'say "hi" \\d+ \t tab\nnewline \x7f é'
    add_split_rule(path, 'name with "quotes"', tricky)
    data = tomllib.loads(path.read_text())
    assert data["rule"][0]["message"] == [tricky]
    assert Rules.load(path).rules[0].name == 'name with "quotes"'


def test_yaml_rules_and_bad_rules(tmp_path):
    path = tmp_path / "rules.yaml"
    add_merge_rule(path, "db", ["abcdefabcdef", "QueuePool limit"])
    add_split_rule(path, "x", "y")
    loaded = yaml.safe_load(path.read_text())
    assert [r["name"] for r in loaded["rules"]] == ["db", "x"]
    assert Rules.load(path).rules[0].signatures == ("abcdefabcdef",)
    with pytest.raises(ValueError):
        Rule("rename", "x", message=("a",))
    with pytest.raises(ValueError):
        Rule("merge", "nothing")


def test_templates_accept_rules():
    out = triage.templates(MESSAGES, rules=Rules((Rule("merge", "all ws", message=("WebSocket|JWT",)),)))
    assert out[s.TEMPLATE].tolist()[2:] == ["all ws"] * 3


def test_explain_lists_masks_and_generalisation():
    e = explain("WebSocket error: Invalid user_id format: e2e-staging_pipeline", context=MESSAGES)
    assert e.signature == triage.templates(MESSAGES)[s.SIGNATURE].iloc[3]
    table = e.to_frame()
    assert "generalize" in set(table["step"])
    assert "e2e-staging_pipeline" in set(table["matched"])
    assert e.compared_with  # the numeric variant it was compared with
    text = str(e)
    assert "generalised 'e2e-staging_pipeline'" in text and e.signature in text

    masked = explain("HARD LIMIT: User 10594514... still over limit after cleanup (20/20)")
    assert ("num", "10594514", "<num>") in masked.masks
    assert "<num>" in masked.template


def test_explain_reports_rules_and_tracebacks():
    rules = Rules((Rule("split", "jwt", message=("JWT",)),))
    assert explain("No JWT in WebSocket headers", rules=rules).rule == "jwt"
    tb = 'Traceback (most recent call last):\n  File "/app/a.py", line 1, in f\n    x()\nKeyError: 1'
    e = explain(tb)
    assert e.kind == "traceback" and e.template == "KeyError in /app/a.py:f"


def test_empty_frame():
    out = triage.add_signatures(s.empty_frame(), params=True)
    assert len(out) == 0 and {s.SIGNATURE, s.TEMPLATE, s.PARAMS} <= set(out.columns)
    assert len(triage.params_of(triage.add_signatures(s.empty_frame()))) == 0


def test_explain_a_request_line():
    e = explain("GET /api/threads/6f1b2c3d-1111-2222-3333-444455556666 404")
    assert e.kind == "request" and e.template == "GET /api/threads/<uuid> 404"
    assert ("uuid", "6f1b2c3d-1111-2222-3333-444455556666", "<uuid>") in e.masks
