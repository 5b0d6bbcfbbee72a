"""The LogEntry spec (:mod:`triage.sources.entry_spec`) is the one home of its keys: every key of every rule is
read by the three implementations (the Python rules, the fast path's DuckDB query, the remote SQL), a key
added to a table is read by all three without another edit, and no implementation holds a key literal."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import NamedTuple

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
IMPLEMENTATIONS = ("triage/sources/_frame/fields.py", "triage/sources/_readers/jsonl/fast_sql.py",
                   "triage/remote/_extract.py")
_T0 = datetime(2025, 9, 9, tzinfo=timezone.utc)


class Case(NamedTuple):
    column: str
    path: tuple[str, ...]
    entry: dict
    expected: object
    bare: bool


def _stamp(i: int) -> str:
    return (_T0 + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _set(entry: dict, path: tuple[str, ...], value) -> None:
    for key in path[:-1]:
        entry = entry.setdefault(key, {})
    entry[path[-1]] = value


def cases(spec) -> list[Case]:
    """One entry per key of every rule: that key holds a value, the rule's earlier keys are absent, and its object
    holds a key of another column too (so that no reader can leave the object to a fallback as one it does not
    know)."""
    from triage import schema as s

    values = {s.SEVERITY: ("WARNING", "WARNING"), s.HTTP_STATUS: (503, 503), s.HTTP_LATENCY_S: ("0.25s", 0.25),
              s.SOURCE_LINE: (42, 42)}
    payloads = (spec.JSON_PAYLOAD, spec.PROTO_PAYLOAD, spec.HTTP_REQUEST)
    out: list[Case] = []

    def add(column: str, at: tuple[str, ...], key: str, value, expected, *, bare: bool = False,
            extra: dict | None = None) -> None:
        i = len(out)
        entry: dict = {} if column == s.TIMESTAMP else {spec.TIMESTAMP: _stamp(i)}
        if column != s.SEVERITY:
            entry[spec.SEVERITY] = "ERROR"
        if bare:
            entry[spec.MESSAGE_KEYS[0]] = "m"
        elif not (at[:1] and at[0] in payloads) and (*at, key) != (spec.TEXT_PAYLOAD,):
            entry[spec.TEXT_PAYLOAD] = "x"
        filler = next(((other, keys.keys[0]) for other, rule in spec.RULES.items() if other != column and at
                       for keys in rule.sources if keys.at == at and not keys.bare), None)
        if filler and not bare:
            other, filler_key = filler
            _set(entry, (*at, filler_key), values.get(other, ("f",))[0])
        for path, v in (extra or {}).items():
            _set(entry, path, v)
        if column == s.TIMESTAMP:
            value, expected = _stamp(i), pd.Timestamp(_stamp(i))
        _set(entry, (*at, key), value)
        out.append(Case(column, (*at, key), entry, expected, bare))

    for column, rule in spec.RULES.items():
        for source in rule.sources:
            for key in source.keys:
                value, expected = values.get(column, (f"v-{key}",) * 2)
                add(column, source.at, key, value, expected, bare=source.bare)
        for source in rule.append:
            for key in source.keys:
                add(column, source.at, key, f"tb-{key}", f"m\ntb-{key}",
                    extra={(*source.at, spec.MESSAGE_KEYS[0]): "m"})
    for key in spec.USER_OBJECT_KEYS:  # {"user_id": {"id": ...}}
        add(s.USER_ID, (spec.JSON_PAYLOAD, spec.USER_KEYS[0]), key, f"v-{key}", f"v-{key}")
    add(s.SOURCE_FILE, (spec.JSON_PAYLOAD,), spec.CALLER_KEY, "dir/f.go:7", "dir/f.go")  # zap's caller
    return out


def _load(path: Path, *, fast: bool) -> pd.DataFrame:
    import triage
    from triage.sources._readers import binary as _read
    from triage.sources._readers.jsonl import reader as _jsonl

    before = _jsonl.FAST_MIN_BYTES, _read.BLOCK_BYTES
    _jsonl.FAST_MIN_BYTES, _read.BLOCK_BYTES = (0 if fast else 1 << 62), 1 << 12
    try:
        return triage.load(path, format="jsonl")
    finally:
        _jsonl.FAST_MIN_BYTES, _read.BLOCK_BYTES = before


def _remote_rows(path: Path, spec) -> pd.DataFrame:
    """The remote SQL's extracted columns of each entry, in file order."""
    import duckdb

    from triage.remote._dialects import render
    from triage.remote._extract import ENTRY_KEYS, entries_fields

    fields = entries_fields("src")
    columns = "{" + ", ".join(f"'{k}': 'JSON'" for k in ENTRY_KEYS) + "}"
    sql = f"SELECT * FROM read_json('{path}', format = 'newline_delimited', columns = {columns}) AS src"
    for step in fields.steps:
        extra = ", ".join(f'{render(x, "duckdb")} AS "{name}"' for name, x in step.items())
        sql = f"SELECT *, {extra} FROM ({sql}) AS src"
    out = ", ".join(f'{render(x, "duckdb")} AS "{name}"' for name, x in fields.columns().items())
    with duckdb.connect() as con:
        return con.sql(f"SELECT {out}, {render(fields.valid, 'duckdb')} AS valid FROM ({sql}) AS src").df()


def check(spec, folder: Path) -> list[str]:
    """What the three implementations fail to read, one line per key (empty: all read every key)."""
    from triage import schema as s
    from triage.remote._extract import SEV, T_NS

    found = cases(spec)
    path = folder / "spec.jsonl"
    path.write_text("".join(json.dumps(case.entry) + "\n" for case in found))
    problems = []
    python, fast = _load(path, fast=False), _load(path, fast=True)
    if len(python) != len(found):
        return [f"Python loaded {len(python)} of {len(found)} entries"]
    try:
        pd.testing.assert_frame_equal(fast, python)
    except AssertionError as exc:
        problems.append(f"fast path differs from the line-by-line reader: {exc}")
    remote = _remote_rows(path, spec)
    levels = list(s.SEVERITY_LEVELS)
    remote_columns = {s.TIMESTAMP: (T_NS, lambda v: v.value), s.SEVERITY: (SEV, levels.index)}
    for i, case in enumerate(found):
        got = python[case.column].iloc[i]
        if got != case.expected:
            problems.append(f"Python: {'.'.join(case.path)} -> {case.column} = {got!r}, not {case.expected!r}")
        name, convert = remote_columns.get(case.column, (case.column, lambda v: v))
        if case.bare or name not in remote.columns:  # remote reads no bare records; computes fewer columns
            continue
        if not remote["valid"].iloc[i] or remote[name].iloc[i] != convert(case.expected):
            problems.append(f"remote: {'.'.join(case.path)} -> {name} = {remote[name].iloc[i]!r}")
    return problems


# --- the tests ----------------------------------------------------------------------------------------

def test_every_key_of_every_rule_is_read_by_all_three(tmp_path):
    from triage.sources import entry_spec

    assert len(cases(entry_spec)) > 100
    assert check(entry_spec, tmp_path) == []


def _tables(spec) -> list[str]:
    """The spec's key tables the rules read (by name)."""
    read = [keys.keys for rule in spec.RULES.values() for keys in (*rule.sources, *rule.append)]
    names = [name for name in spec.__all__ if name.endswith("_KEYS") and isinstance(getattr(spec, name), tuple)
             and any(getattr(spec, name) is table for table in read)]
    return [*names, "USER_OBJECT_KEYS"]


def test_a_key_added_to_a_spec_table_is_read_by_all_three(tmp_path):
    """A copy of the package whose spec has one more key in every table (and nothing else changed)."""
    from triage.sources import entry_spec

    copy = tmp_path / "pkg"
    shutil.copytree(ROOT / "triage", copy / "triage", ignore=shutil.ignore_patterns("__pycache__"))
    spec_file = copy / "triage" / "sources" / "entry_spec.py"
    lines = spec_file.read_text().splitlines()
    added = {name: f"{name} = (*{name}, 'zz-{name.lower()}')" for name in _tables(entry_spec)}
    added["PY_LOCATION_KEYS"] = "PY_LOCATION_KEYS = {k: (*v, f'zz-py-{k}') for k, v in PY_LOCATION_KEYS.items()}"
    ends = {node.targets[0].id: node.end_lineno for node in ast.parse("\n".join(lines)).body
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)}
    for name in sorted(added, key=ends.__getitem__, reverse=True):  # right after the table, as if written there
        lines.insert(ends[name], added[name])
    spec_file.write_text("\n".join(lines) + "\n")
    script = (
        "import json, sys; from pathlib import Path; sys.path.insert(1, sys.argv[1]); import test_entry_spec as t; "
        "from triage.sources import entry_spec as spec; "
        "print(json.dumps([len([c for c in t.cases(spec) if 'zz-' in c.path[-1]]), t.check(spec, Path(sys.argv[2]))]))"
    )
    env = {**os.environ, "PYTHONPATH": str(copy)}
    done = subprocess.run([sys.executable, "-c", script, str(Path(__file__).parent), str(tmp_path)],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    new_keys, problems = json.loads(done.stdout.strip().splitlines()[-1])
    assert new_keys >= len(added)
    assert problems == []


def _constants(source: str) -> list[tuple[int, str]]:
    """String constants of a module that are not docstrings, with their line numbers."""
    tree = ast.parse(source)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def _spec_keys(spec) -> set[str]:
    keys: set[str] = set()
    for name in spec.__all__:
        value = getattr(spec, name)
        if name in ("NODE_LEVELS", "RULES", "COLUMN_PATHS") or callable(value):
            continue  # level names, rules built of the tables below, column names
        values = value.values() if isinstance(value, dict) else [value]
        for item in values:
            keys.update(item if isinstance(item, tuple) else [item] if isinstance(item, str) else [])
    return keys


#: Texts of an implementation that equal a key but name something else.
_NOT_KEYS = {
    "triage/sources/_readers/jsonl/fast_sql.py": {"line"},  # the input table's column of JSON text
    "triage/remote/_extract.py": {"entries"},  # the shape name of a LogEntry export
}


def test_no_implementation_holds_a_key_of_the_spec():
    from triage.sources import entry_spec

    keys = _spec_keys(entry_spec)
    assert {"k8s-pod/app", "pod_name", "methodName", "@type", "message", "instanceId"} <= keys
    found = []
    for module in IMPLEMENTATIONS:
        for line, text in _constants((ROOT / module).read_text()):
            parts = text.split(".")
            if text in _NOT_KEYS.get(module, ()):
                continue
            if text in keys or (len(parts) > 1 and all(p in keys for p in parts)):
                found.append(f"{module}:{line}: {text!r}")
    assert found == []


def test_the_grep_finds_a_copied_key(tmp_path):
    """The check above sees a literal key table, a dotted path and a single key."""
    from triage.sources import entry_spec

    keys = _spec_keys(entry_spec)
    source = 'LABELS = ("service", "service_name", "k8s-pod/app")\nx = get("httpRequest.status")\ny = d["pod_name"]\n'
    hits = [text for _, text in _constants(source)
            if text in keys or all(p in keys for p in text.split("."))]
    assert hits == ["service", "service_name", "k8s-pod/app", "httpRequest.status", "pod_name"]


URLS = ["https://svc.run.app/api/x?token=s3cret", "/ws#top", "https://h", "a?b://c/d", "", "?x", "//h/x",
        "http://h/a\nb?c", "x://", "a://b://c/d", "/p?q#f", "/naïve/é?x", "HTTPS://H.example/Up/Per"]


def test_the_shared_url_path_is_the_python_rule():
    """The one SQL builder both SQL forms use, rendered for DuckDB, against the Python rule."""
    import duckdb
    from sqlglot import exp

    from triage.sources._frame.fields import url_path
    from triage.sources.entry_sql import url_path as sql_url_path

    sql = sql_url_path(exp.column("u")).sql("duckdb")
    with duckdb.connect() as con:
        got = [con.execute(f"SELECT {sql} FROM (SELECT ?::VARCHAR AS u)", [url]).fetchall()[0][0] for url in URLS]
    assert got == [url_path(url) for url in URLS]
