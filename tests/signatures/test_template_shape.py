"""Parsing accuracy: templates keep a statement's shape (its endings, fixed runs of values, markers, units)."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import triage
from triage import schema as s


def templates(messages: list[str]) -> list[str]:
    return triage.templates(messages)[s.TEMPLATE].tolist()


def test_a_spaced_ellipsis_is_kept_as_written():
    lines = [f"Lock on volume vol-{n} held by another node. Will try again ..." for n in (12, 873, 40)]
    assert set(templates(lines)) == {"Lock on volume vol-<num> held by another node. Will try again ..."}
    glued = [f"Waiting for replica {n} to catch up..." for n in (2, 5)]
    assert set(templates(glued)) == {"Waiting for replica <num> to catch up..."}
    frame = triage.add_signatures(pd.DataFrame({s.MESSAGE: lines}))
    assert triage.params_of(frame).iloc[1] == ["873"]


def test_a_run_of_values_of_fixed_length_keeps_its_length():
    # always three numbers: three values, as the statement writes them
    lines = [f"battery cells mV: {a} {b} {c}" for a, b, c in ((4101, 4099, 4102), (3988, 3990, 3979))]
    assert set(templates(lines)) == {"battery cells mV: <num> <num> <num>"}


def test_a_run_logged_with_several_lengths_is_one_list():
    lines = ["shards moved: 4 9", "shards moved: 11 2 7 30", "shards moved: 5 6 8"]
    out = triage.templates(lines)
    assert out[s.SIGNATURE].nunique() == 1 and out[s.TEMPLATE].iloc[0] == "shards moved: <num>"
    # a fixed-length run elsewhere in the same input is not affected
    both = triage.templates(lines + ["position x y: 10 20", "position x y: 3 4"])
    assert both[s.TEMPLATE].iloc[-1] == "position x y: <num> <num>"


def test_a_marker_written_instead_of_a_value_is_a_constant():
    ok = [f"drive temperatures: {a} {b}" for a, b in ((41, 40), (39, 44))]
    failed = [f"drive temperatures: {a} --" for a in (41, 38)]
    out = triage.templates(ok + failed)
    assert out[s.SIGNATURE].nunique() == 2
    assert out[s.TEMPLATE].iloc[-1] == "drive temperatures: <num> --"


def test_explain_says_when_a_run_was_collapsed():
    context = ["shards moved: 11 2 7 30", "shards moved: 5 6 8"]
    assert "another length" in str(triage.explain("shards moved: 4 9", context=context))
    assert "another length" not in str(triage.explain("position x y: 10 20", context=["position x y: 3 4"]))


def test_a_full_stop_after_a_final_path_or_url_is_the_sentences():
    lines = ["Loaded plugins from /opt/app/plugins.", "Loaded plugins from /srv/app/lib/plugins."]
    assert set(templates(lines)) == {"Loaded plugins from <path>."}
    assert set(templates(["mirror is https://dl.example.org/pub/a.", "mirror is https://m.example.net/x."])) == {
        "mirror is <url>."}


def test_day_first_dates_with_a_time_are_one_timestamp():
    lines = ["4961:M 30 May 12:50:13.457 * DB saved on disk", "5120:M 2 Jun 2019 08:01:00.001 * DB saved on disk"]
    out = triage.templates(lines)
    assert out[s.SIGNATURE].nunique() == 1 and out[s.TEMPLATE].iloc[0] == "<num>:M <ts> * DB saved on disk"


def test_a_scope_operator_is_not_a_key():
    # Class::method names the code that logged, like a function name; "key: value" announces a value
    lines = ["PowerMonitor::sleepNotify - state = 3", "PowerMonitor::wakeNotify - state = 0"]
    assert triage.templates(lines)[s.SIGNATURE].nunique() == 2
    assert triage.templates(["phase:sleep - state = 3", "phase:wake - state = 0"])[s.SIGNATURE].nunique() == 1


# the rules above decide from sets of distinct templates: order and duplicates never matter
_SHAPES = ["shards moved: {}", "battery cells mV: {} {} {}", "worker {} => generated {} bytes in {} {}",
           "resolver answered kind={} rcode=NOERROR", "drive temperatures: {} {}", "Lock on vol-{} held. Retry ..."]
_VALUES = st.one_of(st.integers(0, 9999).map(str), st.sampled_from(["A", "AAAA", "MX", "NS", "TXT", "SRV", "--"]),
                    st.sampled_from(["msecs", "micros", "1 2", "4 5 6 7"]))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(_SHAPES), st.lists(_VALUES, min_size=4, max_size=4)), min_size=1,
                max_size=20), st.randoms(use_true_random=False))
def test_shape_rules_ignore_order_and_duplicates(rows, rng):
    batch = [shape.format(*values[:shape.count("{}")]) for shape, values in rows]
    again = batch + batch[: len(batch) // 2]
    rng.shuffle(again)
    first, second = triage.templates(batch), triage.templates(again)
    assert dict(zip(batch, first[s.SIGNATURE])) == dict(zip(again, second[s.SIGNATURE]))
    assert dict(zip(batch, first[s.TEMPLATE])) == dict(zip(again, second[s.TEMPLATE]))


def test_a_list_of_numbered_names_of_several_lengths_is_one_value():
    lines = ["cannot reach peers db4 db5 db6", "cannot reach peers db11 db12",
             "cannot reach peers cache1 cache2 cache3 q9"]
    out = triage.templates(lines)
    assert out[s.SIGNATURE].nunique() == 1 and out[s.TEMPLATE].iloc[0] == "cannot reach peers <*>"
    # always two names: a fixed shape, left to the generaliser
    assert triage.templates(["link eth0 eth1 up", "link eth2 eth3 up"])[s.TEMPLATE].iloc[0] == "link eth0 eth1 up"


def test_one_numbered_label_among_values_is_not_a_list():
    lines = ["resume pages 4510 sum2 4886d9d9 ok", "resume pages 12 sum2 77 ok", "resume pages 9 sum2 ab12ef34 cd ok"]
    assert "sum2" in triage.templates(lines)[s.TEMPLATE].iloc[0]
