"""String options of the public API are typing.Literal types from triage.options (what mypy checks), and the run
time refuses any other value by naming the same choices."""

from __future__ import annotations

import typing

import pytest

import triage
import triage.plot
import triage.remote
from triage import options

# (function, parameter, its Literal in triage.options)
TYPED = [
    (triage.load, "errors", options.ErrorsMode),
    (triage.load, "format", options.LoadFormat),
    (triage.read_cloud_logging, "errors", options.ErrorsMode),
    (triage.read_cloud_logging, "order", options.CloudOrder),
    (triage.replay, "errors", options.ErrorsMode),
    (triage.export, "formats", options.ExportFormat),
    (triage.report, "formats", options.ExportFormat),
    (triage.plot.users, "kind", options.UsersKind),
    (triage.remote.summarize_remote, "engine", options.Engine),
    (triage.remote.sql, "target", options.Engine),
]


def _literals(hint) -> set:
    """Every Literal value inside a hint (through Optional, Iterable[...], unions)."""
    if typing.get_origin(hint) is typing.Literal:
        return set(typing.get_args(hint))
    return set().union(*(_literals(arg) for arg in typing.get_args(hint))) if typing.get_args(hint) else set()


@pytest.mark.parametrize("function, name, literal", TYPED, ids=[f"{f.__name__}-{n}" for f, n, _ in TYPED])
def test_the_option_is_typed_by_its_literal(function, name, literal):
    hint = typing.get_type_hints(function)[name]
    assert _literals(hint) == set(typing.get_args(literal))


@pytest.mark.parametrize("call, choices", [
    (lambda path: triage.load(path, errors="ignore"), options.ERRORS_MODES),
    (lambda path: triage.load(path, format="xml"), options.LOAD_FORMATS),
    (lambda path: triage.plot.users(triage.load(path), kind="pie"), options.USERS_KINDS),
    (lambda path: triage.export(triage.plot.frequency(triage.load(path)), path.with_suffix(".bmp")),
     options.EXPORT_FORMATS),
], ids=["load-errors", "load-format", "users-kind", "export-format"])
def test_another_value_is_refused_naming_the_choices(tmp_path, call, choices):
    path = tmp_path / "x.jsonl"
    path.write_text('{"timestamp": "2025-01-01T00:00:00Z", "severity": "ERROR", "textPayload": "boom"}\n')
    with pytest.raises(ValueError) as caught:
        call(path)
    assert all(str(choice) in str(caught.value) for choice in choices)


def test_evidence_kinds_are_the_literal():
    from triage.notebook._worksheet_parts import Evidence

    assert typing.get_type_hints(Evidence)["kind"] == options.EvidenceKind
    with pytest.raises(ValueError, match="evidence kind must be one of"):
        Evidence("hunch", "x")  # type: ignore[arg-type]


def test_the_command_line_offers_the_same_choices():
    from typer.testing import CliRunner

    from triage.cli import app

    result = CliRunner().invoke(app, ["summary", "nothing.jsonl", "--errors", "ignore"])
    assert result.exit_code == 2 and all(m in result.output for m in options.ERRORS_MODES)
