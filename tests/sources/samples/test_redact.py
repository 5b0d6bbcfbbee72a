"""Redaction: planted secrets are gone from the written sample; users keep stable, consistent pseudonyms."""

from __future__ import annotations

import gzip
import re
from collections import Counter

import orjson
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import triage
from tests.support.entries import KEY, OTHER_KEY, entry
from triage import schema as s
from triage.sources._samples.keys import ENV_KEY, LEGACY_ENV_KEY, Key, user_key_path
from triage.sources._samples.pseudonym import Pseudonymizer
from triage.sources._samples.redact import redact_entries

GOOGLE_A = "105945141827451681156"
GOOGLE_B = "101463487227881885914"
TWINS = ("113204561987345620117", "113204567701298834452")  # share the prefix 11320456
E2E = "e2e-staging_pipeline"
STAGING = "staging-e2e-user-001"

#: Every kind of secret the redaction must remove, as planted below.
SECRETS = {
    "email": "alice.smith48@example.com",
    "principal": "deployer@netra-staging.iam.gserviceaccount.com",
    "bearer": "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA",
    "jwt": ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
            "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"),
    "google_key": "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
    "openai_key": "sk-proj-4fGhT9kLmN2pQrStUvWxYz0123456789",
    "github_token": "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
    "aws_key": "AKIAIOSFODNN7EXAMPLE",
    "key_param": "f00dfacecafe1234",
    "api_key_param": "zz-top-secret-api-key-99",
    "url_password": "hunter2-Secret!",
    "password_field": "correct horse battery staple",
    "ipv4": "203.0.113.77",
    "ipv4_remote": "198.51.100.23",
    "ipv6": "2001:db8:85a3::8a2e:370:7334",
}


def planted() -> list[dict]:
    """Entries holding every kind of secret, in every kind of field."""
    x = SECRETS
    return [
        entry(0, message=f"User login: {x['email']} -> user_id {GOOGLE_A}", user=GOOGLE_A),
        entry(1, message=f"calling upstream with Authorization: Bearer {x['bearer']}"),
        entry(2, seconds=2, textPayload=f"token rejected: {x['jwt']}", jsonPayload=None),
        entry(3, httpRequest={"requestMethod": "GET", "status": 200, "remoteIp": x["ipv4_remote"],
                              "requestUrl": f"https://maps.example/api?key={x['google_key']}&q=1",
                              "userAgent": "curl/8.0"}),
        entry(4, message=f"clients configured with {x['openai_key']}, {x['github_token']} and {x['google_key']}"),
        entry(5, message=f"boto session {x['aws_key']}; "
                         f"GET /v1/data?api_key={x['api_key_param']}&key={x['key_param']}"),
        entry(6, message=f"connecting to postgres://app_user:{x['url_password']}@db.internal:5432/app"),
        entry(7, jsonPayload={"message": "config loaded", "password": x["password_field"],
                              "settings": {"db": {"client_secret": "s3cr3t-value-zz"}}}),
        entry(8, message=f"peer {x['ipv4']} and {x['ipv6']} disconnected"),
        entry(9, protoPayload={"@type": "type.googleapis.com/google.cloud.audit.AuditLog",
                               "methodName": "google.cloud.run.v1.Services.ReplaceService",
                               "authenticationInfo": {"principalEmail": x["principal"]}}, jsonPayload=None),
    ]


def users() -> list[dict]:
    """Users named in structured fields, in text, truncated, and in connection ids."""
    items = []
    n = 100
    for user, times in ((GOOGLE_A, 7), (GOOGLE_B, 4), (TWINS[0], 3), (TWINS[1], 2), (E2E, 3), (STAGING, 5)):
        for _ in range(times):
            n += 1
            items.append(entry(n, user=user, message=f"Request req_{n:012x} completed for user {user} in {n}ms"))
    items += [
        entry(200, message=f"Resource limit exceeded for user {GOOGLE_A[:8]}... (20/20 managers)"),
        entry(201, message=f"HARD LIMIT: User {GOOGLE_A[:8]}... still over limit after cleanup (20/20)"),
        entry(202, message=f"Resource limit exceeded for user {TWINS[0][:8]}... (20/20 managers)"),
        entry(203, message=f"WebSocket connection accepted: ws_{GOOGLE_B[:8]}_1757373397_aca2f891 for user {GOOGLE_B}"),
        entry(204, message=f"Message routing failed for ws_{GOOGLE_B[:8]}_1757373397_aca2f891, error_count: 1"),
        entry(205, message=f"WebSocket connection accepted: ws_{STAGING[:8]}_1757379499_3cc2e04e for user {STAGING}"),
        entry(206, message=f"WebSocket error: Invalid user_id format: {E2E}"),
        entry(210, message=f"WebSocket error: Invalid user_id format: {GOOGLE_B}"),
        entry(207, message="THREAD CREATION: Creating missing thread record for user system", user="system"),
        entry(208, jsonPayload={"message": "profile read", "user": {"id": GOOGLE_B, "plan": "pro"}}),
        entry(209, labels={"instanceId": "00f1ce00", "user_id": GOOGLE_A}),
    ]
    return items


def _text(path) -> str:
    return gzip.decompress(path.read_bytes()).decode()


def test_every_planted_secret_is_gone_from_the_written_sample(tmp_path):
    items = planted() + users()
    sample = triage.save_sample(items, tmp_path / "s.jsonl.gz", key=KEY, note="ticket 42")
    text = _text(sample)
    sidecar = (tmp_path / "s.meta.json").read_text()
    for kind, secret in SECRETS.items():
        assert secret not in text, kind
        assert secret not in sidecar, kind
    for user in (GOOGLE_A, GOOGLE_B, *TWINS, E2E, STAGING, GOOGLE_A[:8], GOOGLE_B[:8], STAGING[:8]):
        assert user not in text, user
    # The kind of leak stays visible, the secret does not.
    assert "api?key=AXxa" in text and "Bearer " in text and "sk-proj-" in text and "ghp_" in text
    assert KEY not in sidecar
    meta = orjson.loads(sidecar)
    assert meta["redaction"]["applied"] is True and meta["redaction"]["key_id"] == Key(KEY.encode(), "").id
    assert meta["redaction"]["key_source"] == "argument"
    for rule in ("email", "bearer_token", "jwt", "google_api_key", "openai_key", "github_token", "aws_access_key",
                 "secret_param", "url_password", "ipv4", "ipv6", "secret_field", "user_field", "user_id"):
        assert rule in meta["redaction"]["rules"]
        assert meta["redaction"]["replacements"].get(rule, 0) > 0, rule
    assert meta["note"] == "ticket 42" and meta["count"] == len(items)


def test_redaction_keeps_what_is_not_secret(tmp_path):
    items = planted()
    redacted, _ = redact_entries(items, key=KEY)
    for before, after in zip(items, redacted):
        for field in ("timestamp", "insertId", "severity", "logName", "resource"):
            assert after[field] == before[field]
    assert redacted[6]["jsonPayload"]["message"].startswith("connecting to postgres://")
    assert redacted[6]["jsonPayload"]["message"].endswith("@db.internal:5432/app")
    assert redacted[3]["httpRequest"]["userAgent"] == "curl/8.0"
    assert redacted[3]["httpRequest"]["requestUrl"].endswith("&q=1")
    assert redacted[7]["jsonPayload"]["settings"]["db"]["client_secret"] != "s3cr3t-value-zz"
    assert items[7]["jsonPayload"]["password"] == SECRETS["password_field"]  # the input is not modified
    remote = redacted[3]["httpRequest"]["remoteIp"]
    assert re.fullmatch(r"\d{3}\.\d{2}\.\d{3}\.\d{2}", remote)  # still an address, same layout
    assert remote != SECRETS["ipv4_remote"]


def test_user_pseudonyms_are_stable_consistent_and_keep_prefixes():
    items = users()
    redacted, report = redact_entries(items, key=KEY)
    p = Pseudonymizer(Key(KEY.encode(), "").pseudonyms)  # the sub-key derived for pseudonyms
    a, b = p.token(GOOGLE_A), p.token(GOOGLE_B)
    assert len(a) == 21 and a.isdigit() and a[0] != "0"
    messages = [(e.get("jsonPayload") or {}).get("message", "") for e in redacted]
    by_insert = {e["insertId"]: m for e, m in zip(redacted, messages)}
    # Structured and in text, the same pseudonym.
    first = next(e for e in redacted if e["jsonPayload"].get("user_id") == a)
    assert f"for user {a} in" in first["jsonPayload"]["message"]
    # Truncated prefixes become the prefix of the full pseudonym: still resolvable, still unique...
    assert by_insert["id0000200"].startswith(f"Resource limit exceeded for user {a[:8]}... ")
    assert by_insert["id0000201"] == f"HARD LIMIT: User {a[:8]}... still over limit after cleanup (20/20)"
    # ...and an ambiguous prefix stays ambiguous.
    twins = [p.token(t) for t in TWINS]
    assert twins[0][:8] == twins[1][:8] and twins[0] != twins[1]
    assert f"for user {twins[0][:8]}... " in by_insert["id0000202"]
    # Connection ids carry the user's prefix; the rest of the id is kept so accept and error lines still match.
    assert f"ws_{b[:8]}_1757373397_aca2f891 for user {b}" in by_insert["id0000203"]
    assert f"ws_{b[:8]}_1757373397_aca2f891," in by_insert["id0000204"]
    staging = p.token(STAGING)
    assert staging[7] == "-" and f"ws_{staging[:8]}_1757379499_3cc2e04e for user {staging}" in by_insert["id0000205"]
    assert by_insert["id0000206"] == f"WebSocket error: Invalid user_id format: {p.token(E2E)}"
    assert "for user system" in by_insert["id0000207"] and redacted[-3]["jsonPayload"]["user_id"] == "system"
    assert redacted[-2]["jsonPayload"]["user"] == {"id": b, "plan": "pro"}
    assert redacted[-1]["labels"]["user_id"] == a
    assert report["users"] == 6
    # Stable: the same key gives the same result, another key another one.
    assert redact_entries(items, key=KEY)[0] == redacted
    assert redact_entries(items, key=OTHER_KEY)[0] != redacted


def test_the_key_comes_from_the_argument_the_environment_or_the_users_own_file(monkeypatch, tmp_path):
    one = [entry(0, user=GOOGLE_A)]
    monkeypatch.delenv(ENV_KEY, raising=False)
    monkeypatch.delenv(LEGACY_ENV_KEY, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    first, own = redact_entries(one, project="demo")
    assert own["key_source"] == "user key file" and user_key_path().is_relative_to(tmp_path)
    assert (user_key_path().stat().st_mode & 0o777) == 0o600
    # Reused: the same user's samples share pseudonyms; another user (config folder) gets others.
    assert redact_entries(one)[0] == first
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "other-user"))
    assert redact_entries(one)[0] != first
    monkeypatch.setenv(ENV_KEY, OTHER_KEY)
    _, env = redact_entries(one, project="demo")
    assert env["key_source"] == "environment" and env["key_id"] == Key(OTHER_KEY.encode(), "").id
    assert redact_entries(one, key=KEY)[1]["key_source"] == "argument"


def _invariants(original: pd.DataFrame, redacted: pd.DataFrame) -> None:
    """Per-user counts and signature → count are the same before and after redaction."""
    a, b = triage.add_signatures(original), triage.add_signatures(redacted)
    assert a[s.SIGNATURE].value_counts().to_dict() == b[s.SIGNATURE].value_counts().to_dict()
    assert sorted(Counter(a[s.USER_ID].dropna()).values()) == sorted(Counter(b[s.USER_ID].dropna()).values())
    assert a[s.USER_ID].notna().sum() == b[s.USER_ID].notna().sum() > 0
    pairs = pd.DataFrame({"before": a[s.USER_ID].to_numpy(), "after": b[s.USER_ID].to_numpy()}).dropna()
    assert pairs.groupby("before")["after"].nunique().max() == 1  # stable
    assert pairs.groupby("after")["before"].nunique().max() == 1  # one-to-one
    ua, ub = triage.add_users(a), triage.add_users(b)
    assert sorted(Counter(ua[s.USER].dropna()).values()) == sorted(Counter(ub[s.USER].dropna()).values())
    assert (ua[s.USER].isna().to_numpy() == ub[s.USER].isna().to_numpy()).all()


def test_per_user_counts_and_signatures_survive_redaction(tmp_path):
    items = users()
    original = triage.load(triage.save_sample(items, tmp_path / "raw.jsonl.gz", redact=False))
    redacted = triage.load(triage.save_sample(items, tmp_path / "red.jsonl.gz"))
    assert len(original) == len(redacted) == len(items)
    _invariants(original, redacted)


def test_only_templates_that_contain_a_secret_change(tmp_path):
    # A template that keeps a secret literally cannot keep its signature once the secret is gone;
    # every other template must be untouched.
    items = planted() + users()
    a = triage.add_signatures(triage.load(triage.save_sample(items, tmp_path / "raw.jsonl.gz", redact=False)))
    b = triage.add_signatures(triage.load(triage.save_sample(items, tmp_path / "red.jsonl.gz")))
    changed = a[s.TEMPLATE].to_numpy() != b[s.TEMPLATE].to_numpy()
    assert changed.any()
    for template in a.loc[changed, s.TEMPLATE]:
        assert any(part in template for secret in SECRETS.values() for part in re.split(r"[:.]", secret)
                   if len(part) >= 3), template


@pytest.fixture(scope="module")
def incident_redacted(tmp_path_factory, incident_frame_cached):
    path = tmp_path_factory.mktemp("incident") / "incident.jsonl.gz"
    triage.save_sample(incident_frame_cached, path, project="netra-staging")
    return path


def test_the_bundled_incident_keeps_its_users_and_signatures(incident_frame_cached, incident_redacted):
    redacted = triage.load(incident_redacted)
    assert len(redacted) == len(incident_frame_cached)
    _invariants(incident_frame_cached, redacted)
    text = _text(incident_redacted)
    for secret in ("105945141827451681156", "10594514...", "ws_10146348_", "e2e-staging_pipeline",
                   "alice.smith48@example.com", "169.254.169.24:0"):
        assert secret not in text

_ID_TEXT = st.text(alphabet="0123456789abcdefxyzABCDEFXYZ-_.@:", min_size=1, max_size=30)


@settings(max_examples=200, deadline=None)
@given(_ID_TEXT, _ID_TEXT)
def test_pseudonyms_keep_shape_and_prefixes_and_never_collide(one, two):
    p = Pseudonymizer(b"property")
    a, b = p.token(one), p.token(two)
    assert len(a) == len(one)
    for before, after in zip(one, a):
        for cls in ("0123456789", "abcdef", "ghijklmnopqrstuvwxyz", "ABCDEF", "GHIJKLMNOPQRSTUVWXYZ"):
            assert (before in cls) == (after in cls)
        if not before.isalnum():
            assert after == before
    assert a.startswith(p.token(one[: len(one) // 2]))  # prefix-preserving
    assert (a == b) == (one == two)  # one-to-one
    assert (one[0] == "0") == (a[0] == "0")  # a leading zero stays, others stay non-zero
    changeable = [i for i, ch in enumerate(one) if ch.isalnum() and not (i == 0 and ch == "0")]
    assert all(a[i] != one[i] for i in changeable)  # never itself: every letter and digit it may change, changes
