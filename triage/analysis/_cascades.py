"""Which errors come together, and which comes first: chains of signatures within a trace or a short window."""

from __future__ import annotations

import numpy as np
import pandas as pd

from triage import schema as s
from triage.analysis import _columns as c
from triage.analysis._severity import text_reasons
from triage.analysis.prepare import seconds, templates_by_signature, with_signatures

__all__ = ["cascades"]


def _groups(frame: pd.DataFrame, t: np.ndarray, window_s: float) -> tuple[np.ndarray, np.ndarray]:
    """A group id per entry — its trace, or a run on one instance with gaps <= window — and whether it is a trace."""
    trace = frame[s.TRACE]
    traced = trace.notna().to_numpy()
    group = np.full(len(frame), -1, dtype=np.int64)
    group[traced] = pd.factorize(trace[traced])[0]
    offset = group.max() + 1 if traced.any() else 0
    rest = np.flatnonzero(~traced)
    place = frame[s.INSTANCE_ID].fillna(frame[s.SERVICE]).fillna("")
    place_codes = pd.factorize(place)[0]
    order = rest[np.lexsort((t[rest], place_codes[rest]))]
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = (place_codes[order][1:] != place_codes[order][:-1]) | (np.diff(t[order]) > window_s)
    group[order] = offset + np.cumsum(starts) - 1
    return group, traced


def cascades(frame: pd.DataFrame, window: str = "2s", min_occurrences: int = 2,
             min_severity: str | None = "WARNING", min_share: float = 0.5) -> pd.DataFrame:
    """Chains of signatures that occur together, first domino first.

    Entries are grouped by ``trace``; entries without a trace are grouped per instance (or service) into runs
    whose consecutive entries are at most ``window`` apart. A group's chain is the set of distinct signatures in
    it; groups with the same set are occurrences of one chain. Within a chain, signatures are ordered by their
    median rank of first appearance across its occurrences (ties: by name), so a race that sometimes swaps two
    entries still yields one order.

    Parameters
    ----------
    frame : DataFrame
        The log frame (signatures are added when missing).
    window : str, default "2s"
        Largest gap between consecutive untraced entries on one instance that still belong to one group.
    min_occurrences : int, default 2
        Report chains seen at least this often.
    min_share : float, default 0.5
        Report a chain only when it accounts for at least this share of the groups its rarest member appears
        in: signatures that merely happen to be busy at the same time (a 30-second health failure next to
        everything) are not a cascade.
    min_severity : str or None, default "WARNING"
        Consider only entries at this severity or above, plus entries whose text is a traceback, an exception
        or an HTTP 5xx whatever their severity (Cloud Run prints tracebacks as DEFAULT). ``None``: every entry.

    Returns
    -------
    DataFrame
        One row per chain: ``chain`` (tuple of signatures, first domino first), ``chain_templates`` (tuple),
        ``occurrences`` (groups with exactly this set of signatures), ``first_signature``, ``description``
        ("A → B → C" with templates) and ``traces`` (how many occurrences were traces). Most frequent first.

    Examples
    --------
    >>> from triage import schema as s
    >>> frame = s.conform(pd.DataFrame({
    ...     s.TIMESTAMP: pd.Timestamp("2025-01-01", tz="UTC") + pd.to_timedelta([0, 1, 2, 60, 61, 62], unit="s"),
    ...     s.SEVERITY: "ERROR", s.TRACE: ["t1"] * 3 + ["t2"] * 3,
    ...     s.MESSAGE: ["state error", "routing failed", "handler error"] * 2}))
    >>> frame = frame.assign(signature=["A", "B", "C"] * 2, template=frame[s.MESSAGE])
    >>> cascades(frame)[[s.CHAIN, s.OCCURRENCES, s.DESCRIPTION]].values.tolist()
    [[('A', 'B', 'C'), 2, 'state error → routing failed → handler error']]
    """
    frame = with_signatures(frame)
    if min_severity is not None:
        relevant = ((frame[s.SEVERITY] >= s.severity_name(min_severity)).to_numpy()
                    | text_reasons(frame).notna().to_numpy())
        frame = frame[relevant]
    frame = frame[frame[s.SIGNATURE].notna()]
    t = seconds(frame[s.TIMESTAMP])
    group, traced = _groups(frame, t, pd.Timedelta(window).total_seconds())
    sig_codes, sig_names = pd.factorize(frame[s.SIGNATURE])
    firsts = (pd.DataFrame({"group": group, "sig": sig_codes, "t": t, "pos": np.arange(len(frame)),
                            "trace": traced})
              .groupby(["group", "sig"], sort=False).agg(t=("t", "min"), pos=("pos", "min"), trace=("trace", "first"))
              .reset_index())
    appearances = firsts.groupby("sig").size()  # groups each signature appears in, alone or not
    size = firsts.groupby("group")["sig"].transform("size")
    firsts = firsts[size >= 2].sort_values(["group", "t", "pos"], ignore_index=True)
    firsts["rank"] = firsts.groupby("group").cumcount()
    keys = firsts.sort_values(["group", "sig"]).groupby("group", sort=False)["sig"].agg(tuple).rename("key")
    firsts = firsts.join(keys, on="group")
    per_group = firsts.drop_duplicates("group")
    occurrences = per_group.groupby("key").size().rename(s.OCCURRENCES)
    traces = per_group.groupby("key")["trace"].sum().rename(c.TRACES)
    rarest = np.array([appearances.reindex(list(key)).min() for key in occurrences.index], dtype="float64")
    frequent = occurrences[(occurrences.to_numpy() >= min_occurrences)
                           & (occurrences.to_numpy() >= min_share * rarest)].index
    ranks = (firsts[firsts["key"].isin(frequent)].groupby(["key", "sig"])["rank"].median().rename("median")
             .reset_index())
    ranks["name"] = np.asarray(sig_names, dtype=object)[ranks["sig"].to_numpy()]
    ranks = ranks.sort_values(["key", "median", "name"])
    chains = ranks.groupby("key", sort=False)["name"].agg(tuple).rename(s.CHAIN)
    template = templates_by_signature(frame)
    out = pd.DataFrame({s.CHAIN: chains})
    out[s.CHAIN_TEMPLATES] = [tuple(template[x] for x in chain) for chain in out[s.CHAIN]]
    out[s.OCCURRENCES] = occurrences.reindex(out.index).astype("int64")
    out[s.FIRST_SIGNATURE] = [chain[0] for chain in out[s.CHAIN]]
    out[s.DESCRIPTION] = [" → ".join(names) for names in out[s.CHAIN_TEMPLATES]]
    out[c.TRACES] = traces.reindex(out.index).astype("int64")
    out = out.reset_index(drop=True)
    out["_length"] = out[s.CHAIN].map(len)
    out = out.sort_values([s.OCCURRENCES, "_length", s.DESCRIPTION], ascending=[False, False, True],
                          ignore_index=True)
    columns = [s.CHAIN, s.CHAIN_TEMPLATES, s.OCCURRENCES, s.FIRST_SIGNATURE, s.DESCRIPTION, c.TRACES]
    if out.empty:
        return pd.DataFrame({col: pd.Series(dtype=object if col in (s.CHAIN, s.CHAIN_TEMPLATES) else "int64"
                                            if col in (s.OCCURRENCES, c.TRACES) else "str") for col in columns})
    for col in (s.FIRST_SIGNATURE, s.DESCRIPTION):
        out[col] = out[col].astype("str")
    return out[columns]
