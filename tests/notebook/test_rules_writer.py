"""The explorer's merge/split rules: a new rule is validated (RE2 patterns, a well-formed name, real signatures, the
file it joins) before anything is written, so a bad rule leaves the team's rules file byte for byte as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage.notebook._rules import RulesWriter
from triage.signatures import Rules, RulesError, add_merge_rule, add_split_rule
from triage.signatures._rules import MAX_RULES_BYTES

GOOD_SIGNATURES = ["3f2a9c0d1e4b", "00000000a001"]

# (what is wrong, the call that adds the rule)
BAD_RULES = [
    ("merge pattern RE2 cannot run", lambda p: add_merge_rule(p, "redis", ["3f2a9c0d1e4b", r"(?=a)b"])),
    ("merge pattern with a backreference", lambda p: add_merge_rule(p, "redis", [r"(a)\1"])),
    ("signature in capitals", lambda p: add_merge_rule(p, "redis", ["3F2A9C0D1E4B", "00000000a001"])),
    ("empty item", lambda p: add_merge_rule(p, "redis", ["3f2a9c0d1e4b", ""])),
    ("item not a string", lambda p: add_merge_rule(p, "redis", ["3f2a9c0d1e4b", 42])),
    ("nothing to merge", lambda p: add_merge_rule(p, "redis", [])),
    ("empty name", lambda p: add_merge_rule(p, "", GOOD_SIGNATURES)),
    ("name of two lines", lambda p: add_merge_rule(p, "redis\n[[rule]]", GOOD_SIGNATURES)),
    ("name with surrounding spaces", lambda p: add_merge_rule(p, " redis ", GOOD_SIGNATURES)),
    ("name with a bidi override", lambda p: add_merge_rule(p, "redis \u202eevil", GOOD_SIGNATURES)),
    ("name with a NUL", lambda p: add_split_rule(p, "e2e\x00", "e2e-")),
    ("split pattern with lookbehind", lambda p: add_split_rule(p, "e2e", r"(?<!x)e2e")),
    ("split pattern not a string", lambda p: add_split_rule(p, "e2e", 7)),
    ("split condition RE2 cannot run", lambda p: add_split_rule(p, "e2e", "e2e-", service=r"(?=api)")),
    ("unknown condition", lambda p: add_split_rule(p, "e2e", "e2e-", user="bob")),
    ("explorer merge, bad name", lambda p: RulesWriter(p).merge("a\rb", GOOD_SIGNATURES)),
    ("explorer split, bad pattern", lambda p: RulesWriter(p).split("e2e", r"(?P<n>a)(?P=n)")),
]


@pytest.fixture(params=["triage-rules.toml", "team.yaml"])
def rules_file(request, tmp_path) -> Path:
    """A team's rules file (TOML or YAML) holding one good rule."""
    path = tmp_path / request.param
    add_split_rule(path, "first", "x")
    return path


@pytest.mark.parametrize("what, add", BAD_RULES, ids=[b[0] for b in BAD_RULES])
def test_a_bad_rule_leaves_the_file_byte_for_byte_unchanged(rules_file, what, add):
    before = rules_file.read_bytes()
    with pytest.raises(RulesError):
        add(rules_file)
    assert rules_file.read_bytes() == before
    assert [r.name for r in Rules.load(rules_file).rules] == ["first"]


@pytest.mark.parametrize("what, add", BAD_RULES[:4], ids=[b[0] for b in BAD_RULES[:4]])
def test_a_bad_first_rule_creates_no_file(tmp_path, what, add):
    path = tmp_path / "triage-rules.toml"
    with pytest.raises(RulesError):
        add(path)
    assert not path.exists()


@pytest.mark.parametrize("name, text", [
    ("broken.toml", b'[[rule]]\naction = "split"\nname = "half\n'),
    ("broken.toml", b'[[rule]]\naction = "split"\nname = "ok"\nmessage = "(?=a)b"\n'),
    ("broken.yaml", b"rules:\n  - {action: split, name: &a x, message: *a}\n"),
])
def test_a_good_rule_is_not_appended_to_a_file_that_does_not_read(tmp_path, name, text):
    path = tmp_path / name
    path.write_bytes(text)
    with pytest.raises(RulesError, match=name):
        add_merge_rule(path, "redis", GOOD_SIGNATURES)
    assert path.read_bytes() == text


def test_a_rule_that_would_pass_the_size_limit_is_not_written(tmp_path):
    path = tmp_path / "triage-rules.toml"
    path.write_text("# " + "x" * (MAX_RULES_BYTES - 40) + "\n")
    before = path.read_bytes()
    assert len(Rules.load(path).rules) == 0
    with pytest.raises(RulesError, match="more than"):
        add_merge_rule(path, "redis with a long enough name", GOOD_SIGNATURES)
    assert path.read_bytes() == before


def test_good_rules_are_still_appended(rules_file):
    add_merge_rule(rules_file, "redis", [*GOOD_SIGNATURES, "Redis ping test failed"])
    RulesWriter(rules_file).split("e2e user [e2e-x]", r"user\s+e2e\-x")
    rules = Rules.load(rules_file).rules
    assert [(r.action, r.name) for r in rules] == [("split", "first"), ("merge", "redis"),
                                                   ("split", "e2e user [e2e-x]")]
    assert rules[1].signatures == tuple(GOOD_SIGNATURES) and rules[1].message == ("Redis ping test failed",)
