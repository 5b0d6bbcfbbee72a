"""Which messages share a signature: the cases from the analysts' notes and the issue."""

from __future__ import annotations

import pandas as pd
import pytest

import triage
from triage import schema as s


def groups(messages: list[str]) -> list[str]:
    return triage.templates(messages)[s.SIGNATURE].tolist()


def same(*messages: str, context: tuple[str, ...] = ()) -> bool:
    return len(set(groups(list(messages) + list(context))[: len(messages)])) == 1


def test_user_id_number_and_word_are_one_signature():
    assert same("WebSocket error: Invalid user_id format: 105945141827451681156",
                "WebSocket error: Invalid user_id format: e2e-staging_pipeline")


def test_composite_ids_are_variables():
    a = ("Thread ID mismatch: run_id contains 'websocket_factory_1757413642203' but thread_id is "
         "'thread_websocket_factory_1757413642203_758_7de5b0ec'")
    b = ("Thread ID mismatch: run_id contains 'websocket_factory_1757373577513' but thread_id is "
         "'thread_websocket_factory_1757373577513_54_24427b1b'")
    assert same(a, b)
    template = triage.templates([a])[s.TEMPLATE].iloc[0]
    assert "1757413642203" not in template and template.startswith("Thread ID mismatch: run_id contains '")


def test_truncated_ids_counters_and_fractions_vary():
    assert same("HARD LIMIT: User 10594514... still over limit after cleanup (20/20)",
                "HARD LIMIT: User 20233121... still over limit after cleanup (5/20)")


def test_one_signature_for_every_connection():
    assert same(*(f"WebSocket connection state error for ws_10146348_{t}_{h}: WebSocket is not connected. "
                  'Need to call "accept" first.' for t, h in [("1757373397", "aca2f891"), ("1757373217", "28b0e073"),
                                                             ("1757373037", "7ab760e0")]))


def test_lists_of_any_length_and_durations_vary():
    base = ("DeterministicStartupError: GCP WebSocket readiness validation failed. Failed services: {}. "
            "State: failed. Elapsed: {}. This will cause 1011 WebSocket errors in GCP Cloud Run.")
    assert same(base.format("[redis]", "7.51s"), base.format("[redis, postgres]", "12.2s"),
                base.format("['redis', 'clickhouse', 'postgres']", "830ms"))


def test_constant_words_keep_statements_apart():
    sigs = groups(["Connection closed by client", "Connection closed by server",
                   "Connection closed by 10.0.0.1:443", "VM Started", "VM Paused"])
    assert len(set(sigs)) == 5


def test_trailing_period_and_whitespace_do_not_split():
    assert same("Connection closed by client", "Connection  closed by client.", "  Connection closed\tby client ")


def test_a_word_that_differs_with_digits_in_it_is_not_enough_to_merge_words():
    # eth0 / eth1 are names, not values: without more evidence they stay apart.
    assert not same("link up on eth0", "link up on eth1")


def test_many_distinct_words_after_an_entity_noun_merge():
    users = ["root", "news", "cyrus", "test"]
    assert same(*(f"session closed for user {u}" for u in users))


def test_requests_group_by_method_route_and_status():
    sigs = groups(["GET /api/threads/6f1b2c3d-1111-2222-3333-444455556666 404",
                   "GET /api/threads/0a1b2c3d-9999-2222-3333-444455556666 404",
                   "GET /api/threads/0a1b2c3d-9999-2222-3333-444455556666 500",
                   "POST /api/threads/0a1b2c3d-9999-2222-3333-444455556666 404",
                   "GET /api/runs/0a1b2c3d-9999-2222-3333-444455556666 404",
                   '169.254.169.24:0 - "GET /api/threads/6f1b2c3d-1111-2222-3333-444455556666 HTTP/1.1" 404'])
    assert sigs[0] == sigs[1]
    assert len(set(sigs)) == 5  # rows 0 and 1 share one; the access-log line is its own statement
    template = triage.templates(["GET /api/threads/thread_8812 404"])[s.TEMPLATE].iloc[0]
    assert template.startswith("GET /api/threads/<") and template.endswith(" 404")


def test_index_and_order_follow_the_input():
    messages = pd.Series(["b 1", "a", "b 2"], index=[10, 20, 30])
    out = triage.templates(messages)
    assert list(out.index) == [10, 20, 30]
    assert list(out.columns) == [s.SIGNATURE, s.TEMPLATE]
    assert out[s.TEMPLATE].tolist() == ["b <num>", "a", "b <num>"]


def test_placeholder_renders_loghub_notation_and_keeps_signatures():
    messages = ["took 7.51s from 10.0.0.1", "took 12ms from 10.0.0.2"]
    typed = triage.templates(messages)
    plain = triage.templates(messages, placeholder="<*>")
    assert plain[s.TEMPLATE].iloc[0] == "took <*> from <*>"
    assert typed[s.TEMPLATE].iloc[0] == "took <duration> from <ip>"
    assert typed[s.SIGNATURE].tolist() == plain[s.SIGNATURE].tolist()


def test_signature_depends_on_version(monkeypatch):
    from triage.signatures import _signature

    before = _signature.signature_of("a <num>")
    monkeypatch.setattr(_signature, "SIGNATURE_VERSION", "test-other")
    assert _signature.signature_of("a <num>") != before


@pytest.mark.parametrize("message", [None, "", "   "])
def test_missing_and_empty_messages_are_templated(message):
    out = triage.templates(pd.Series([message, "x"], dtype=object))
    assert out[s.SIGNATURE].notna().all() and len(out) == 2


def test_enum_constants_stay_apart_even_after_a_key():
    sigs = groups([f"Task Transitioned from {a} to {b}" for a, b in
                   [("NEW", "SCHEDULED"), ("SCHEDULED", "RUNNING"), ("RUNNING", "SUCCEEDED"), ("RUNNING", "FAILED"),
                    ("NEW", "KILLED"), ("KILLED", "FAILED")]]
                  + ["action:android.intent.action.SCREEN_ON", "action:android.intent.action.TIME_TICK"])
    assert len(set(sigs)) == 8


def test_booleans_and_nulls_are_values():
    assert same("isScreenOn true", "isScreenOn false", "isScreenOn None")


def test_java_and_node_stack_frames_do_not_split():
    a = ("TypeError: fetch failed\n    at node:internal/deps/undici:13178:13\n"
         "    at async getProfile (/app/page.js:1:6828)")
    b = "TypeError: fetch failed\n    at node:internal/deps/undici:13185:13\n    at async getThreads (/app/t.js:1:6910)"
    assert same(a, b)
    assert not same(a, "TypeError: cannot read properties of undefined\n    at f (/app/x.js:1:2)")
