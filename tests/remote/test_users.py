"""Text user rules pushed down to SQL: the users of a remote summary are add_users' structured + text users."""

from __future__ import annotations

from pathlib import Path

import orjson
from _remote_helpers import local_summary

import triage
from triage import schema as s
from triage.remote import summarize_remote

CODE = ('Traceback (most recent call last):\n  File "/srv/app/orders.py", line 41, in create\n'
        "    charge(order, user_id=request.user.id)\nPaymentError: card declined")
# (message, structured user or None, the user SQL must find or None)
CASES = [
    ("User bob_smith has reached the limit {}", None, "bob_smith"),
    ("lookup user_id=u7 done {}", None, "u7"),
    ("Invalid user_id format: staging_release-v1.2.3 {}", None, "staging_release-v1.2.3"),
    ("quota for user 105945141827451681156 {}", "carol-1", "carol-1"),  # structured wins
    ("Moved sessions from user a-1 to user b-2 {}", None, None),  # several users: nobody
    (CODE + " {}", None, None),  # source code is not evidence
    ("db=,user= LOG:  checkpoint starting {}", None, None),  # an empty user= is no user
    ("Creating thread for user system {}", None, None),
    ("HARD LIMIT: User 10594514... still over {}", None, None),  # truncated: resolved locally only
    ("session opened {}", "anonymous", None),
    ("autovacuum {}: system usage: CPU: user: 0.00 s, system: 0.00 s", None, None),  # a measurement
]


def test_text_users_are_found_in_sql_as_add_users_finds_them(tmp_path: Path):
    lines = []
    for i, (text, user, _) in enumerate(CASES):
        payload = {"message": text.format(i)}
        if user:
            payload["user_id"] = user
        lines.append({"timestamp": f"2025-09-09T10:00:{i:02d}Z", "insertId": f"u{i}", "severity": "ERROR",
                      "jsonPayload": payload})
    path = tmp_path / "users.jsonl"
    path.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in lines))
    frame = triage.load(path)
    remote = summarize_remote(path).summary
    local = local_summary(frame)
    assert remote.set_index(s.SIGNATURE)[s.USERS].to_dict() == local.set_index(s.SIGNATURE)[s.USERS].to_dict()
    found = triage.add_users(frame)
    expected = [user for _, _, user in CASES]
    pushed = found[s.USER].where(found[s.USER_EVIDENCE].isin([s.EVIDENCE_STRUCTURED, s.EVIDENCE_TEXT]))
    assert [None if isinstance(x, float) else x for x in pushed] == expected
    assert remote[s.USERS].sum() == sum(u is not None for u in expected)
