"""Redaction covers the secret kinds of issue 16, item 3, in text, in fields named for them, and in the sidecar."""

from __future__ import annotations

import gzip

import orjson
import pytest

import triage
from tests.support.entries import KEY
from triage.sources._samples.redact import redact_entries

TS = "2025-09-09T00:00:00Z"
PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----"
IN_TEXT = [
    ("pem", f"loaded {PEM} ok", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7"),
    ("stripe", "charge with sk_live_51HqLyjWDarjtT1zdp7dc failed", "51HqLyjWDarjtT1zdp7dc"),
    ("stripe restricted", "rk_live_51HqLyjWDarjtT1zdp7dcXY in use", "51HqLyjWDarjtT1zdp7dcXY"),
    ("aws secret", "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG"),
    ("aws secret spaced", "AWS secret: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG"),
    ("gocspx", "client secret GOCSPX-1mVwFTjGIXgs2BC2uHzksQi0HAK", "1mVwFTjGIXgs2BC2uHzksQi0HAK"),
    ("password spaced", "db password = Tr0ub4dor&3x", "Tr0ub4dor"),
    ("password quoted", 'config password="correct horse battery" loaded', "horse battery"),
    ("pass", "GET /login?user=x&pass=hunter2hunter2", "hunter2hunter2"),
    ("cookie", "Cookie: sid=9f8e7d6c5b4a; theme=dark", "9f8e7d6c5b4a"),
    ("set-cookie", "Set-Cookie: sid=9f8e7d6c5b4a; HttpOnly", "9f8e7d6c5b4a"),
    ("card", "charged 4539578763621486 ok", "4539578763621486"),
    ("card grouped", "charged 4539 5787 6362 1486 ok", "4539 5787 6362"),
    ("ssn", "verified ssn 123-45-6789", "123-45-6789"),
    ("phone", "sms to +44 20 7946 0958 failed", "7946 0958"),
    ("phone us", "call (415) 555-2671 back", "555-2671"),
]
FIELDS = ["X-Api-Key", "X-Session-Token", "stripe_secret", "signing_key", "card_number", "phone", "db_password"]


@pytest.mark.parametrize("kind, text, secret", IN_TEXT, ids=[k for k, _, _ in IN_TEXT])
def test_each_kind_is_removed_from_text(kind, text, secret):
    out, _ = redact_entries([{"timestamp": TS, "textPayload": text},
                             {"timestamp": TS, "jsonPayload": {"message": text}}], key=KEY)
    assert secret not in orjson.dumps(out).decode()


def test_a_card_like_number_that_fails_luhn_is_kept():
    out, _ = redact_entries([{"timestamp": TS, "textPayload": "order 4539578763621487 shipped"}], key=KEY)
    assert "4539578763621487" in out[0]["textPayload"]


@pytest.mark.parametrize("name", FIELDS)
def test_fields_named_for_a_secret_are_masked(name):
    out, _ = redact_entries([{"timestamp": TS, "jsonPayload": {"message": "m", "headers": {name: "v4lu3-s3cr3t-99"}}}],
                            key=KEY)
    assert "v4lu3-s3cr3t-99" not in orjson.dumps(out).decode()


def test_the_sidecar_is_redacted_too(tmp_path):
    sample = triage.save_sample([{"timestamp": TS, "textPayload": "hi"}], tmp_path / "x.jsonl.gz", key=KEY,
                                query='jsonPayload.email="bob@corp.example" AND httpRequest.remoteIp="203.0.113.9"',
                                note="repro: password=hunter2hunter2 as bob@corp.example")
    sidecar = (tmp_path / "x.meta.json").read_text()
    for secret in ("bob@corp.example", "203.0.113.9", "hunter2hunter2"):
        assert secret not in sidecar
    assert "hi" in gzip.decompress(sample.read_bytes()).decode()
