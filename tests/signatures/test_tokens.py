"""The fast paths of ``_tokens`` against a plain scanner (the reference they replaced), on hostile text."""

import hashlib
import re
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from triage.signatures._rules import rule_signature
from triage.signatures._signature import SIGNATURE_VERSION
from triage.signatures._tokens import normalize, scan, split

_PIECES = st.sampled_from(["<", ">", "num", "*", "<num>", "<*>", "a", "Z", "1", " ", "  ", "\t", "\n", "\xa0",
                           "\u2028", "=", ",", ":", "(", "]", '"', "'", "|", ".", "\x1b", "-", "<ip>", "<x", "y>"])


@settings(max_examples=3000, deadline=None)
@given(st.lists(_PIECES, max_size=14).map("".join))
def test_split_matches_the_reference_scanner(text):
    assert split(text) == scan(text)


@settings(max_examples=1000, deadline=None)
@given(st.lists(_PIECES, max_size=14).map("".join))
def test_normalize_collapses_whitespace_as_the_regex_did(text):
    assert normalize(text, runs=False) == re.sub(r"\s+", " ", text).strip().rstrip(".").rstrip()


def test_str_split_whitespace_is_regex_whitespace():
    # normalize relies on it; and split's fast path on every other whitespace being unprintable.
    spaces = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    assert spaces == [chr(c) for c in range(sys.maxunicode + 1) if re.fullmatch(r"\s", chr(c))]
    assert not any(c.isprintable() for c in spaces if c != " ")


def test_rule_ids_unchanged_by_the_shared_digest():
    text = f"{SIGNATURE_VERSION}\x1frule\x1fnoisy-health-check"
    assert rule_signature("noisy-health-check") == hashlib.blake2b(text.encode(), digest_size=6).hexdigest()
