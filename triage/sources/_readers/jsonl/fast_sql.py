"""The LogEntry field rules of :func:`._fields.extract` as one DuckDB query over lines of JSON.

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

Keys and their order come from :mod:`._fields` (never a copy). The query is built in layers, each a
subquery adding columns.
"""

from __future__ import annotations

import json

from triage.sources._frame import fields as f

__all__ = ["COLUMNS", "P", "query"]

_PAYLOAD_LOCATION = f._SOURCE_LOCATION_KEY
_PAYLOAD_TRACE, _PAYLOAD_SPAN = "logging.googleapis.com/trace", "logging.googleapis.com/spanId"
_LOCATION_LEAVES = ("file", "line", "function")
#: orjson's nesting limit (its loads refuses deeper JSON).
_ORJSON_DEPTH = 1024
P = ("jsonPayload",)


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


def _leaf_map(keys, kind: str = "JSON") -> dict:
    return {key: kind for key in dict.fromkeys(keys)}


#: What json_transform extracts: every key the rules read, as JSON leaves (objects as structs), so that a
#: leaf's type is known from its first character.
STRUCTURE, CASE_TWINS = _split_case_twins({
    **_leaf_map(("timestamp", "receiveTimestamp", "severity", "textPayload", "protoPayload", "logName",
                 "insertId", "trace", "spanId", "entries")),
    "jsonPayload": {
        **_leaf_map((*f._MESSAGE_KEYS[:1], *f._TRACEBACK_KEYS, *f._LOGGER_KEYS, *f._USER_KEYS, _PAYLOAD_TRACE,
                     _PAYLOAD_SPAN, *sorted(f._PY_LOCATION_KEYSET))),
        _PAYLOAD_LOCATION: _leaf_map(_LOCATION_LEAVES),
        "serviceContext": _leaf_map(("service", "version")),
    },
    "resource": {"type": "JSON", "labels": _leaf_map((*f._RESOURCE_SERVICE_KEYS, *f._RESOURCE_REVISION_KEYS,
                                                           "instance_id", "pod_name"))},
    "labels": _leaf_map((*f._INSTANCE_LABEL_KEYS, "service", "service_name", "k8s-pod/app", *f._LABEL_LOGGER_KEYS,
                         *f._LABEL_USER_KEYS)),
    "httpRequest": _leaf_map(("requestMethod", "requestUrl", "status", "latency")),
    "sourceLocation": _leaf_map(_LOCATION_LEAVES),
})

#: The output columns besides ``rn`` and ``slow``, in :data:`._fields.EXTRACTED` order (``page``: the line is
#: an API response page, read by Python).
COLUMNS = (*f.EXTRACTED, "page")


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ref(*path: str) -> str:
    """A reference into the transformed entry ``e``: e."jsonPayload"."message"."""
    return ".".join(["e", *('"' + p.replace('"', '""') + '"' for p in path)])


class _Query:
    """Collects the layers: entry paths as flat columns, leaf columns, named steps, then the output.

    (Reading struct fields once into flat columns, and not carrying the struct or the line further, is what
    keeps the later layers cheap.)
    """

    def __init__(self) -> None:
        self.paths: dict[tuple[str, ...], str] = {}  # struct path → flat column
        self.strings: set[tuple[str, ...]] = set()  # leaves read as text
        self.line_checks: list[str] = []
        self.steps: list[list[str]] = []

    def _node(self, path: tuple[str, ...]):
        node = STRUCTURE
        for key in path:
            node = node[key]
        return node

    def ref(self, *path: str) -> str:
        """The flat column holding ``e.path`` (JSON text of a leaf, or a struct for a container)."""
        if path not in self.paths:
            self.paths[path] = f"p{len(self.paths)}"
        return self.paths[path]

    def leaf(self, *path: str) -> str:
        """The column holding the text of a key that must be a string (any other type makes the row slow)."""
        self.strings.add(path)
        return self.ref(*path)

    def known(self, path: tuple[str, ...], keys) -> list[tuple[str, ...]]:
        """Paths at ``path`` for ``keys`` in order, without case twins (their rows are slow anyway)."""
        node = self._node(path)
        return [(*path, k) for k in keys if k in node]

    def any(self, paths) -> str:
        """Any of these keys holds a value."""
        return "(" + " OR ".join(f"{self.ref(*path)} IS NOT NULL" for path in paths) + ")"

    def step(self, **columns: str) -> None:
        self.steps.append([f"{expr} AS {name}" for name, expr in columns.items()])

    def absent_container(self, *path: str) -> str:
        """Present but holding none of the keys we read: ``{}``, a non-object, or only other keys.

        The usual key is tested first, the others only where it is missing (a CASE is evaluated for the rows
        it selects alone; an AND or OR chain is evaluated whole).
        """
        keys = [self.ref(*path, k) for k in self._node(path)]
        return (f"CASE WHEN {self.ref(*path)} IS NOT NULL AND {keys[0]} IS NULL "
                f"THEN " + " AND ".join(f"{k} IS NULL" for k in keys[1:]) + " ELSE false END") if len(keys) > 1 \
            else f"coalesce({self.ref(*path)} IS NOT NULL AND {keys[0]} IS NULL, false)"

    def sql(self, table: str, output: dict[str, str], slow: list[str]) -> str:
        structure = _q(json.dumps(STRUCTURE))
        sql = (f"SELECT rn, line, CASE WHEN starts_with(line, '{{') THEN json_transform(line, {structure}) END AS e "
               f"FROM {table}")
        flat = [f"json_extract_string({_ref(*path)}, '$') AS {name}" if path in self.strings
                else f"{_ref(*path)} AS {name}" for path, name in self.paths.items()]
        # NULL (absent) counts as text: each term must be true or false, or the row turns slow
        not_text = "coalesce(" + " OR ".join(f"NOT starts_with({_ref(*path)}, '\"')" for path in self.paths
                                             if path in self.strings) + ", false)"
        line_slow = "coalesce(" + " OR ".join(f"({c})" for c in [*self.line_checks, not_text]) + ", true)"
        sql = f"SELECT rn, {line_slow} AS line_slow,\n  " + ",\n  ".join(flat) + f"\nFROM ({sql})"
        for columns in self.steps:
            sql = "SELECT *,\n  " + ",\n  ".join(columns) + f"\nFROM ({sql})"
        sql = ("SELECT *, line_slow OR coalesce(" + "\n  OR ".join(f"({c})" for c in slow)
               + f", true) AS slow FROM ({sql})")
        # Slow rows' values are computed too (then replaced), so every cast is a TRY_CAST.
        return "SELECT rn, slow,\n  " + ",\n  ".join(f"{expr} AS \"{name}\"" for name, expr in output.items()) \
            + f"\nFROM ({sql})"


def _unless(usual: str, test: str) -> str:
    """``test`` where ``usual`` does not hold (and only there: CASE selects the rows it evaluates)."""
    return f"CASE WHEN {usual} THEN false ELSE ({test}) END"


def _present(x: str) -> str:
    """Python's ``value is not None and value != ""``."""
    return f"coalesce({x} <> '', false)"


def _int_leaf(json_text: str) -> tuple[str, str]:
    """An integer leaf (a JSON number, or digits as text, as the API writes int64): (value, slow)."""
    number = f"(json_type({json_text}) IN ('BIGINT', 'UBIGINT') AND length({json_text}) <= 18)"
    text = f"json_extract_string({json_text}, '$')"
    digits = f"(starts_with({json_text}, '\"') AND regexp_full_match({text}, '-?[0-9]{{1,18}}'))"
    value = f"CASE WHEN {number} THEN TRY_CAST({json_text} AS BIGINT) WHEN {digits} THEN TRY_CAST({text} AS BIGINT) END"
    slow = f"({json_text} IS NOT NULL AND {json_text} <> '\"\"' AND NOT coalesce({number} OR {digits}, false))"
    return value, slow


def _url_path(url: str) -> str:
    """:func:`._fields.url_path`: drop scheme and host (up to the first "/" after "://"), query and fragment."""
    no_host = f"CASE WHEN contains({url}, '://') THEN regexp_replace({url}, '^(?s:.*?)://[^/]*', '') ELSE {url} END"
    return f"coalesce(nullif(regexp_replace({no_host}, '[?#](?s:.*)$', ''), ''), '/')"


def query(table: str) -> str:
    """SELECT over ``table`` (columns ``rn`` and ``line``): ``rn``, ``slow`` and :data:`COLUMNS`.

    Only the keys of the common shapes are read for their values; the other keys the rules consult (fallback
    keys, ``serviceContext``, Python-logging locations) only mark their rows slow.
    """
    q = _Query()
    labels, rlabels = ("labels",), ("resource", "labels")
    text = q.leaf("textPayload")
    has_text, has_payload = f"({text} IS NOT NULL)", f"({q.ref(*P)} IS NOT NULL)"
    q.line_checks += [
        "NOT starts_with(line, '{')",
        # a twin is looked for only in the lines holding its container
        *(f"CASE WHEN {_ref(*twin[:-1]) if len(twin) > 1 else 'true'} IS NOT NULL "
          f"THEN contains(line, {_q(json.dumps(twin[-1]))}) ELSE false END" for twin in CASE_TWINS),
        # yyjson reads these, orjson refuses them: Python rejects the line.
        r"regexp_matches(line, ',\s*[}\]]')",
        r"CASE WHEN contains(line, 'NaN') OR contains(line, 'Infinity') "
        r"THEN regexp_matches(line, '[:,\[]\s*-?(?:NaN|Infinity)') ELSE false END",
        # orjson refuses nesting deeper than 1024 and numbers beyond a double (1e400, 400 digits); yyjson
        # reads both. Depth needs as many brackets (only long lines are counted); a large number needs an
        # exponent of 3 digits or 309 digits in a row (looked for only where a digit is followed by e/E or
        # digits run long; false alarms just go to Python).
        f"CASE WHEN strlen(line) > {2 * _ORJSON_DEPTH} "
        f"THEN strlen(line) - strlen(replace(replace(line, '[', ''), '{{', '')) > {_ORJSON_DEPTH} ELSE false END",
        r"regexp_matches(line, '[0-9.][eE]\+?[0-9]{3}|[0-9]{309}')",
        # an ANSI escape, written \u001b in JSON: Python removes it from the message
        r"CASE WHEN contains(line, '\u001') THEN regexp_matches(line, '\\u001[bB]') ELSE false END",
    ]
    slow = [
        q.any([("protoPayload",), ("entries",)]),
        f"(NOT {has_text} AND NOT {has_payload} AND {q.ref('httpRequest')} IS NULL)",  # bare records
    ]
    # Containers Python requires to be objects; one without any key we read is left to Python too.
    slow += [q.absent_container(*path) for path in (("resource",), rlabels, labels, ("httpRequest",),
                                                    ("sourceLocation",), P)]

    # timestamp: `timestamp or receiveTimestamp`
    ts, rts = q.leaf("timestamp"), q.leaf("receiveTimestamp")
    slow.append(f"(NOT {_present(ts)} AND {rts} IS NULL)")
    severity = q.leaf("severity")
    # no severity of its own: Python reads the level its text states (line_formats)
    slow.append(f"(({has_text} OR {has_payload}) AND upper(trim(coalesce({severity}, ''))) IN ('', 'DEFAULT'))")

    # httpRequest
    method, url, latency = (q.leaf("httpRequest", k) for k in ("requestMethod", "requestUrl", "latency"))
    status = q.ref("httpRequest", "status")
    status_ok = f"(json_type({status}) IN ('BIGINT', 'UBIGINT') AND length({status}) <= 18)"
    slow += [f"({status} IS NOT NULL AND NOT {status_ok})",
             f"({latency} IS NOT NULL AND NOT regexp_full_match({latency}, '[0-9]{{1,20}}(\\.[0-9]{{1,20}})?s'))"]
    status_v = f"TRY_CAST({status} AS BIGINT)"

    # message: the text; the payload's `message`; the request line
    message = q.leaf(*P, "message")
    slow.append(f"(NOT {has_text} AND {has_payload} AND NOT {_present(message)})")
    http_line = (f"concat_ws(' ', nullif({method}, ''), CASE WHEN nullif({url}, '') IS NOT NULL "
                 f"THEN {_url_path(url)} END, TRY_CAST({status_v} AS VARCHAR))")
    # the first non-empty traceback key is appended to the payload's message, unless already in it
    tracebacks = [q.leaf(*path) for path in q.known(P, f._TRACEBACK_KEYS)]
    q.step(tb="CASE " + " ".join(f"WHEN {_present(x)} THEN {x}" for x in tracebacks) + " END")
    json_message = (f"CASE WHEN tb IS NOT NULL AND NOT contains({message}, tb) THEN {message} || chr(10) || tb "
                    f"ELSE {message} END")
    message_v = f"CASE WHEN {has_text} THEN {text} WHEN {has_payload} THEN {json_message} ELSE {http_line} END"

    # resource → service and revision; the fallbacks (other resource labels, serviceContext, labels) are
    # left to Python
    rtype, service, revision = (q.leaf("resource", "type"), q.leaf(*rlabels, "service_name"),
                                q.leaf(*rlabels, "revision_name"))
    context = q.any([(*P, "serviceContext")])
    slow += [_unless(_present(service), f"{q.any(q.known(rlabels, f._RESOURCE_SERVICE_KEYS[1:]))} OR {context} "
                                        f"OR {q.any(q.known(labels, ('service', 'service_name', 'k8s-pod/app')))}"),
             _unless(_present(revision), f"{q.any(q.known(rlabels, f._RESOURCE_REVISION_KEYS[1:]))} OR {context}")]

    # instance: labels.instanceId as it is (even "")
    instance = q.leaf(*labels, "instanceId")
    slow.append(_unless(f"{instance} IS NOT NULL",
                        q.any([*q.known(labels, f._INSTANCE_LABEL_KEYS[1:]),
                               *q.known(rlabels, ("instance_id", "pod_name"))])))

    # logger: the payload's `logger` (even "")
    logger = q.leaf(*P, "logger")
    slow.append(_unless(f"{logger} IS NOT NULL",
                        q.any([*q.known(P, f._LOGGER_KEYS[1:]), *q.known(labels, f._LABEL_LOGGER_KEYS)])))

    # user: the payload's user_id
    user = q.leaf(*P, "user_id")
    slow.append(_unless(_present(user), q.any([*q.known(P, f._USER_KEYS[1:]), *q.known(labels, f._LABEL_USER_KEYS)])))

    # trace and span: the entry's, else the payload's special keys
    trace, span = q.leaf("trace"), q.leaf("spanId")
    p_trace, p_span = q.leaf(*P, _PAYLOAD_TRACE), q.leaf(*P, _PAYLOAD_SPAN)
    use_payload = f"({has_payload} AND {trace} IS NULL)"
    trace_v = f"CASE WHEN {use_payload} THEN {p_trace} ELSE {trace} END"
    span_v = f"CASE WHEN {use_payload} AND coalesce({span} = '', true) THEN {p_span} ELSE {span} END"

    # source location: the entry's, else the payload's; Python-logging keys are left to Python
    top, inner = ("sourceLocation",), (*P, _PAYLOAD_LOCATION)
    use_inner = f"({q.ref(*top)} IS NULL AND {has_payload})"
    slow.append(f"({use_inner} AND {q.absent_container(*inner)})")
    has_location = f"({q.ref(*top)} IS NOT NULL OR {use_inner} AND {q.ref(*inner)} IS NOT NULL)"
    slow.append(_unless(has_location, f"{has_payload} AND {q.any(q.known(P, sorted(f._PY_LOCATION_KEYSET)))}"))
    read = {"file": q.leaf, "function": q.leaf, "line": q.ref}  # the line may be a number
    q.step(**{f"loc_{key}": f"CASE WHEN {use_inner} THEN {read[key](*inner, key)} ELSE {read[key](*top, key)} END"
              for key in _LOCATION_LEAVES})
    line_v, line_slow = _int_leaf("loc_line")
    slow.append(line_slow)

    log_name, insert_id = q.leaf("logName"), q.leaf("insertId")
    output = {
        "timestamp": f"CASE WHEN {_present(ts)} THEN {ts} ELSE {rts} END",
        "severity": severity, "message": message_v, "service": f"nullif({service}, '')",
        "revision": f"nullif({revision}, '')", "resource_type": rtype, "log_name": log_name,
        "insert_id": insert_id, "trace": trace_v, "span_id": span_v, "instance_id": instance,
        "logger": logger, "user_id": f"nullif({user}, '')",
        "http_method": method, "http_url": url, "http_status": status_v,
        "http_latency_s": f"TRY_CAST(rtrim({latency}, 's') AS DOUBLE)",
        "source_file": "loc_file", "source_line": line_v, "source_function": "loc_function",
        f.TEXT_PAYLOAD: has_text, "page": q.any([("entries",)]),
    }
    assert tuple(output) == COLUMNS, tuple(output)
    return q.sql(table, output, slow)
