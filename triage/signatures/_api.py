"""The public functions: ``templates`` for messages, ``add_signatures`` for a log frame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from triage import schema as s
from triage.signatures._location import location_merges, locations
from triage.signatures._params import LIST_TYPE, params_array
from triage.signatures._pipeline import as_arrow, encode, first_rows, run
from triage.signatures._rules import Rules
from triage.signatures._signature import render, signature_of
from triage.signatures._tracebacks import START, parse

__all__ = ["add_signatures", "templates"]


def _column(values: list[str], codes: np.ndarray, index: pd.Index, name: str) -> pd.Series:
    taken = pa.array(values, type=pa.large_string()).take(pa.array(codes, type=pa.int64()))
    return pd.Series(pd.array(taken, dtype=s.STRING_DTYPE), index=index, name=name)


def _apply_rules(frame: pd.DataFrame, signatures: pd.Series, templates: pd.Series,
                 rules: Rules) -> tuple[pd.Series, pd.Series]:
    chosen = rules.matches(frame, signatures)
    hit = chosen >= 0
    if not hit.any():
        return signatures, templates
    names = pd.Series([r.name for r in rules.rules])
    sigs = pd.Series([r.signature for r in rules.rules])
    signatures = signatures.astype(object).where(~hit, chosen.map(sigs)).astype(s.STRING_DTYPE)
    templates = templates.astype(object).where(~hit, chosen.map(names)).astype(s.STRING_DTYPE)
    return signatures, templates


def _signature_columns(messages, index: pd.Index, rules, placeholder: str | None = None,
                       frame: pd.DataFrame | None = None) -> tuple[pd.Series, pd.Series]:
    """``signature`` and ``template`` per message, then team rules (matched on ``frame``, or on the messages)."""
    result = run(messages)
    finals = list(result.templates)
    where = None if frame is None else locations(frame)
    if where is not None:  # templates logged at one place in the code that differ a little: one statement
        for code, (merged, _) in location_merges(result.codes, finals, result.fixed, where).items():
            finals[code] = merged
    hashed = {t: signature_of(t) for t in set(finals)}  # many masked templates share a final one
    signature = _column([hashed[t] for t in finals], result.codes, index, s.SIGNATURE)
    template = _column([render(t, placeholder) for t in finals], result.codes, index, s.TEMPLATE)
    rules = Rules.coerce(rules)
    if rules.rules:
        if frame is None:
            frame = pd.DataFrame({s.MESSAGE: pd.Series(as_arrow(messages).to_pylist(), index=index, dtype=object)})
        signature, template = _apply_rules(frame, signature, template, rules)
    return signature, template


def templates(messages, *, placeholder: str | None = None, rules=None) -> pd.DataFrame:
    """The signature and template of each message.

    Parameters
    ----------
    messages : sequence of str, Series or pyarrow array
        Log messages; missing values count as empty messages.
    placeholder : str, optional
        Write every variable as this (``"<*>"`` gives Loghub's notation) instead of typed
        placeholders such as ``<num>``, ``<uuid>``, ``<ip>``. Signatures do not change.
    rules : Rules, path or None
        Team fingerprint rules (TOML/YAML file or :class:`~triage.signatures.Rules`), applied before
        the defaults. Only ``message`` and ``exception`` conditions can match here.

    Returns
    -------
    DataFrame
        Columns ``signature`` and ``template``, one row per message in input order; the index is
        the input's when ``messages`` is a Series, else a RangeIndex.

    Examples
    --------
    >>> import triage
    >>> out = triage.templates(["WebSocket error: Invalid user_id format: 105945141827451681156",
    ...                         "WebSocket error: Invalid user_id format: e2e-staging_pipeline",
    ...                         "Connection closed by client", "Connection closed by server."])
    >>> out["template"].tolist()
    ['WebSocket error: Invalid user_id format: <*>', 'WebSocket error: Invalid user_id format: <*>', \
'Connection closed by client', 'Connection closed by server.']
    >>> out["signature"].nunique()
    3
    """
    index = messages.index if isinstance(messages, pd.Series) else pd.RangeIndex(len(messages))
    signature, template = _signature_columns(messages, index, rules, placeholder)
    return pd.DataFrame({s.SIGNATURE: signature, s.TEMPLATE: template}, index=index)


def _params(messages: pd.Series, templates: pd.Series) -> pd.Series:
    """The values behind each placeholder, computed once per distinct message, vectorised per template."""
    array = as_arrow(messages)
    codes, distinct = encode(array)
    first = first_rows(codes, len(distinct))
    template_of = templates.to_numpy(dtype=object)[first].tolist()
    values = params_array(template_of, distinct)
    candidates = np.flatnonzero(pc.match_substring(distinct, START).to_numpy(zero_copy_only=False))
    if len(candidates):  # a traceback's value is its exception's message
        found = {int(i): parse(m) for i, m in zip(candidates, distinct.take(pa.array(candidates)).to_pylist())}
        parsed = {i: p for i, p in found.items() if p is not None}
        if parsed:
            keep = np.arange(len(distinct) + len(parsed))
            keep[list(parsed)] = np.arange(len(distinct), len(distinct) + len(parsed))
            extra = pa.array([[p.message] for p in parsed.values()], type=LIST_TYPE)
            values = pa.concat_arrays([values, extra]).take(pa.array(keep[:len(distinct)]))
    # Python lists, one object per distinct message, shared by its rows (numpy take, no per-row work).
    per_distinct = np.empty(len(distinct), dtype=object)
    per_distinct[:] = values.to_pylist()
    return pd.Series(per_distinct[codes], index=messages.index, name=s.PARAMS)


def params_of(frame: pd.DataFrame) -> pd.Series:
    """The values behind the placeholders of each row's template, read back from its message.

    ``add_signatures`` leaves them out (they cost more than the signatures on a large frame and most
    views need them for a few rows only): call this on the rows you look at, or
    ``add_signatures(frame, params=True)`` for the ``params`` column of every row.

    Parameters
    ----------
    frame : DataFrame
        Rows of a log frame with ``message``; their ``template`` is used when present (so team rules
        and source-location merges count), else :func:`add_signatures` is run first.

    Returns
    -------
    Series
        Named ``params``, on ``frame``'s index: per row the list of values, in template order (``[]``
        when the template has no placeholder or the message does not fit it); for a traceback, the
        exception's message. Rows with the same message share one list object.

    Examples
    --------
    >>> import pandas as pd, triage
    >>> frame = triage.add_signatures(pd.DataFrame({"message": ["took 7.51s for 20 rows", "took 2s for 3 rows"]}))
    >>> "params" in frame
    False
    >>> triage.params_of(frame.tail(1)).tolist()
    [['2s', '3']]
    """
    if s.TEMPLATE not in frame.columns:
        frame = add_signatures(frame)
    return _params(frame[s.MESSAGE], frame[s.TEMPLATE])


def add_signatures(frame: pd.DataFrame, *, rules=None, params: bool = False) -> pd.DataFrame:
    """Add ``signature`` and ``template`` (and, on request, ``params``) to a log frame.

    Parameters
    ----------
    frame : DataFrame
        A log frame (see :mod:`triage.schema`); only ``message`` is required, and ``logger``,
        ``service`` are used by rules that name them. Where ``source_file`` with ``source_function``
        (or ``source_line`` within one ``revision``) says where an entry was logged, templates of one
        location that differ in a few words or in a tail merge into one signature (never split).
    rules : Rules, path or None
        Team fingerprint rules (TOML or YAML file, or a :class:`~triage.signatures.Rules`),
        applied before the defaults.
    params : bool, default False
        Also add ``params``, per row the list of values behind the placeholders (what
        :func:`params_of` returns). Off by default: on a million rows it costs more than the
        signatures themselves, and the explorer computes it for the rows it shows.

    Returns
    -------
    DataFrame
        A new frame (the input is not modified, ``attrs`` are kept) with the columns
        ``signature`` (12 hex digits, stable across runs) and ``template`` (variables as typed
        placeholders), and ``params`` when asked for.

    Examples
    --------
    >>> import pandas as pd, triage
    >>> frame = pd.DataFrame({"message": ["HARD LIMIT: User 10594514... still over limit after cleanup (20/20)",
    ...                                   "HARD LIMIT: User 20484512... still over limit after cleanup (5/20)"]})
    >>> out = triage.add_signatures(frame, params=True)
    >>> out["template"].iloc[0]
    'HARD LIMIT: User <num>... still over limit after cleanup (<num>/<num>)'
    >>> out["params"].iloc[1]
    ['20484512', '5', '20']
    >>> out["signature"].nunique(), "signature" in frame
    (1, False)
    """
    signature, template = _signature_columns(frame[s.MESSAGE], frame.index, rules, frame=frame)
    out = frame.copy()
    out[s.SIGNATURE] = signature
    out[s.TEMPLATE] = template
    if params:
        out[s.PARAMS] = _params(frame[s.MESSAGE], template)
    out.attrs.update(frame.attrs)
    return out
