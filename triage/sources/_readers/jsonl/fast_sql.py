"""The LogEntry field rules of :func:`._fields.extract` as one DuckDB query over lines of JSON (a sqlglot tree).

DuckDB parses each line once (``json_transform``, on all cores) into the keys the rules read, each leaf as
JSON so that its type shows in its first character. The query mirrors the rules for the common shapes
only, and marks ``slow`` every row whose result it cannot promise to equal Python's: a key read as text
holding another type, a container that is not an object (or holds no key we know), a rule the SQL does not
carry (``protoPayload``, bare records, payloads without ``message``, fallback keys, ``serviceContext``,
Python-logging locations, API response pages), and JSON that yyjson accepts but orjson refuses (``NaN``,
``Infinity``, trailing commas). Slow rows go through :func:`._fields.extract`, so the frame is the same
either way (``tests/sources/test_fast_path.py``). Known differences: of an object's repeated keys yyjson
keeps the first value and orjson the last (JSON leaves it undefined); and yyjson reads ``nan``/``inf`` in any
case, of which only ``NaN`` and ``Infinity`` are looked for (a case-blind search costs more than the rest of
the checks together), so such a literal in a key the rules do not read lets a line orjson refuses load.

Keys and their order come from :mod:`triage.sources.entry_spec` (never a copy); the builders both SQL forms
share from :mod:`triage.sources.entry_sql`. The query is built in layers, each a subquery adding columns.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlglot import exp

from triage import schema as s
from triage.sources import entry_spec as e
from triage.sources._frame.fields import EXTRACTED, TEXT_COLUMN
from triage.sources.entry_sql import case, first_present, nonempty, present, request_line_parts, string

__all__ = ["COLUMNS", "P", "query"]

#: orjson's nesting limit (its loads refuses deeper JSON).
_ORJSON_DEPTH = 1024
P = (e.JSON_PAYLOAD,)
_PAGE = "page"
_FALSE, _TRUE = exp.false(), exp.true()


def _split_case_twins(structure: dict, path: tuple[str, ...] = ()) -> tuple[dict, list[tuple[str, ...]]]:
    """DuckDB struct fields ignore case: of keys differing only in case ("stackTrace", "stacktrace") the first
    stays in the structure; the paths of the others are returned, to be found as text (their rows go to
    Python)."""
    kept: dict = {}
    seen: set[str] = set()
    twins: list[tuple[str, ...]] = []
    for key, value in structure.items():
        if key.lower() in seen:
            twins.append((*path, key))
            continue
        seen.add(key.lower())
        if isinstance(value, dict):
            value, inner = _split_case_twins(value, (*path, key))
            twins += inner
        kept[key] = value
    return kept, twins


def _leaf_map(keys: Iterable[str], kind: str = "JSON") -> dict:
    return {key: kind for key in dict.fromkeys(keys)}


_PY_LOCATION_KEYS = sorted({k for keys in e.PY_LOCATION_KEYS.values() for k in keys} | {e.CALLER_KEY})
_SERVICE_CONTEXT = (e.SERVICE_CONTEXT_SERVICE, e.SERVICE_CONTEXT_VERSION)
_HTTP_LEAVES = (e.HTTP_METHOD, e.HTTP_URL, e.HTTP_STATUS, e.HTTP_LATENCY)

#: What json_transform extracts: every key the rules read, as JSON leaves (objects as structs), so that a
#: leaf's type is known from its first character.
STRUCTURE, CASE_TWINS = _split_case_twins({
    **_leaf_map((*e.TIMESTAMP_KEYS, e.SEVERITY, e.TEXT_PAYLOAD, e.PROTO_PAYLOAD, e.LOG_NAME, e.INSERT_ID, e.TRACE,
                 e.SPAN_ID, e.PAGE_KEY)),
    e.JSON_PAYLOAD: {
        **_leaf_map((*e.MESSAGE_KEYS[:1], *e.TRACEBACK_KEYS, *e.LOGGER_KEYS, *e.USER_KEYS, e.PAYLOAD_TRACE_KEY,
                     e.PAYLOAD_SPAN_KEY, *_PY_LOCATION_KEYS)),
        e.PAYLOAD_LOCATION_KEY: _leaf_map(e.LOCATION_LEAVES),
        e.SERVICE_CONTEXT: _leaf_map(_SERVICE_CONTEXT),
    },
    e.RESOURCE: {e.RESOURCE_TYPE[1]: "JSON",
                 e.LABELS: _leaf_map((*e.RESOURCE_SERVICE_KEYS, *e.RESOURCE_REVISION_KEYS, *e.RESOURCE_INSTANCE_KEYS))},
    e.LABELS: _leaf_map((*e.INSTANCE_LABEL_KEYS, *e.LABEL_SERVICE_KEYS, *e.LABEL_LOGGER_KEYS, *e.LABEL_USER_KEYS)),
    e.HTTP_REQUEST: _leaf_map(_HTTP_LEAVES),
    e.SOURCE_LOCATION: _leaf_map(e.LOCATION_LEAVES),
})

#: The output columns besides ``rn`` and ``slow``, in :data:`._fields.EXTRACTED` order (``page``: the line is
#: an API response page, read by Python).
COLUMNS = (*EXTRACTED, _PAGE)


# --- small builders (DuckDB functions sqlglot writes as they are) ----------------------------------------

def _fn(name: str, *args: exp.Expr) -> exp.Expr:
    return exp.func(name, *args, dialect="duckdb")


def _col(name: str) -> exp.Column:
    return exp.column(name)


def _num(value: int) -> exp.Expr:
    return exp.Literal.number(value)


def _any(terms: Iterable[exp.Expr]) -> exp.Expr:
    terms = list(terms)
    return exp.or_(*terms) if terms else _FALSE


def _all(terms: Iterable[exp.Expr]) -> exp.Expr:
    return exp.and_(*terms)


def _not_null(x: exp.Expr) -> exp.Expr:
    return exp.not_(x.is_(exp.null()))


def _is_null(x: exp.Expr) -> exp.Expr:
    return x.is_(exp.null())


def _coalesce(x: exp.Expr, default: exp.Expr) -> exp.Expr:
    return exp.Coalesce(this=x, expressions=[default])


def _unless(usual: exp.Expr, test: exp.Expr) -> exp.Expr:
    """``test`` where ``usual`` does not hold (and only there: CASE selects the rows it evaluates)."""
    return case((usual, _FALSE), default=exp.paren(test))


def _ref(*path: str) -> exp.Expr:
    """A reference into the transformed entry ``e``: e."jsonPayload"."message"."""
    return exp.Dot.build([exp.to_identifier("e"), *(exp.to_identifier(p, quoted=True) for p in path)])


def _text_of(json_text: exp.Expr) -> exp.Expr:
    return _fn("json_extract_string", json_text, string("$"))


def _try_cast(x: exp.Expr, to: str) -> exp.Expr:
    return exp.TryCast(this=x, to=exp.DataType.build(to))


class _Query:
    """Collects the layers: entry paths as flat columns, leaf columns, named steps, then the output.

    (Reading struct fields once into flat columns, and not carrying the struct or the line further, is what
    keeps the later layers cheap.)
    """

    def __init__(self) -> None:
        self.paths: dict[tuple[str, ...], str] = {}  # struct path → flat column
        self.strings: set[tuple[str, ...]] = set()  # leaves read as text
        self.line_checks: list[exp.Expr] = []
        self.steps: list[dict[str, exp.Expr]] = []

    def _node(self, path: tuple[str, ...]):
        node = STRUCTURE
        for key in path:
            node = node[key]
        return node

    def ref(self, *path: str) -> exp.Column:
        """The flat column holding ``e.path`` (JSON text of a leaf, or a struct for a container)."""
        if path not in self.paths:
            self.paths[path] = f"p{len(self.paths)}"
        return _col(self.paths[path])

    def leaf(self, *path: str) -> exp.Column:
        """The column holding the text of a key that must be a string (any other type makes the row slow)."""
        self.strings.add(path)
        return self.ref(*path)

    def known(self, path: tuple[str, ...], keys: Iterable[str]) -> list[tuple[str, ...]]:
        """Paths at ``path`` for ``keys`` in order, without case twins (their rows are slow anyway)."""
        node = self._node(path)
        return [(*path, k) for k in keys if k in node]

    def any(self, paths: Iterable[tuple[str, ...]]) -> exp.Expr:
        """Any of these keys holds a value."""
        return exp.paren(_any(_not_null(self.ref(*path)) for path in paths))

    def step(self, **columns: exp.Expr) -> None:
        self.steps.append(columns)

    def absent_container(self, *path: str) -> exp.Expr:
        """Present but holding none of the keys we read: ``{}``, a non-object, or only other keys.

        The usual key is tested first, the others only where it is missing (a CASE is evaluated for the rows
        it selects alone; an AND or OR chain is evaluated whole).
        """
        keys = [self.ref(*path, k) for k in self._node(path)]
        usual_missing = _all([_not_null(self.ref(*path)), _is_null(keys[0])])
        if len(keys) > 1:
            return case((usual_missing, _all(_is_null(k) for k in keys[1:])), default=_FALSE)
        return _coalesce(usual_missing, _FALSE)

    def sql(self, table: str, output: dict[str, exp.Expr], slow: list[exp.Expr]) -> exp.Select:
        structure = string(json.dumps(STRUCTURE))
        line = _col("line")
        parsed = exp.select(_col("rn"), line, case((_fn("starts_with", line, string("{")),
                                                    _fn("json_transform", line, structure))).as_("e")
                            ).from_(table)
        flat = [(_text_of(_ref(*path)) if path in self.strings else _ref(*path)).as_(name)
                for path, name in self.paths.items()]
        # NULL (absent) counts as text: each term must be true or false, or the row turns slow
        not_text = _coalesce(_any(exp.not_(_fn("starts_with", _ref(*path), string('"'))) for path in self.paths
                                  if path in self.strings), _FALSE)
        line_slow = _coalesce(_any(exp.paren(c) for c in [*self.line_checks, not_text]), _TRUE)
        layer = exp.select(_col("rn"), line_slow.as_("line_slow"), *flat).from_(parsed.subquery())
        for columns in self.steps:
            layer = exp.select(exp.Star(), *(x.as_(name) for name, x in columns.items())).from_(layer.subquery())
        slow_v = exp.or_(_col("line_slow"), _coalesce(_any(exp.paren(c) for c in slow), _TRUE))
        layer = exp.select(exp.Star(), slow_v.as_("slow")).from_(layer.subquery())
        # Slow rows' values are computed too (then replaced), so every cast is a TRY_CAST.
        return exp.select(_col("rn"), _col("slow"), *(x.as_(name, quoted=True) for name, x in output.items())
                          ).from_(layer.subquery())


def _int_leaf(json_text: exp.Expr) -> tuple[exp.Expr, exp.Expr]:
    """An integer leaf (a JSON number, or digits as text, as the API writes int64): (value, slow)."""
    number = exp.paren(_all([exp.In(this=_fn("json_type", json_text), expressions=[string("BIGINT"),
                                                                                  string("UBIGINT")]),
                             exp.LTE(this=exp.Length(this=json_text), expression=_num(18))]))
    text = _text_of(json_text)
    digits = exp.paren(_all([_fn("starts_with", json_text, string('"')),
                             _fn("regexp_full_match", text, string("-?[0-9]{1,18}"))]))
    value = case((number, _try_cast(json_text, "BIGINT")), (digits, _try_cast(text, "BIGINT")))
    slow = exp.paren(_all([_not_null(json_text), exp.NEQ(this=json_text, expression=string('""')),
                           exp.not_(_coalesce(exp.or_(number, digits), _FALSE))]))
    return value, slow


def _line_checks() -> list[exp.Expr]:
    """What makes a line Python's to read whatever its keys hold."""
    line = _col("line")
    strlen = lambda x: _fn("strlen", x)  # noqa: E731  (bytes: O(1) in DuckDB)
    no_brackets = exp.func("replace", exp.func("replace", line, string("["), string("")), string("{"), string(""))
    return [
        exp.not_(_fn("starts_with", line, string("{"))),
        # a twin is looked for only in the lines holding its container
        *(case((_not_null(_ref(*twin[:-1]) if len(twin) > 1 else _TRUE),
                _fn("contains", line, string(json.dumps(twin[-1])))), default=_FALSE) for twin in CASE_TWINS),
        # yyjson reads these, orjson refuses them: Python rejects the line.
        _fn("regexp_matches", line, string(r",\s*[}\]]")),
        case((exp.or_(_fn("contains", line, string("NaN")), _fn("contains", line, string("Infinity"))),
              _fn("regexp_matches", line, string(r"[:,\[]\s*-?(?:NaN|Infinity)"))), default=_FALSE),
        # orjson refuses nesting deeper than 1024 and numbers beyond a double (1e400, 400 digits); yyjson
        # reads both. Depth needs as many brackets (only long lines are counted); a large number needs an
        # exponent of 3 digits or 309 integer digits, looked for where a JSON number can start (after ":", ","
        # or "["), not in strings: hex ids ("3e4512ab...") are no number (false alarms would just go to Python).
        case((exp.GT(this=strlen(line), expression=_num(2 * _ORJSON_DEPTH)),
              exp.GT(this=exp.Sub(this=strlen(line), expression=strlen(no_brackets)), expression=_num(_ORJSON_DEPTH))),
             default=_FALSE),
        _fn("regexp_matches", line, string(r"[:,\[]\s*-?(?:[0-9][0-9.]*[eE]\+?[0-9]{3}|[0-9]{309})")),
        # an ANSI escape, written \u001b in JSON: Python removes it from the message
        case((_fn("contains", line, string(r"\u001")), _fn("regexp_matches", line, string(r"\\u001[bB]"))),
             default=_FALSE),
    ]


def _tree(table: str) -> exp.Select:
    q = _Query()
    labels, rlabels = (e.LABELS,), e.RESOURCE_LABELS
    text = q.leaf(e.TEXT_PAYLOAD)
    has_text, has_payload = exp.paren(_not_null(text)), exp.paren(_not_null(q.ref(*P)))
    q.line_checks += _line_checks()
    slow = [
        q.any([(e.PROTO_PAYLOAD,), (e.PAGE_KEY,)]),
        exp.paren(_all([exp.not_(has_text), exp.not_(has_payload), _is_null(q.ref(e.HTTP_REQUEST))])),  # bare
    ]
    # Containers Python requires to be objects; one without any key we read is left to Python too.
    slow += [q.absent_container(*path) for path in ((e.RESOURCE,), rlabels, labels, (e.HTTP_REQUEST,),
                                                    (e.SOURCE_LOCATION,), P)]

    # timestamp: `timestamp or receiveTimestamp`
    *stamps, last_stamp = (q.leaf(k) for k in e.TIMESTAMP_KEYS)
    slow.append(exp.paren(_all([*(exp.not_(present(x)) for x in stamps), _is_null(last_stamp)])))
    severity = q.leaf(e.SEVERITY)
    # no severity of its own: Python reads the level its text states (line_formats)
    stated = exp.In(this=exp.Upper(this=exp.Trim(this=_coalesce(severity, string("")))),
                    expressions=[string(""), string(s.SEVERITY_LEVELS[0])])
    slow.append(exp.paren(_all([exp.paren(exp.or_(has_text, has_payload)), stated])))

    # httpRequest
    method, url, latency = (q.leaf(e.HTTP_REQUEST, k) for k in (e.HTTP_METHOD, e.HTTP_URL, e.HTTP_LATENCY))
    status = q.ref(e.HTTP_REQUEST, e.HTTP_STATUS)
    status_ok = exp.paren(_all([exp.In(this=_fn("json_type", status), expressions=[string("BIGINT"),
                                                                                  string("UBIGINT")]),
                                exp.LTE(this=exp.Length(this=status), expression=_num(18))]))
    slow += [exp.paren(_all([_not_null(status), exp.not_(status_ok)])),
             exp.paren(_all([_not_null(latency), exp.not_(_fn("regexp_full_match", latency,
                                                                string(r"[0-9]{1,20}(\.[0-9]{1,20})?s")))]))]
    status_v = _try_cast(status, "BIGINT")

    # message: the text; the payload's `message`; the request line
    message = q.leaf(*P, e.MESSAGE_KEYS[0])
    slow.append(exp.paren(_all([exp.not_(has_text), has_payload, exp.not_(present(message))])))
    http_line = exp.Anonymous(this="concat_ws", expressions=[string(" "), *request_line_parts(
        method, url, _try_cast(status_v, "VARCHAR"))])
    # the first non-empty traceback key is appended to the payload's message, unless already in it
    q.step(tb=first_present([q.leaf(*path) for path in q.known(P, e.TRACEBACK_KEYS)]))
    tb = _col("tb")
    json_message = case((_all([_not_null(tb), exp.not_(_fn("contains", message, tb))]),
                         exp.DPipe(this=exp.DPipe(this=message, expression=_fn("chr", _num(10))), expression=tb)),
                        default=message)
    message_v = case((has_text, text), (has_payload, json_message), default=http_line)

    # resource → service and revision; the fallbacks (other resource labels, serviceContext, labels) are
    # left to Python
    rtype = q.leaf(*e.RESOURCE_TYPE)
    service, revision = q.leaf(*rlabels, e.RESOURCE_SERVICE_KEYS[0]), q.leaf(*rlabels, e.RESOURCE_REVISION_KEYS[0])
    context = q.any([(*P, e.SERVICE_CONTEXT)])
    slow += [_unless(present(service), _any([q.any(q.known(rlabels, e.RESOURCE_SERVICE_KEYS[1:])), context,
                                             q.any(q.known(labels, e.LABEL_SERVICE_KEYS))])),
             _unless(present(revision), _any([q.any(q.known(rlabels, e.RESOURCE_REVISION_KEYS[1:])), context]))]

    # instance: labels.instanceId as it is (even "")
    instance = q.leaf(*labels, e.INSTANCE_LABEL_KEYS[0])
    slow.append(_unless(_not_null(instance), q.any([*q.known(labels, e.INSTANCE_LABEL_KEYS[1:]),
                                                    *q.known(rlabels, e.RESOURCE_INSTANCE_KEYS)])))

    # logger: the payload's `logger` (even "")
    logger = q.leaf(*P, e.LOGGER_KEYS[0])
    slow.append(_unless(_not_null(logger), q.any([*q.known(P, e.LOGGER_KEYS[1:]),
                                                  *q.known(labels, e.LABEL_LOGGER_KEYS)])))

    # user: the payload's first user key
    user = q.leaf(*P, e.USER_KEYS[0])
    slow.append(_unless(present(user), q.any([*q.known(P, e.USER_KEYS[1:]), *q.known(labels, e.LABEL_USER_KEYS)])))

    # trace and span: the entry's, else the payload's special keys
    trace, span = q.leaf(e.TRACE), q.leaf(e.SPAN_ID)
    p_trace, p_span = q.leaf(*P, e.PAYLOAD_TRACE_KEY), q.leaf(*P, e.PAYLOAD_SPAN_KEY)
    use_payload = exp.paren(_all([has_payload, _is_null(trace)]))
    trace_v = case((use_payload, p_trace), default=trace)
    span_v = case((_all([use_payload, _coalesce(exp.EQ(this=span, expression=string("")), _TRUE)]), p_span),
                  default=span)

    # source location: the entry's, else the payload's; Python-logging keys are left to Python
    top, inner = (e.SOURCE_LOCATION,), (*P, e.PAYLOAD_LOCATION_KEY)
    use_inner = exp.paren(_all([_is_null(q.ref(*top)), has_payload]))
    slow.append(exp.paren(_all([use_inner, q.absent_container(*inner)])))
    has_location = exp.paren(exp.or_(_not_null(q.ref(*top)), _all([use_inner, _not_null(q.ref(*inner))])))
    slow.append(_unless(has_location, _all([has_payload, q.any(q.known(P, _PY_LOCATION_KEYS))])))
    read = {e.LOCATION_FILE: q.leaf, e.LOCATION_FUNCTION: q.leaf, e.LOCATION_LINE: q.ref}  # the line may be a number
    q.step(**{f"loc_{key}": case((use_inner, read[key](*inner, key)), default=read[key](*top, key))
              for key in e.LOCATION_LEAVES})
    line_v, line_slow = _int_leaf(_col(f"loc_{e.LOCATION_LINE}"))
    slow.append(line_slow)

    output = {
        s.TIMESTAMP: case(*((present(x), x) for x in stamps), default=last_stamp),
        s.SEVERITY: severity, s.MESSAGE: message_v, s.SERVICE: nonempty(service), s.REVISION: nonempty(revision),
        s.RESOURCE_TYPE: rtype, s.LOG_NAME: q.leaf(e.LOG_NAME), s.INSERT_ID: q.leaf(e.INSERT_ID), s.TRACE: trace_v,
        s.SPAN_ID: span_v, s.INSTANCE_ID: instance, s.LOGGER: logger, s.USER_ID: nonempty(user),
        s.HTTP_METHOD: method, s.HTTP_URL: url, s.HTTP_STATUS: status_v,
        s.HTTP_LATENCY_S: _try_cast(exp.func("rtrim", latency, string("s")), "DOUBLE"),
        s.SOURCE_FILE: _col(f"loc_{e.LOCATION_FILE}"), s.SOURCE_LINE: line_v,
        s.SOURCE_FUNCTION: _col(f"loc_{e.LOCATION_FUNCTION}"), TEXT_COLUMN: has_text, _PAGE: q.any([(e.PAGE_KEY,)]),
    }
    assert tuple(output) == COLUMNS, tuple(output)
    return q.sql(table, output, slow)


def query(table: str) -> str:
    """SELECT over ``table`` (columns ``rn`` and ``line``): ``rn``, ``slow`` and :data:`COLUMNS`, in DuckDB's SQL.

    Only the keys of the common shapes are read for their values; the other keys the rules consult (fallback
    keys, ``serviceContext``, Python-logging locations) only mark their rows slow.
    """
    return _tree(table).sql(dialect="duckdb")
