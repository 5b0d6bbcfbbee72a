"""The failure classes of cross-shape generalisation (issue 17), each from lines of that kind."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import triage
from triage import schema as s
from triage.signatures._generalize import fold


def sigs(messages: list[str]) -> list[str]:
    return triage.templates(messages)[s.SIGNATURE].tolist()


def template(messages: list[str], i: int = 0) -> str:
    return triage.templates(messages)[s.TEMPLATE].iloc[i]


# 1. one stray value escapes the wildcard: it folds into the most specific template that matches it
def test_a_value_with_its_own_punctuation_folds_into_the_wildcard_template():
    hosts = ["alpha", "bravo", "charlie", "delta", "echo"]
    lines = [f"Failed to resolve host {h}, retrying" for h in hosts] + ["Failed to resolve host node(3), retrying"]
    assert len(set(sigs(lines))) == 1


def test_an_upper_case_user_among_lower_case_ones_folds():
    users = ["deploy", "git", "backup", "ubuntu", "jenkins", "postgres"]
    lines = [f"Accepted publickey for {u} from 10.0.0.{i} port 5{i}022 ssh2" for i, u in enumerate(users)]
    lines.append("Accepted publickey for ADMIN from 10.0.0.9 port 51022 ssh2")
    assert len(set(sigs(lines))) == 1


def test_a_dotted_process_name_as_first_word_varies():
    jobs = ["com.example.billing.sync", "com.example.search.reindex", "org.acme.mail.digest"]
    lines = [f"{j}: deferred, the start time is {n} seconds away" for j, n in zip(jobs, (30, 120, 5))]
    assert len(set(sigs(lines))) == 1
    assert template(lines) == "<*>: deferred, the start time is <num> seconds away"


def test_folding_keeps_distinct_statements_apart():
    lines = [f"{d} startup succeeded" for d in ("syslogd", "klogd", "cupsd")]
    assert len(set(sigs(lines))) == 3  # plain first words name different statements
    assert len(set(sigs(["rpc.statd startup succeeded", "rpc.idmapd startup succeeded"]))) == 1  # dotted names vary
    # a leading wildcard never swallows a plain first word, only values
    general = "<*>: deferred, the start time is <num> seconds away"
    assert fold([general, "Heartbeat: deferred, the start time is <num> seconds away"]) == {}
    assert fold([general, "job-<num>: deferred, the start time is <num> seconds away"]) == {
        "job-<num>: deferred, the start time is <num> seconds away": general}
    # nor does a template keeping too few constant words
    assert fold(["<*> <*> failed", "disk sda failed"]) == {}
    lines = [f"Failed password for {u} from 10.0.0.{i} port 22 ssh2" for i, u in enumerate(["root", "a", "b", "c",
                                                                                            "d", "e"])]
    lines += [f"Failed password for invalid user {u} from 10.0.0.1 port 22 ssh2" for u in ["x", "y", "z", "w", "v"]]
    out = sigs(lines)
    assert out[0] != out[-1] and len(set(out)) == 2  # a wildcard stands for one word, not for "invalid user x"


# 2. words with few distinct values: names (joined by . _ - /) are values from two on
def test_few_agent_and_package_names_are_one_statement():
    agents = ["triage_agent", "report_writer", "data_helper"]
    assert len(set(sigs([f"dispatching task to agent {a} (queue depth {n})" for a, n in zip(agents, (1, 4, 2))]))) == 1
    packages = ["com.tencent.mm", "com.android.phone", "org.mozilla.firefox"]
    assert len(set(sigs([f"package {p} changed state to stopped" for p in packages]))) == 1


def test_plain_words_with_few_values_stay_apart():
    assert len(set(sigs(["cache hit for key <k>", "cache miss for key <k>"]))) == 2
    assert len(set(sigs(["worker started", "worker stopped"]))) == 2


# 3. variable-length values merge where one place in the code logged them (see also the location tests)
def test_lists_of_numbers_of_any_length_fold():
    lines = ["evicting blocks 11 12 13", "evicting blocks 3 7 9 11 13", "evicting blocks 4"]
    assert len(set(sigs(lines))) == 1


# 4. IPv4 and IPv6 in one slot
def test_ipv4_and_ipv6_addresses_share_a_template():
    lines = ["client 42 connected from 10.1.2.3", "client 43 connected from 2001:db8::8a2e:370:7334",
             "client 44 connected from fe80::1ff:fe23:4567:890a", "client 45 connected from ::ffff:10.0.0.1"]
    out = triage.templates(lines)
    assert out[s.SIGNATURE].nunique() == 1
    assert out[s.TEMPLATE].iloc[1] == "client <num> connected from <ip>"


# 5. masks that eat constants
def test_routes_keep_versions_and_endpoint_names_but_mask_ids():
    out = triage.templates(["GET /api/v1/users/1234 200", "GET /api/v2/users/99812 200",
                            "POST /rpc/checkInMemberV2Call 500", "POST /rpc/getAccountV3 500",
                            "GET /api/v1/users/7 404"])
    assert out[s.TEMPLATE].tolist()[:3] == ["GET /api/v1/users/<num> 200", "GET /api/v2/users/<num> 200",
                                            "POST /rpc/checkInMemberV2Call 500"]
    assert out[s.SIGNATURE].nunique() == 5


def test_bracketed_levels_and_flags_are_constants():
    lines = ["[ERROR] payment capture failed", "[INFO] payment capture failed", "[WARN] payment capture failed",
             "radio WWEN[enable]", "radio WWEN[disable]"]
    assert len(set(sigs(lines))) == 5
    assert template(["Connection closed by 10.2.3.4 port 50022 [preauth]"]).endswith("[preauth]")


def test_a_one_item_list_folds_into_the_same_statement_with_longer_lists():
    lines = ["retrying shards [alpha, beta] after timeout", "retrying shards [gamma] after timeout",
             "retrying shards [delta, alpha, beta] after timeout"]
    assert len(set(sigs(lines))) == 1


def test_mac_addresses_are_one_value_even_with_short_groups():
    out = triage.templates(["roamed to bssid 5c:50:15:4c:18:13", "roamed to bssid 0:1a:5:4c:8:3"])
    assert out[s.TEMPLATE].tolist() == ["roamed to bssid <mac>"] * 2


# 6. ANSI colour codes
def test_ansi_colour_codes_do_not_split_or_show():
    lines = ["\x1b[32mINFO\x1b[0m worker 3 ready", "\x1b[1;37mINFO\x1b[0m worker 4 ready", "INFO worker 5 ready"]
    out = triage.templates(lines)
    assert out[s.SIGNATURE].nunique() == 1 and "\x1b" not in out[s.TEMPLATE].iloc[0]


# 7. PA: the trailing period every message has is kept
def test_trailing_periods_are_shown_but_never_split():
    out = triage.templates(["Instance 4 spawned successfully.", "Instance 9 spawned successfully."])
    assert out[s.TEMPLATE].iloc[0] == "Instance <num> spawned successfully."
    mixed = triage.templates(["Instance 4 spawned successfully.", "Instance 9 spawned successfully"])
    assert mixed[s.SIGNATURE].nunique() == 1 and mixed[s.SIGNATURE].iloc[0] == out[s.SIGNATURE].iloc[0]
    frame = triage.add_signatures(pd.DataFrame({s.MESSAGE: ["took 7.5s."]}))
    assert triage.params_of(frame).iloc[0] == ["7.5s"]


# where it was logged
def _located(messages, files, functions, lines=None, revisions=None) -> pd.DataFrame:
    frame = pd.DataFrame({s.MESSAGE: messages, s.SOURCE_FILE: files, s.SOURCE_FUNCTION: functions})
    if lines is not None:
        frame[s.SOURCE_LINE] = pd.array(lines, dtype="Int64")
    if revisions is not None:
        frame[s.REVISION] = revisions
    return frame


# A variable-length tail text alone cannot tell from other statements (SQL is masked as a value: see
# test_template_shape).
SQL = ["slow handler (812 ms): auth -> cache -> db -> cache",
       "slow handler (1204 ms): queue -> worker",
       "slow handler (95 ms): gateway"]


def test_one_location_merges_variable_tails_and_text_alone_does_not():
    located = _located(SQL, ["db.py"] * 3, ["log_slow"] * 3, [88] * 3)
    out = triage.add_signatures(located)
    assert out[s.SIGNATURE].nunique() == 1
    assert out[s.TEMPLATE].iloc[0] == "slow handler (<num> ms): <*>"
    assert triage.params_of(out).iloc[2] == ["95", "gateway"]
    assert triage.add_signatures(pd.DataFrame({s.MESSAGE: SQL}))[s.SIGNATURE].nunique() == 3
    assert "merged by source location db.py:log_slow:88" in str(triage.explain(SQL[1], located))


def test_different_lines_of_one_function_stay_apart():
    frame = _located(["Connection closed by client", "Connection closed by server"], ["ws.py"] * 2,
                     ["disconnect"] * 2, [1012, 1018], ["r1", "r1"])
    assert triage.add_signatures(frame)[s.SIGNATURE].nunique() == 2
    same_line = frame.assign(**{s.SOURCE_LINE: pd.array([1012, 1012], dtype="Int64")})
    assert triage.add_signatures(same_line)[s.SIGNATURE].nunique() == 1
    other_revision = same_line.assign(**{s.REVISION: ["r1", "r2"]})
    assert triage.add_signatures(other_revision)[s.SIGNATURE].nunique() == 2


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(SQL + ["cache miss for key 7", "cache hit for key 9", "worker 3 ready"]),
                          st.sampled_from([None, "db.py", "cache.py"]), st.sampled_from(["f", "g"])),
                min_size=1, max_size=12), st.randoms(use_true_random=False))
def test_locations_only_merge_and_ignore_order(rows, rng):
    frame = pd.DataFrame(rows, columns=[s.MESSAGE, s.SOURCE_FILE, s.SOURCE_FUNCTION])
    with_location = triage.add_signatures(frame)[s.SIGNATURE]
    text_only = triage.templates(frame[s.MESSAGE])[s.SIGNATURE]
    # never split: messages sharing a text signature share a located one
    assert (pd.DataFrame({"t": text_only, "l": with_location}).groupby("t")["l"].nunique() == 1).all()
    shuffled = frame.sample(frac=1, random_state=rng.randint(0, 10**6))
    again = triage.add_signatures(pd.concat([shuffled, shuffled.head(3)]))
    assert dict(zip(again[s.MESSAGE], again[s.SIGNATURE])) == dict(zip(frame[s.MESSAGE], with_location))
