"""The masking table compiled to SQL gives what the Python masking gives, in DuckDB and in GoogleSQL."""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
import sqlglot
from sqlglot import exp

import triage
from triage import schema as s
from triage.remote import _compile, _keys
from triage.remote._dialects import render
from triage.signatures._masking import Mask, mask

SAMPLES = [
    "Connection from 10.0.0.7:8080 closed after 7.51s",
    "Thread ID mismatch: run_id contains 'websocket_factory_1757413642203'",
    "user 105945141827451681156 id=7de5b0ec at 2025-09-09T01:33:32.726Z from https://x.run.app/a?b=1",
    "Job 6f1b2c3d-1111-2222-3333-444455556666 took 12ms; mail ops@example.com; mac 00:1a:2b:3c:4d:5e",
    'quotes \' and " and backslash \\ and dollar $1 and tab\tand µs 5µs',
    "",
]


def _duckdb_values(expr: exp.Expression, messages: list[str], dialect: str) -> list[str]:
    """Evaluate ``expr`` over a ``message`` column in DuckDB, from SQL written in ``dialect``."""
    text = render(exp.select(expr.as_("out")).from_("t"), dialect)
    if dialect == "bigquery":  # GoogleSQL → DuckDB, as the fake BigQuery server runs it
        text = sqlglot.transpile(text, read="bigquery", write="duckdb")[0]
    con = duckdb.connect()
    con.register("t", pa.table({"message": pa.array(messages, pa.large_string())}))
    return [row[0] for row in con.execute(text).fetchall()]


@pytest.fixture(scope="module")
def messages(incident_frame_cached: pd.DataFrame) -> list[str]:
    distinct = incident_frame_cached[s.MESSAGE].dropna().drop_duplicates()
    return SAMPLES + distinct.sample(min(3000, len(distinct)), random_state=0).tolist()


@pytest.mark.parametrize("dialect", ["duckdb", "bigquery"])
def test_masking_chain_equals_python(messages: list[str], dialect: str) -> None:
    got = _duckdb_values(_compile.mask(exp.column("message")), messages, dialect)
    expected = [mask(m) for m in messages]
    assert got == expected


def test_duckdb_replaces_every_match_and_bigquery_sql_is_global() -> None:
    expr = _compile.mask(exp.column("message"), (Mask("num", r"\b\d+\b", "<num>"),))
    assert "'g'" in render(expr, "duckdb") and "'g'" not in render(expr, "bigquery")
    assert _duckdb_values(expr, ["1 and 2 and 3"], "duckdb") == ["<num> and <num> and <num>"]


@pytest.mark.parametrize("dialect", ["duckdb", "bigquery"])
def test_replacement_escaping_in_one_place(dialect: str) -> None:
    """A two-row table whose replacements hold a group, a backslash and a dollar sign."""
    rules = (Mask("pair", r"(\w+)=(\d+)", r"\2:\g<1>"), Mask("cost", r"\$\d+", r"\\$<money>"))
    expr = _compile.mask(exp.column("message"), rules)
    import re

    messages = ["a=1 b=22 costs $5", "x\\y=3"]
    expected = []
    for m in messages:
        for rule in rules:
            m = re.sub(rule.pattern, rule.replacement, m)
        expected.append(m)
    assert expected == ["1:a 22:b costs \\$<money>", "x\\3:y"]
    assert _duckdb_values(expr, messages, dialect) == expected


def test_rewrite_rejects_named_groups() -> None:
    with pytest.raises(ValueError, match="named group"):
        _compile.rewrite(r"\g<name>")


def test_keys_are_as_fine_as_the_pipeline(messages: list[str]) -> None:
    """Messages sharing a pushed-down key share a final template, and one message per key gives each key
    the template it has among all messages (the generaliser sees the same set of masked templates)."""
    column = exp.column("message")
    kinds = _duckdb_values(_keys.kind(column), messages, "duckdb")
    con = duckdb.connect()
    con.register("t", pa.table({"message": pa.array(messages, pa.large_string()), "kind": pa.array(kinds)}))
    key_sql = render(exp.select(_keys.key(column, exp.column("kind")).as_("key")).from_("t"), "duckdb")
    keys = [row[0] for row in con.execute(key_sql).fetchall()]
    frame = pd.DataFrame({"kind": kinds, "key": keys, "message": messages})
    frame["template"] = triage.templates(frame["message"])["template"].to_numpy()
    assert set(kinds) == {"P", "R", "T"}
    assert frame.groupby(["kind", "key"])["template"].nunique().max() == 1
    firsts = frame.drop_duplicates(["kind", "key"])
    again = triage.templates(firsts["message"].reset_index(drop=True))["template"].to_numpy()
    assert (again == firsts["template"].to_numpy()).all()
    assert len(firsts) < len(frame)  # the key does group
