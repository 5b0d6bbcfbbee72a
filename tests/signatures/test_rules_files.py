"""Rules files that are hostile or malformed: every error is a RulesError naming the file and the rule."""

from __future__ import annotations

import pandas as pd
import pytest

import triage
from triage import schema as s
from triage.signatures import Rule, Rules, RulesError, _rules


def test_a_yaml_alias_bomb_is_refused_before_it_expands(tmp_path):
    path = tmp_path / "rules.yaml"
    lines = ['a: &a ["xxxxxxxx"]'] + [f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]"
                                      for p, c in zip("abcdefgh", "bcdefghi")]
    path.write_text("\n".join(lines) + "\nrules:\n  - {action: split, name: *i, message: x}\n")
    assert path.stat().st_size < 1000
    with pytest.raises(RulesError, match="rules.yaml.*(alias|anchor)"):
        Rules.load(path)


@pytest.mark.parametrize("pattern", [r"(?=a)b", r"(?<!x)y", r"(a)\1", r"(?P<n>a)(?P=n)"])
def test_patterns_re2_cannot_run_fail_when_the_file_is_read(tmp_path, pattern):
    path = tmp_path / "triage-rules.toml"
    path.write_text(f'[[rule]]\naction = "split"\nname = "bad one"\nmessage = {_rules._toml_string(pattern)}\n')
    with pytest.raises(RulesError, match=r"triage-rules.toml: rule 1: rule 'bad one', field 'message'.*RE2"):
        Rules.load(path)


def test_matching_is_linear_on_a_pattern_that_backtracks_in_python(tmp_path):
    # (a+)+$ takes exponential time in a backtracking engine on "aaaa...b"; RE2 answers at once.
    rules = Rules((Rule("split", "redos", message=(r"^(a+)+$",)),))
    frame = pd.DataFrame({s.MESSAGE: ["a" * 40 + "b", "a" * 10]})
    out = triage.add_signatures(frame, rules=rules)
    assert out[s.TEMPLATE].tolist()[1] == "redos" and out[s.TEMPLATE].tolist()[0] != "redos"


@pytest.mark.parametrize("text, message", [
    ("rules: 5\n", "must be a list"),
    ("- a\n- b\n", "at the top"),
    ("rules:\n  - just a string\n", "rule 1: a rule must be a table"),
    ("rules:\n  - {action: split, name: 7, message: x}\n", "rule 1: .*must be strings"),
    ("rules:\n  - {action: split, name: ok, message: {a: 1}}\n", "rule 1: rule 'ok': field 'message'"),
    ("rules:\n  - {action: split, name: ok, message: x}\n  - {action: fold, name: two, message: x}\n",
     "rule 2: rule 'two': action"),
    ("rules: [\n", "not a readable rules file"),
])
def test_malformed_yaml_files_name_file_and_rule(tmp_path, text, message):
    path = tmp_path / "team.yaml"
    path.write_text(text)
    with pytest.raises(RulesError, match=f"team.yaml: .*{message}"):
        Rules.load(path)


def test_malformed_toml_and_binary_files(tmp_path):
    path = tmp_path / "team.toml"
    path.write_text('rule = "x"\n')
    with pytest.raises(RulesError, match="team.toml: 'rule'/'rules' must be a list"):
        Rules.load(path)
    path.write_bytes(b"\xff\xfe[[rule]]")
    with pytest.raises(RulesError, match="team.toml: not a readable rules file"):
        Rules.load(path)


def test_a_missing_file_is_an_error_and_a_huge_one_is_refused(tmp_path, monkeypatch):
    with pytest.raises(RulesError, match="no such rules file"):
        triage.add_signatures(pd.DataFrame({s.MESSAGE: ["x"]}), rules=tmp_path / "absent.toml")
    path = tmp_path / "big.toml"
    path.write_text("# " + "x" * 200 + "\n")
    monkeypatch.setattr(_rules, "MAX_RULES_BYTES", 100)
    with pytest.raises(RulesError, match="big.toml: .*more than a rules file may hold"):
        Rules.load(path)


def test_appending_to_a_new_yaml_file_still_works(tmp_path):
    path = tmp_path / "new.yaml"
    triage.signatures.add_split_rule(path, "first", "x")
    assert [r.name for r in Rules.load(path).rules] == ["first"]
