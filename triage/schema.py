"""The log frame's schema: every column name and dtype, in one place.

Every stage (sources → frame → signatures → analysis → charts/report/widgets)
refers to columns through the constants here, never through string literals,
so a rename happens once.

>>> import triage.schema as s
>>> frame = s.empty_frame()
>>> list(frame.columns) == list(s.FRAME_DTYPES)
True
>>> s.to_severity(["warn", "ERROR", 500, None]).tolist()
['WARNING', 'ERROR', 'ERROR', 'DEFAULT']
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = [
    "CLOUD_SEVERITY_NUMBERS", "PYTHON_LEVEL_NUMBERS", "SEVERITY_ALIASES",
    "ATTR_DUPLICATES", "ATTR_FRAGMENTS", "ATTR_ID_CONFLICTS", "ATTR_QUERY", "ATTR_RECORDS", "ATTR_REJECTED",
    "ATTR_SOURCES", "ATTR_USERS_UNRESOLVED", "BASELINE", "BASELINE_COUNT", "BASELINE_RATE_PER_MIN", "BUCKET",
    "BURST", "CHAIN", "CHAIN_TEMPLATES", "CLOCK", "CONFIDENCE", "conform", "COUNT", "DESCRIPTION", "empty_frame",
    "EVENTS", "EVIDENCE_CONNECTION", "EVIDENCE_EMAIL", "EVIDENCE_REQUEST", "EVIDENCE_SEVERAL",
    "EVIDENCE_STRUCTURED", "EVIDENCE_TEXT", "EVIDENCE_TRACE", "EVIDENCE_TRUNCATED", "EXPLANATION", "FIRST_SEEN",
    "FIRST_SIGNATURE", "FRAME_COLUMNS", "FRAME_DTYPES", "GAP_S", "HTTP_LATENCY_S", "HTTP_METHOD", "HTTP_STATUS",
    "HTTP_URL", "INCIDENT_COUNT", "INCIDENT_RATE_PER_MIN", "INCIDENTS", "INSERT_ID", "INSTANCE_ID", "JITTER_S",
    "LAST_SEEN", "LOG_NAME", "LOGGER", "MAX_SEVERITY", "MESSAGE", "OCCURRENCES", "P_QUIET", "P_VALUE", "PARAMS",
    "PERIOD_S", "PERIODIC", "PRIORITY", "PRIORITY_REASON", "PROBLEM", "PROBLEM_VERDICTS", "RATE_PER_1K_REQUESTS",
    "RATE_PER_MIN", "RAW", "REASON", "REJECTED_COLUMNS", "RESOURCE_TYPE", "REVISION", "REVISIONS", "SAMPLE",
    "SERVICE", "SERVICES", "SERVING_FROM", "SEVERITY", "SEVERITY_DTYPE", "SEVERITY_LEVELS", "severity_name",
    "SIGNATURE", "SOURCE_FILE", "SOURCE_FUNCTION", "SOURCE_LINE", "SPAN_ID", "STRING_DTYPE", "SUMMARY_COLUMNS",
    "TEMPLATE", "TIMESTAMP", "TIMESTAMP_DTYPE", "to_severity", "TRACE", "TRACES", "TRAFFIC_VERDICTS", "USER",
    "USER_EVIDENCE", "USER_ID", "USER_SHARE", "USERS", "VERDICT", "VERDICTS", "WINDOW_VERDICTS"
]

# --- log frame columns (built by triage.sources) -------------------------------------------
TIMESTAMP = "timestamp"
SEVERITY = "severity"
MESSAGE = "message"
SERVICE = "service"
REVISION = "revision"
RESOURCE_TYPE = "resource_type"
LOG_NAME = "log_name"
INSERT_ID = "insert_id"
TRACE = "trace"
SPAN_ID = "span_id"
INSTANCE_ID = "instance_id"
LOGGER = "logger"
USER_ID = "user_id"
HTTP_METHOD = "http_method"
HTTP_URL = "http_url"
HTTP_STATUS = "http_status"
HTTP_LATENCY_S = "http_latency_s"
SOURCE_FILE = "source_file"
SOURCE_LINE = "source_line"
SOURCE_FUNCTION = "source_function"
#: The original record as compact JSON (a LogEntry; for text/CSV input, the fields read).
RAW = "raw"

# --- columns added by later stages -----------------------------------------------------------
SIGNATURE = "signature"  # triage.signatures
TEMPLATE = "template"  # triage.signatures
#: triage.signatures: per row, the list of values behind each wildcard. Not added by default (costly on large
#: frames): ``add_signatures(frame, params=True)`` adds it, ``params_of(rows)`` computes it for some rows.
PARAMS = "params"
USER = "user"  # triage.analysis.add_users
USER_EVIDENCE = "user_evidence"  # triage.analysis.add_users: how the user was found

# --- severity ----------------------------------------------------------------------------------
SEVERITY_LEVELS = (
    "DEFAULT",
    "DEBUG",
    "INFO",
    "NOTICE",
    "WARNING",
    "ERROR",
    "CRITICAL",
    "ALERT",
    "EMERGENCY",
)
SEVERITY_DTYPE = pd.CategoricalDtype(list(SEVERITY_LEVELS), ordered=True)

#: Cloud Logging's numeric LogSeverity values.
_CLOUD_NUMERIC = {0: "DEFAULT", 100: "DEBUG", 200: "INFO", 300: "NOTICE", 400: "WARNING",
                  500: "ERROR", 600: "CRITICAL", 700: "ALERT", 800: "EMERGENCY"}
#: Python logging's numeric levels.
_PYTHON_NUMERIC = {10: "DEBUG", 20: "INFO", 30: "WARNING", 40: "ERROR", 50: "CRITICAL"}
_ALIASES = {
    "TRACE": "DEBUG", "FINEST": "DEBUG", "FINER": "DEBUG", "FINE": "DEBUG", "VERBOSE": "DEBUG",
    "DBG": "DEBUG", "INFORMATION": "INFO", "INF": "INFO", "CONFIG": "INFO",
    "WARN": "WARNING", "WRN": "WARNING", "ERR": "ERROR", "SEVERE": "ERROR", "FAILURE": "ERROR",
    "FATAL": "CRITICAL", "CRIT": "CRITICAL", "PANIC": "EMERGENCY", "EMERG": "EMERGENCY",
}
#: Public names of the three tables above, for the SQL forms of :func:`severity_name`.
SEVERITY_ALIASES, CLOUD_SEVERITY_NUMBERS, PYTHON_LEVEL_NUMBERS = _ALIASES, _CLOUD_NUMERIC, _PYTHON_NUMERIC

# --- dtypes ----------------------------------------------------------------------------------
STRING_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas 3's default "str"
TIMESTAMP_DTYPE = pd.DatetimeTZDtype("ns", "UTC")

FRAME_DTYPES: dict[str, object] = {
    TIMESTAMP: TIMESTAMP_DTYPE,
    SEVERITY: SEVERITY_DTYPE,
    MESSAGE: STRING_DTYPE,
    SERVICE: STRING_DTYPE,
    REVISION: STRING_DTYPE,
    RESOURCE_TYPE: STRING_DTYPE,
    LOG_NAME: STRING_DTYPE,
    INSERT_ID: STRING_DTYPE,
    TRACE: STRING_DTYPE,
    SPAN_ID: STRING_DTYPE,
    INSTANCE_ID: STRING_DTYPE,
    LOGGER: STRING_DTYPE,
    USER_ID: STRING_DTYPE,
    HTTP_METHOD: STRING_DTYPE,
    HTTP_URL: STRING_DTYPE,
    HTTP_STATUS: "Int64",
    HTTP_LATENCY_S: "float64",
    SOURCE_FILE: STRING_DTYPE,
    SOURCE_LINE: "Int64",
    SOURCE_FUNCTION: STRING_DTYPE,
    RAW: STRING_DTYPE,
}
FRAME_COLUMNS: tuple[str, ...] = tuple(FRAME_DTYPES)

#: Keys of DataFrame.attrs that sources set.
ATTR_REJECTED = "rejected"  # DataFrame: source, line, reason (one row per rejected record)
ATTR_DUPLICATES = "duplicates_dropped"  # int
# int: kept entries sharing insertId and timestamp with another, other content
ATTR_ID_CONFLICTS = "insert_id_conflicts"
ATTR_SOURCES = "sources"  # list[str]: files or the API filter the frame came from
ATTR_RECORDS = "records_read"  # int: records seen in the input
ATTR_FRAGMENTS = "fragments_merged"  # int: split traceback fragments folded into their first fragment's row
ATTR_QUERY = "query"  # dict: project, filter, start, end, order_by, page tokens (read_cloud_logging)
ATTR_USERS_UNRESOLVED = "users_unresolved"  # int: truncated ids add_users could not resolve
REJECTED_COLUMNS = ("source", "line", "reason")


def empty_frame() -> pd.DataFrame:
    """A log frame with no rows and every column typed."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in FRAME_DTYPES.items()})


def conform(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with exactly the log-frame columns, in order, with their dtypes.

    Missing columns are added empty; extra columns are kept after the schema's.
    """
    out = {}
    n = len(frame)
    for name, dtype in FRAME_DTYPES.items():
        if name in frame.columns:
            col = frame[name]
            if name == SEVERITY and col.dtype != SEVERITY_DTYPE:
                col = to_severity(col)
            elif str(col.dtype) != str(dtype):
                col = col.astype(dtype)
            out[name] = col
        else:
            out[name] = pd.Series([None] * n, index=frame.index, dtype=dtype) if n else pd.Series(dtype=dtype)
    extra = [c for c in frame.columns if c not in FRAME_DTYPES]
    result = pd.DataFrame(out, index=frame.index)
    for c in extra:
        result[c] = frame[c]
    result.attrs.update(frame.attrs)
    return result


def severity_name(value: object) -> str:
    """Map one level name or number (Cloud Logging's or Python's) onto Cloud Logging's names.

    Missing values mean ``DEFAULT``; unknown text raises ``ValueError``.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "DEFAULT"
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"severity must be a level name or number, not {value!r}")
    if isinstance(value, (int, np.integer, float, np.floating)):
        number = int(value)
        if number in _CLOUD_NUMERIC:
            return _CLOUD_NUMERIC[number]
        if number in _PYTHON_NUMERIC:
            return _PYTHON_NUMERIC[number]
        # Nearest level below, on Cloud Logging's 100-step scale.
        return _CLOUD_NUMERIC[max(0, min(800, number // 100 * 100))]
    text = str(value).strip().upper()
    if not text:
        return "DEFAULT"
    if text in SEVERITY_DTYPE.categories:
        return text
    if text in _ALIASES:
        return _ALIASES[text]
    if text.lstrip("-").isdigit():
        return severity_name(int(text))
    raise ValueError(f"unknown severity {value!r}")


def to_severity(values: Iterable[object]) -> pd.Series:
    """Vector form of :func:`severity_name`, returning the ordered severity categorical."""
    if isinstance(values, pd.Series):
        index = values.index
        uniques = pd.unique(values.astype(object))
        mapping = {v: severity_name(v) for v in uniques
                   if not (v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)))}
        mapped = values.astype(object).map(mapping).fillna("DEFAULT")
        return pd.Series(pd.Categorical(mapped, dtype=SEVERITY_DTYPE), index=index, name=values.name)
    return pd.Series(pd.Categorical([severity_name(v) for v in values], dtype=SEVERITY_DTYPE))


# --- analysis outputs (triage.analysis); charts, reports and widgets read these ----------------
# summarize(): one row per signature
COUNT = "count"
FIRST_SEEN = "first_seen"
LAST_SEEN = "last_seen"
MAX_SEVERITY = "max_severity"
USERS = "users"  # distinct affected users (int)
USER_SHARE = "user_share"  # of all users active in the frame (float 0..1)
SERVICES = "services"  # sorted, ", "-joined
REVISIONS = "revisions"  # sorted, ", "-joined
PERIOD_S = "period_s"  # float, NaN when not periodic
INCIDENTS = "incidents"  # distinct traces/requests (retry storms collapsed)
SAMPLE = "sample"  # one real message
PRIORITY = "priority"  # float, higher first
PRIORITY_REASON = "priority_reason"  # human-readable
PROBLEM = "problem"  # bool: the problem-signature rule (triage.analysis.problems)
SUMMARY_COLUMNS = (SIGNATURE, TEMPLATE, COUNT, FIRST_SEEN, LAST_SEEN, MAX_SEVERITY, USERS, USER_SHARE, SERVICES,
                   REVISIONS, PERIOD_S, INCIDENTS, SAMPLE, PRIORITY, PRIORITY_REASON, PROBLEM)

# timeline(): long, one row per bucket and group, zero-filled
BUCKET = "bucket"  # tz-aware UTC start of the bucket
BASELINE = "baseline"  # the group's robust baseline count per bucket
BURST = "burst"  # bool: bucket far above baseline

# periodicity(): one row per signature
JITTER_S = "jitter_s"
CONFIDENCE = "confidence"  # 0..1
PERIODIC = "periodic"  # bool
DESCRIPTION = "description"  # e.g. "every ~3 min ± 4 s"
EVENTS = "events"
CLOCK = "clock"  # where the kept clock ticks: "across instances", "on one instance", "on each instance"
GAP_S = "gap_s"  # period_gaps(): one gap (seconds) the verdict was computed from

# compare_revisions() (long: signature × revision) and compare_windows()
SERVING_FROM = "serving_from"
RATE_PER_MIN = "rate_per_min"
RATE_PER_1K_REQUESTS = "rate_per_1k_requests"
VERDICT = "verdict"  # one of VERDICTS
P_VALUE = "p_value"
P_QUIET = "p_quiet"  # chance of zero events in the elapsed time at the old rate
EXPLANATION = "explanation"
#: Verdicts only a problem signature gets (a healthy one gets TRAFFIC_VERDICTS instead).
PROBLEM_VERDICTS = ("fixed", "improved", "worse", "regressed")
#: Verdicts of healthy signatures: traffic went up, down or stayed.
TRAFFIC_VERDICTS = ("more", "fewer", "unchanged")
VERDICTS = ("new", "gone", "fixed", "improved", "unchanged", "worse", "regressed", "too early to tell", "more",
            "fewer", "not present")
WINDOW_VERDICTS = ("new", "gone", "grew", "shrank", "unchanged")
BASELINE_COUNT = "baseline_count"
BASELINE_RATE_PER_MIN = "baseline_rate_per_min"
INCIDENT_RATE_PER_MIN = "incident_rate_per_min"
INCIDENT_COUNT = "incident_count"

# cascades(): one row per chain
CHAIN = "chain"  # tuple of signatures, first domino first
CHAIN_TEMPLATES = "chain_templates"  # tuple of their templates
OCCURRENCES = "occurrences"
FIRST_SIGNATURE = "first_signature"
TRACES = "traces"  # occurrences that were whole traces

# severity_mismatches(): signature, template, count, max_severity, reason
REASON = "reason"

# add_users(): values of the user_evidence column, in order of trust
EVIDENCE_STRUCTURED = "structured"
EVIDENCE_TEXT = "text"
EVIDENCE_EMAIL = "login-email"
EVIDENCE_TRUNCATED = "truncated"
EVIDENCE_CONNECTION = "connection"
EVIDENCE_REQUEST = "request"
EVIDENCE_TRACE = "trace"
EVIDENCE_SEVERAL = "several"  # the entry names several users: counted for nobody (user stays NaN)
