"""Over-splits seen on real logs (issue 17): values of variable length, few-value words, request parts."""

from __future__ import annotations

import pandas as pd

import triage
from triage import schema as s


def signatures(messages: list[str]) -> int:
    return triage.templates(messages)[s.SIGNATURE].nunique()


# SQL text is one value, whatever its length
def test_sql_after_a_key_that_names_it_is_one_value():
    lines = ["[812] app@orders LOG:  duration: 4.1 ms  statement: select * from carts where id = 4;",
             "[812] app@orders LOG:  duration: 0.7 ms  statement: UPDATE carts SET total = 3 WHERE id = 9",
             "[812] app@orders LOG:  duration: 12.9 ms  statement: insert into carts(id, total)\n  values (5, 0);",
             "MySQL slow log query=DELETE FROM sessions WHERE expires < now()"]
    out = triage.templates(lines)
    assert out[s.SIGNATURE].iloc[:3].nunique() == 1
    assert out[s.TEMPLATE].iloc[0] == "[<num>] app@orders LOG: duration: <num> ms statement: <sql>"
    frame = triage.add_signatures(pd.DataFrame({s.MESSAGE: lines}))
    assert triage.params_of(frame).iloc[1][-1] == "UPDATE carts SET total = 3 WHERE id = 9"


def test_bare_upper_case_sql_is_a_value_but_sql_words_in_prose_are_not():
    lines = ['Order Load (0.4ms)  SELECT "orders".* FROM "orders" WHERE "orders"."id" = 7',
             'Order Load (1.2ms)  SELECT "orders".* FROM "orders" ORDER BY "created_at" DESC LIMIT 20']
    assert signatures(lines) == 1
    prose = ["Failed to update profile for user 5", "Failed to delete from cache key 9"]
    assert triage.templates(prose)[s.TEMPLATE].tolist() == ["Failed to update profile for user <num>",
                                                            "Failed to delete from cache key <num>"]


# few-value words: enum constants after key= are values once many are seen, not while few are
def test_many_enum_values_of_one_key_are_one_statement():
    kinds = ["A", "AAAA", "CNAME", "SRV", "PTR"]
    lines = [f"resolver answered kind={k} rcode=NOERROR for api.internal" for k in kinds]
    assert signatures(lines) == 1
    assert signatures(["touch phase=ACTION_DOWN x=3", "touch phase=ACTION_UP x=9"]) == 2
    # without a key= before them, enum constants stay words of the statement
    assert signatures([f"resolver answered {k} for api.internal" for k in kinds]) == len(kinds)


def test_units_that_vary_after_a_value_join_its_wildcard():
    lines = ["worker 3 => generated 412 bytes in 85 msecs", "worker 1 => generated 90 bytes in 640 micros",
             "worker 2 => generated 77 bytes in 12 msecs"]
    out = triage.templates(lines)
    assert out[s.SIGNATURE].nunique() == 1
    assert out[s.TEMPLATE].iloc[0] == "worker <num> => generated <size> in <*>"
    assert triage.params_of(pd.DataFrame({s.MESSAGE: lines})).iloc[1][-1] == "640 micros"
    # a unit every message shares stays a word of the statement
    assert set(triage.templates(["retry in 30 seconds", "retry in 5 seconds"])[s.TEMPLATE]) == {
        "retry in <num> seconds"}


def test_a_route_or_file_inside_an_error_line_is_a_value():
    lines = [f'open() "/srv/www{p}" failed (2: No such file), request: "GET {p} HTTP/1.1"'
             for p in ("/robots.txt", "/wp-login", "/admin")]
    assert signatures(lines) == 1


def test_a_version_is_one_value():
    out = triage.templates(["agent 2.14.1 started", "agent v3.0.12 started", "agent 10.2.0.4471 started"])
    assert out[s.SIGNATURE].nunique() == 1 and out[s.TEMPLATE].iloc[0] == "agent <version> started"


# request lines: one signature per method + route + status, whatever the query's values
def test_query_string_values_do_not_split_a_route():
    lines = ["GET /search?q=red+shoes&page=2 200 41ms", "GET /search?q=tent&page=7 200 12ms",
             "GET /search?q=tent&page=7 500 3ms"]
    out = triage.templates(lines)
    assert out[s.TEMPLATE].iloc[0] == "GET /search?q=<*>&page=<*> 200 <duration>"
    assert out[s.SIGNATURE].iloc[0] == out[s.SIGNATURE].iloc[1] != out[s.SIGNATURE].iloc[2]


def test_an_error_line_quoting_a_file_is_not_a_request_line_whatever_its_length():
    lines = [f'open() "/var/www{p}" failed (2: No such file), request: "GET {p} HTTP/1.1"'
             for p in ("/a", "/robots.txt", "/wp-admin/setup-config.php", "/b")]
    assert signatures(lines) == 1
