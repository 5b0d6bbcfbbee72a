"""add_users: every source of evidence, the words that are not users, and never guessing."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.support.frames import frame
from triage import schema as s
from triage.analysis import _columns as c
from triage.analysis import add_users

FULL = "105945141827451681156"
OTHER = "101463487227881885914"


def users(messages, **columns) -> pd.DataFrame:
    out = add_users(frame(range(len(messages)), **{s.MESSAGE: messages}, **columns))
    return out


@pytest.mark.parametrize("message, expected", [
    (f"Message routing failed for user {FULL}", FULL),
    (f"UNEXPECTED FACTORY ERROR: User {FULL} has reached the maximum", FULL),
    (f"lookup user_id={FULL} done", FULL),
    (f"lookup user_id: {FULL}", FULL),
    ("WebSocket error: Invalid user_id format: e2e-staging_release-v1.2.3", "e2e-staging_release-v1.2.3"),
    (f"User login: ann@example.com -> user_id {FULL}", FULL),
    (f"sentence ends with user {FULL}.", FULL),
])
def test_ids_in_text_are_found(message, expected):
    out = users([message])
    assert out[s.USER].tolist() == [expected]
    assert out[s.USER_EVIDENCE].tolist() == [c.EVIDENCE_TEXT]


@pytest.mark.parametrize("message", [
    "User has reached the maximum number of WebSocket managers (5)",
    "for user authentication please retry",
    "THREAD CREATION: Creating missing thread record for user system",
    "request by user_id=anonymous",
    "nothing here at all",
])
def test_no_user_without_evidence_or_with_several(message):
    out = users([message])
    assert out[s.USER].isna().all()
    assert out[s.USER_EVIDENCE].isna().all()


def test_structured_wins_and_non_user_words_are_not_users():
    out = users([f"for user {OTHER}", "plain", "plain"], **{s.USER_ID: [FULL, "system", "Guest"]})
    assert out[s.USER].tolist()[0] == FULL
    assert out[s.USER_EVIDENCE].tolist()[0] == c.EVIDENCE_STRUCTURED
    assert out[s.USER].iloc[1:].isna().all()


def test_truncated_ids_resolve_only_when_unique_and_unresolved_are_counted():
    messages = [f"for user {FULL}", f"for user {OTHER}", "HARD LIMIT: User 10594514... still over",
                "Resource limit exceeded for user 10... (20/20)", "limit for user 99999999... again"]
    out = users(messages)
    assert out[s.USER].iloc[2] == FULL and out[s.USER_EVIDENCE].iloc[2] == c.EVIDENCE_TRUNCATED
    assert out[s.USER].iloc[3:].isna().all()  # "10" is too short/ambiguous, "99999999" unknown
    assert out.attrs[c.ATTR_USERS_UNRESOLVED] == 1  # only prefixes of at least 4 characters count


def test_ambiguous_truncated_prefix_stays_unresolved():
    out = users([f"for user {FULL}", "for user 10594599999999999999", "User 105945... over limit"])
    assert pd.isna(out[s.USER].iloc[2])
    assert out.attrs[c.ATTR_USERS_UNRESOLVED] == 1


def test_connection_ids_by_accept_entry_and_by_prefix():
    messages = [
        "WebSocket connection accepted: ws_staging-_17_ab for user staging-e2e-user-002",
        "WebSocket connection accepted: ws_staging-_18_cd for user staging-e2e-user-001",
        "Message routed for ws_staging-_17_ab: 300 bytes",  # prefix ambiguous; the accept entry decides
        f"for user {FULL}",
        "Message routing failed for ws_10594514_1757_ef, error_count: 1",  # no accept entry: prefix
    ]
    out = users(messages)
    assert out[s.USER].iloc[2] == "staging-e2e-user-002"
    assert out[s.USER].iloc[4] == FULL
    assert out[s.USER_EVIDENCE].iloc[[2, 4]].tolist() == [c.EVIDENCE_CONNECTION] * 2


def test_request_and_login_email_keys():
    messages = [
        f"Request req_9990c36ae0f0 completed for user {FULL} in 315ms",
        "Slow request req_9990c36ae0f0: 796ms (threshold 500ms)",
        f"User login: ann.lee@example.com -> user_id {OTHER}",
        "Password reset mail sent to ann.lee@example.com",
        "Slow request req_000000000000: 796ms",  # nobody completed it
    ]
    out = users(messages)
    assert out[s.USER].tolist()[:4] == [FULL, FULL, OTHER, OTHER]
    assert out[s.USER_EVIDENCE].iloc[[1, 3]].tolist() == [c.EVIDENCE_REQUEST, c.EVIDENCE_EMAIL]
    assert pd.isna(out[s.USER].iloc[4])


def test_a_key_tied_to_two_users_names_nobody():
    messages = [f"Request req_abcdef123456 completed for user {FULL}",
                f"Request req_abcdef123456 completed for user {OTHER}",
                "Slow request req_abcdef123456"]
    assert pd.isna(users(messages)[s.USER].iloc[2])


def test_trace_propagation_needs_exactly_one_user_and_skips_non_users():
    messages = [f"for user {FULL}", "race condition", "for user system",
                f"for user {FULL}", f"for user {OTHER}", "race condition", "race condition"]
    traces = ["t1", "t1", "t1", "t2", "t2", "t2", None]
    out = users(messages, **{s.TRACE: traces})
    assert out[s.USER].iloc[1] == FULL and out[s.USER_EVIDENCE].iloc[1] == c.EVIDENCE_TRACE
    assert pd.isna(out[s.USER].iloc[2])  # says "system": not filled from the trace
    assert out[s.USER].iloc[5:].isna().all()  # two users in t2; no trace at all


def test_input_is_not_modified_and_dtypes():
    base = frame([0], **{s.MESSAGE: [f"for user {FULL}"]})
    out = add_users(base)
    assert s.USER not in base.columns
    assert out[s.USER].dtype == s.STRING_DTYPE and out[s.USER_EVIDENCE].dtype == s.STRING_DTYPE


def test_incident_users_match_the_truth(incident_frame, incident_truth):
    out = add_users(incident_frame)
    truth = incident_truth.set_index("insert_id")["user"]
    expected = out[s.INSERT_ID].map(truth)
    found = out[s.USER]
    named = found.notna()
    wrong = named & (found != expected)
    assert wrong.sum() == 0, out.loc[wrong, [s.MESSAGE, s.USER]].head()
    recall = (named & (found == expected)).sum() / expected.notna().sum()
    assert recall >= 0.95
    assert set(out[s.USER_EVIDENCE].dropna()) >= {c.EVIDENCE_STRUCTURED, c.EVIDENCE_TEXT, c.EVIDENCE_TRUNCATED,
                                                  c.EVIDENCE_CONNECTION, c.EVIDENCE_REQUEST, c.EVIDENCE_TRACE}


@pytest.mark.parametrize("listing", [
    f"Moved sessions from user {FULL} to user {OTHER}",
    f"Cleaned up stale managers for users [{FULL}, {OTHER}]",
    "quota reset for users: ann-1, bob_2; next run in 1 h",
])
def test_an_entry_naming_several_users_says_so_and_counts_for_nobody(listing):
    out = users([listing, f"for user {FULL}", "for users without a list"])
    assert pd.isna(out[s.USER].iloc[0]) and out[s.USER_EVIDENCE].iloc[0] == c.EVIDENCE_SEVERAL
    assert out[s.USER].iloc[1] == FULL
    assert pd.isna(out[s.USER_EVIDENCE].iloc[2])


@pytest.mark.parametrize("listing", [
    "Heartbeat sweep: ws_aaaa1111_1_ab ok, ws_bbbb2222_1_cd ok",  # connection keys of two users
    "Session cleanup: expired sess_a1b2c3, sess_d4e5f6",  # session keys of two users
])
def test_a_line_listing_keys_of_several_users_belongs_to_none(listing):
    messages = ["Accepted ws_aaaa1111_1_ab for user alice-1", "Accepted ws_bbbb2222_1_cd for user bob-2",
                "Login sess_a1b2c3 for user alice-1", "Login sess_d4e5f6 for user bob-2", listing, listing]
    out = users(messages)
    assert out[s.USER].iloc[4:].isna().all()
    assert (out[s.USER_EVIDENCE].iloc[4:] == c.EVIDENCE_SEVERAL).all()
    # Keys of one user, listed twice, still name that user.
    same = users(messages[:4] + ["Heartbeat: ws_aaaa1111_1_ab ok, sess_a1b2c3 ok, ws_aaaa1111_1_ab again"])
    assert same[s.USER].iloc[4] == "alice-1"


CODE_TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "/srv/app/orders.py", line 41, in create\n'
    "    charge(order, user_id=request.user.id)\n"
    '  File "/srv/app/billing.py", line 9, in charge\n'
    "    raise PaymentError(f\"declined for user {uid}\")\n"
    "billing.PaymentError: card declined"
)


def test_source_code_in_tracebacks_is_not_evidence():
    out = users([CODE_TRACEBACK, CODE_TRACEBACK.replace("card declined", "card declined for user u-77")])
    assert pd.isna(out[s.USER].iloc[0])
    assert out[s.USER].iloc[1] == "u-77"  # the exception's own line is the message's text


def test_request_id_in_a_traceback_header_links_to_the_requests_user():
    header = "Error handling request 7f3a9c1e22\n" + CODE_TRACEBACK
    messages = [header, "Request 7f3a9c1e22 POST /api/orders 500", "Request 0b0b0b0b99 GET / 200", header]
    out = users(messages, **{s.USER_ID: [None, "u-5", "u-6", None]})
    assert out[s.USER].tolist() == ["u-5", "u-5", "u-6", "u-5"]
    assert out[s.USER_EVIDENCE].iloc[0] == c.EVIDENCE_REQUEST


AUTOVACUUM = ("2025-06-05 15:57:58.017 UTC [110445]: [1-1] db=,user= LOG:  automatic analyze of table "
              "\"app.public.job_history\"\nI/O timings: read: 0.000 ms, write: 0.000 ms\n"
              "system usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.00 s")


@pytest.mark.parametrize("message", ["db=,user= LOG:  checkpoint starting", "db=app,user= FATAL: password",
                                     'user="" logged out', "user_id= ", AUTOVACUUM,
                                     "rusage: user: 1.25 s, system: 0.40 s"])
def test_an_empty_user_field_is_no_user(message):
    assert users([message])[s.USER].isna().all()
