"""The exported surface: what README.md documents is what ``triage`` exports, and its errors share one base."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import triage
from triage.errors import TriageError

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_exported_name_resolves_and_is_documented():
    for name in triage.__all__:
        assert getattr(triage, name) is not None
        if not name.startswith("__"):
            documented = re.search(rf"`(?:triage\.)?{re.escape(name)}\b", README)
            assert documented, f"{name} is exported but README.md never names it"


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        triage.nothing_here  # noqa: B018


@pytest.mark.parametrize("error", [
    "triage.LoadError", "triage.CloudLoggingError", "triage.signatures._rules.RulesError",
    "triage.remote._bigquery.BytesLimitExceeded", "triage.postmortem._export.ChromiumMissing",
])
def test_every_error_triage_raises_on_purpose_is_a_triage_error(error):
    import importlib

    module, _, name = error.rpartition(".")
    cls = getattr(importlib.import_module(module), name)
    assert issubclass(cls, TriageError)


def test_a_load_error_is_caught_as_a_triage_error(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(TriageError, match=r"bad\.jsonl"):
        triage.load(bad)


def test_the_package_says_it_is_typed():
    assert (Path(triage.__file__).parent / "py.typed").is_file()
