"""The vectorised pipeline against the obvious implementation of the same rules.

``_pipeline.run`` masks each *digit shape* once and puts back, per row, the digits a shape's template
keeps (found by probing the shape); ``reference`` below masks every distinct message on its own,
templates each request and traceback on its own and generalises the same set of masked templates.
Both must give every row the same template, on the shared Loghub sets, the bundled incident (as
logged and tiled with fresh digits) and generated messages whose digits sit where masks keep some
and eat others. ``params_of`` is checked the same way against a per-row Python regex.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import triage
from triage import schema as s
from triage.signatures._generalize import generalize
from triage.signatures._masking import mask_array
from triage.signatures._params import pattern
from triage.signatures._pipeline import run
from triage.signatures._requests import REQUEST_PATTERN, request_templates
from triage.signatures._tokens import normalize
from triage.signatures._tracebacks import START, parse

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("_loghub", ROOT / "benchmarks" / "_loghub.py")
loghub = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(loghub)


def reference(messages: list[str]) -> tuple[list[str], set[str]]:
    """Every row's final template, and the masked templates the generaliser saw, one message at a time."""
    distinct = sorted(set(messages))
    array = pa.array(distinct, type=pa.large_string())
    is_traceback = [START in m for m in distinct]
    is_request = pc.match_substring_regex(array, REQUEST_PATTERN).to_pylist()
    requests = request_templates(array).to_pylist()
    masked = mask_array(array).to_pylist()
    fixed, plain = {}, {}
    for m, tb, rq, req, msk in zip(distinct, is_traceback, is_request, requests, masked):
        if tb:
            fixed[m] = parse(m).template
        elif rq:
            fixed[m] = normalize(req)
        else:
            plain[m] = msk
    # One name is one code in the pipeline: a masked text that is also a request's template stays as it is.
    generalisable = set(plain.values()) - set(fixed.values())
    mapping = generalize(generalisable)
    final = {m: fixed[m] if m in fixed else mapping.get(plain[m], plain[m]) for m in distinct}
    return [final[m] for m in messages], generalisable


def check(messages: list[str]) -> None:
    result = run(messages)
    got = [result.templates[c] for c in result.codes]
    expected, seen = reference(messages)
    differ = [(m, g, e) for m, g, e in zip(messages, got, expected) if g != e]
    assert not differ, differ[:5]
    assert {n for c, n in enumerate(result.masked) if c not in result.fixed} == seen


def fresh_digits(messages: list[str], seed: int, longer_than: int = 0) -> list[str]:
    """The messages with every digit (of runs longer than ``longer_than``) re-drawn."""
    rng = np.random.default_rng(seed)
    run_of = re.compile(r"[0-9]{%d,}" % (longer_than + 1))
    return [run_of.sub(lambda d: "".join(map(str, rng.integers(0, 10, len(d.group())))), m) for m in messages]


LOGHUB = [name for name in loghub.DATASETS if (loghub.LOGHUB / name).is_dir()]


@pytest.mark.skipif(not LOGHUB, reason="the shared Loghub-2k sets are not checked out next to the worktree")
def test_loghub_sets_as_logged_and_with_fresh_digits():
    lines = [m for name in LOGHUB for m in loghub.load(name)["Content"]]
    check(lines + fresh_digits(lines[::5], seed=1))


@pytest.mark.slow
@pytest.mark.skipif(not LOGHUB, reason="the shared Loghub-2k sets are not checked out next to the worktree")
def test_loghub_sets_tiled_with_fresh_digits_as_the_throughput_bench():
    lines = [m for name in LOGHUB for m in loghub.load(name)["Content"]]
    check(lines + fresh_digits(lines, seed=1) + fresh_digits(lines, seed=2))


def test_bundled_incident_as_logged_and_with_fresh_ids(incident_frame_cached):
    messages = incident_frame_cached[s.MESSAGE].astype(object).fillna("").tolist()
    check(messages + fresh_digits(messages[::8], seed=3, longer_than=3))  # the throughput bench's ids


@pytest.mark.slow
def test_bundled_incident_tiled_with_fresh_ids(incident_frame_cached):
    messages = incident_frame_cached[s.MESSAGE].astype(object).fillna("").tolist()
    check(messages + fresh_digits(messages, seed=3, longer_than=3) + fresh_digits(messages, seed=4, longer_than=3))


# Digits where masks keep them (eth0, storage778, HTTP/1.1, a status code) next to digits they eat.
PIECES = ["eth{d}", "storage{d}", "HTTP/1.{d}", "took {d}ms", "id {d}", "user_{d}", "v{d}", "J{d}-U{d}", "{d}",
          "0x{d}f", "10.0.{d}.{d}", "r{d}c{d}", "{d} {d} {d}", "[{d}, {d}]", "port:{d}", "{d}.{d}s", "x{d}y{d}z"]
digits = st.text("0123456789", min_size=1, max_size=14)


@st.composite
def digit_messages(draw):
    out = []
    for _ in range(draw(st.integers(1, 30))):
        pieces = draw(st.lists(st.sampled_from(PIECES), min_size=1, max_size=14))
        words = [p.replace("{d}", "%s") % tuple(draw(digits) for _ in range(p.count("{d}"))) for p in pieces]
        if draw(st.booleans()):  # a request line, whose status code is a digit the template keeps
            words = [draw(st.sampled_from(["GET", "POST"])), f"/api/{words[0]}/items", draw(digits)[:3]] + words[1:]
        out.append(" ".join(words))
    return out


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(digit_messages())
def test_generated_messages_with_kept_and_masked_digits(messages):
    check(messages)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(digit_messages())
def test_many_generated_messages_with_kept_and_masked_digits(messages):
    check(messages)


def test_more_than_a_hundred_digits_in_one_shape_are_told_apart():
    # Three probes are needed to spell a digit's rank among 120; the kept ones sit at the end.
    body = " ".join(f"{i % 10}{(i * 7) % 10}" for i in range(60))
    messages = [f"{body} eth{k} storage12" for k in range(10)]
    check(messages)
    # A word that is the same in every message keeps its digits, however many digits come before it.
    assert {t.split()[-1] for t in triage.templates(messages)[s.TEMPLATE]} == {"storage12"}


def reference_params(messages: list[str], templates: list[str]) -> list[list[str]]:
    """Per row, the placeholder values by Python's re on the whitespace-collapsed message."""
    out = []
    for message, template in zip(messages, templates):
        parsed = parse(message)
        if parsed is not None:
            out.append([parsed.message])
            continue
        regex = pattern(template, any_digit=True)
        text = re.sub(r"[\t\n\v\f\r]\s*| \s+", " ", message).strip()
        found = None if regex is None else re.match(regex, text)
        out.append(list(found.groups()) if found else [])
    return out


def test_params_of_equals_a_per_row_regex(incident_frame_cached):
    frame = triage.add_signatures(incident_frame_cached.head(5_000))
    got = triage.params_of(frame).tolist()
    expected = reference_params(frame[s.MESSAGE].astype(object).fillna("").tolist(), frame[s.TEMPLATE].tolist())
    assert got == expected
    assert sum(map(len, got)) > 1_000  # most rows have values to read


def test_params_of_on_some_rows_equals_the_whole_column(incident_frame_cached):
    frame = triage.add_signatures(incident_frame_cached.head(5_000), params=True)
    rows = frame.iloc[np.arange(7, 5_000, 13)]
    pd.testing.assert_series_equal(triage.params_of(rows.drop(columns=[s.PARAMS])), rows[s.PARAMS])
