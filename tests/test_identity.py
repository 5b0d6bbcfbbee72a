"""One identity module: every user add_users can name is pseudonymised by save_sample (no leak in samples)."""

from __future__ import annotations

import gzip
import re

import orjson
import pandas as pd
import pytest

import triage
from tests.support.entries import KEY
from tests.support.frames import frame
from triage import identity
from triage import schema as s
from triage.analysis import _users
from triage.sources._samples.keys import ENV_KEY

FULL = "105945141827451681156"

# One message per way the text names a user, each id of a different shape.
NAMED = [
    ("User bob_smith has reached the limit", "bob_smith"),
    ("UNEXPECTED FACTORY ERROR: User e2e-user-7 has reached the maximum", "e2e-user-7"),
    ("lookup user_id=carol.lee-9 done", "carol.lee-9"),
    ("lookup user_id: dave2000", "dave2000"),
    ("WebSocket error: Invalid user_id format: staging_release-v1.2.3", "staging_release-v1.2.3"),
    ("quota checked for user 42x", "42x"),  # shorter than the shortest id replaced anywhere in text
    ("token refreshed, user_id='u7'", "u7"),
    (f"Message routing failed for user {FULL}", FULL),
    ("request by USER_ID=Erin_K", "Erin_K"),
]
# Structured ids: the long one is replaced wherever it occurs, the short one where the text names it a user.
STRUCTURED = [("session opened again for {}", "frank-01"), ("session closed for user {}", "g1")]


AUDIT_CALLERS = ["ivy.chen@example.org", "deployer@proj-1.iam.gserviceaccount.com",
                 "system:serviceaccount:default:builder"]


def entries() -> list[dict]:
    out = []
    for i, (text, _) in enumerate(NAMED):
        out.append({"timestamp": f"2025-09-09T00:00:{i:02d}Z", "insertId": f"t{i}", "textPayload": text,
                    "severity": "INFO"})
    for i, (text, user) in enumerate(STRUCTURED):
        out.append({"timestamp": f"2025-09-09T00:01:{i:02d}Z", "insertId": f"j{i}", "severity": "INFO",
                    "jsonPayload": {"message": text.format(user), "user_id": user}})
    # Entries that lend a user through keys: the id itself is not in their text.
    out.append({"timestamp": "2025-09-09T00:02:00Z", "insertId": "k0", "textPayload":
                "Request req_9990c36ae0f0 completed for user hank_5 in 315ms"})
    out.append({"timestamp": "2025-09-09T00:02:01Z", "insertId": "k1", "textPayload":
                "Slow request req_9990c36ae0f0: 796ms; user hank_5 waited"})
    # Audit logs: a person's principalEmail is the user; service accounts are workloads, nobody's user.
    for i, principal in enumerate(AUDIT_CALLERS):
        out.append({"timestamp": f"2025-09-09T00:03:{i:02d}Z", "insertId": f"a{i}", "severity": "NOTICE",
                    "protoPayload": {"@type": "type.googleapis.com/google.cloud.audit.AuditLog",
                                     "methodName": "SetIamPolicy", "resourceName": "projects/p/topics/t",
                                     "authenticationInfo": {"principalEmail": principal}}})
    return out


def test_the_rules_have_one_home():
    assert _users.NOT_USERS is identity.NOT_USERS and _users.USER_MENTION is identity.USER_MENTION
    from triage.sources._samples import redact_rules as _redact_rules

    assert _redact_rules.NOT_PERSONAL is identity.NOT_USERS
    assert all(hasattr(identity, name) for name in identity.__all__)


@pytest.mark.parametrize("text, expected", NAMED)
def test_add_users_and_redaction_read_the_same_id(text, expected):
    assert identity.mentioned_ids(text) == [expected]
    assert triage.add_users(_frame([text]))[s.USER].tolist() == [expected]


def _frame(messages):
    return frame(range(len(messages)), **{s.MESSAGE: messages})


def test_every_user_add_users_resolves_is_pseudonymised_by_save_sample(tmp_path, monkeypatch):
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in entries()))
    frame = triage.load(source)
    named = set(triage.add_users(frame)[s.USER].dropna())
    assert named >= {u for _, u in NAMED} | {u for _, u in STRUCTURED} | {"hank_5", AUDIT_CALLERS[0]}
    assert not named & set(AUDIT_CALLERS[1:])  # workloads are no users
    # A fixed (team) key: pseudonyms keep an id's shape, so a 2-character id such as "u7" has only 200 possible ones
    # and, under a random key, about 1 run in 50 maps one listed id onto another (or onto itself): chance, not the
    # rule this test checks (every id add_users resolves is replaced).
    monkeypatch.setenv(ENV_KEY, KEY)
    sample = triage.save_sample(frame, tmp_path / "out.jsonl.gz", project="p")
    text = gzip.decompress(sample.read_bytes()).decode()
    leaked = sorted(u for u in named if re.search(rf"(?<![\w.-]){re.escape(u)}(?![\w-])", text))
    assert leaked == [] and "proj-1" not in text and "builder" not in text
    # The redacted sample still names as many distinct users, under pseudonyms.
    again = triage.add_users(triage.load(sample))
    assert again[s.USER].nunique() == len(named)
    assert not set(again[s.USER].dropna()) & named


@pytest.mark.parametrize("text", [
    "User has reached the limit", "db=,user= LOG:  checkpoint starting", "for user system",
    "user_id=anonymous", "user=  ", "User 10594514... still over limit",
])
def test_no_whole_id(text):
    assert identity.mentioned_ids(text) == []
    assert pd.isna(triage.add_users(_frame([text]))[s.USER].iloc[0])
