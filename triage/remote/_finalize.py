"""Local finalisation: the pushed-down aggregate (thousands of keys) → ``summarize`` and ``timeline`` frames.

The real signature pipeline (:func:`triage.signatures.templates`) runs on one message per key; the
generaliser depends only on the set of distinct masked templates, so every key gets the signature and
template it has on the full frame. The aggregates of the keys of one signature then merge: counts and
late counts add, first/last seen take min/max, user, service and revision sets unite.

Columns of ``summarize`` that need every entry's timestamp are not pushed down: ``period_s`` is NaN
(run :func:`triage.periodicity` on a filtered local load), and ``incidents`` is the sum over a signature's
keys of distinct traces plus untraced bursts per user — equal to the local count when a signature has one
key (and no trace spans two keys), an upper bound otherwise. ``users`` counts :func:`triage.add_users`'
``structured`` and ``text`` users (pushed down, :mod:`triage.remote._users`); truncated ids, keys and traces
need the whole frame and are local only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from triage import schema as s
from triage.analysis import problems
from triage.analysis import summary as _summary
from triage.analysis.summary import long_format
from triage.remote import _aggregate as a
from triage.remote import _keys
from triage.signatures import templates

__all__ = ["finalize", "levels_of", "priorities", "signatures_of", "summary", "timeline"]


def _values(cell) -> list:
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return []
    return list(cell)


def signatures_of(keys: pd.DataFrame) -> pd.DataFrame:
    """``keys`` (part 'S' rows) with the ``signature`` and ``template`` of each key."""
    named = templates(pd.Series(keys[a.SAMPLE].to_numpy(dtype=object), index=keys.index).fillna(""))
    return keys.assign(**{s.SIGNATURE: named[s.SIGNATURE].to_numpy(), s.TEMPLATE: named[s.TEMPLATE].to_numpy()})


def _union(cells: pd.Series) -> set:
    out: set = set()
    for cell in cells:
        out.update(_values(cell))
    return out


def _timestamps(ns: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(np.asarray(ns, dtype="int64").view("datetime64[ns]")).tz_localize("UTC")


priorities = _summary.priorities


def summary(keys: pd.DataFrame) -> pd.DataFrame:
    """One row per signature (columns ``schema.SUMMARY_COLUMNS``), as :func:`triage.summarize` orders them."""
    if keys.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in s.SUMMARY_COLUMNS})
    keys = keys.sort_values([a.FIRST_NS, _keys.KIND, _keys.KEY], kind="stable")
    grouped = keys.groupby(s.SIGNATURE, sort=False)
    first = grouped.head(1).set_index(s.SIGNATURE)  # the key seen first: its template and sample
    signatures = first.index
    count = grouped[a.N].sum().reindex(signatures).to_numpy(dtype="int64")
    first_ns = grouped[a.FIRST_NS].min().reindex(signatures).to_numpy(dtype="int64")
    last_ns = grouped[a.LAST_NS].max().reindex(signatures).to_numpy(dtype="int64")
    max_code = grouped[a.MAX_SEV].max().reindex(signatures).to_numpy(dtype="int64")
    user_sets = grouped[a.USERS].agg(_union).reindex(signatures)
    users = user_sets.map(len).to_numpy(dtype="int64")
    total_users = len(set().union(*user_sets)) if len(user_sets) else 0
    share = users / total_users if total_users else np.zeros(len(users))
    joined = lambda column: grouped[column].agg(lambda c: ", ".join(sorted(_union(c)))).reindex(signatures)  # noqa: E731
    failed = grouped[a.FAILED].any().reindex(signatures).to_numpy(dtype=bool)
    late = grouped[a.LATE].sum().reindex(signatures).to_numpy(dtype="int64")
    incidents = (grouped[a.TRACES].sum() + grouped[a.BURSTS].sum()).reindex(signatures).to_numpy(dtype="int64")
    template = first[s.TEMPLATE]

    start = keys[a.FIRST_NS].min().astype("float64") / 1e9
    end = keys[a.LAST_NS].max().astype("float64") / 1e9
    span = max(end - start, 1.0)
    age = end - last_ns.astype("float64") / 1e9
    ratio = (late + 0.5) / ((count - late) / 2 + 0.5)  # summarize's trend, from the late counts pushed down
    samples = pd.Series(first[a.SAMPLE].to_numpy(dtype=object), dtype="str")
    text_failure = _summary.aggregate_text_failure(template.reset_index(drop=True), samples, failed)
    priority, reasons = priorities(count, users, share, max_code, failed, template.reset_index(drop=True),
                                   samples, age, span, ratio, text_failure=text_failure, late=late)
    out = pd.DataFrame({
        s.SIGNATURE: pd.Series(np.asarray(signatures, dtype=object), dtype="str"),
        s.TEMPLATE: template.to_numpy(dtype=object),
        s.COUNT: count,
        s.FIRST_SEEN: _timestamps(first_ns),
        s.LAST_SEEN: _timestamps(last_ns),
        s.MAX_SEVERITY: pd.Categorical.from_codes(max_code, dtype=s.SEVERITY_DTYPE),
        s.USERS: users,
        s.USER_SHARE: share.astype("float64"),
        s.SERVICES: joined(a.SERVICES).to_numpy(dtype=object),
        s.REVISIONS: joined(a.REVISIONS).to_numpy(dtype=object),
        s.PERIOD_S: np.full(len(signatures), np.nan),
        s.INCIDENTS: incidents,
        s.SAMPLE: samples.to_numpy(),
        s.PRIORITY: np.round(priority, 6),
        s.PRIORITY_REASON: reasons,
        s.PROBLEM: problems.problem_codes(problems.effective_codes(max_code, text_failure)),
    })
    return _summary.finish(out)


def timeline(buckets: pd.DataFrame, keys: pd.DataFrame, *, freq: str, by: str | None,
             top: int | None = None) -> pd.DataFrame:
    """The long timeline (bucket, <by>, count, baseline, burst) of :func:`triage.timeline` from bucket counts."""
    column = by or s.SIGNATURE
    if by is None:
        mapping = keys.set_index([_keys.KIND, _keys.KEY])[s.SIGNATURE]
        group = mapping.reindex(pd.MultiIndex.from_frame(buckets[[_keys.KIND, _keys.KEY]])).to_numpy(dtype=object)
        dtype = s.STRING_DTYPE
    elif by == s.SEVERITY:
        codes = pd.to_numeric(buckets[a.GROUP]).astype("Int64")
        group = np.where(codes.isna(), np.array(None, dtype=object), levels_of(codes)).astype(object)
        dtype = s.SEVERITY_DTYPE
    else:
        group = buckets[a.GROUP].to_numpy(dtype=object)
        dtype = s.STRING_DTYPE
    bucket = _timestamps(buckets[a.BUCKET_NS].to_numpy(dtype="int64"))
    counts = (pd.DataFrame({s.BUCKET: bucket, column: group, a.N: buckets[a.N].to_numpy(dtype="int64")})
              .dropna(subset=[column]).groupby([s.BUCKET, column], sort=False)[a.N].sum())
    index = (pd.date_range(bucket.min(), bucket.max(), freq=freq, name=s.BUCKET) if len(bucket)
             else pd.DatetimeIndex([], tz="UTC", name=s.BUCKET))
    wide = counts.unstack(column, fill_value=0).reindex(index, fill_value=0) if len(counts) else \
        pd.DataFrame(index=index)
    return long_format(wide, column, dtype, top)


def levels_of(codes: pd.Series) -> np.ndarray:
    """Severity names of rank codes."""
    return np.asarray(s.SEVERITY_LEVELS, dtype=object)[codes.fillna(0).to_numpy(dtype="int64")]


def finalize(result: pd.DataFrame, *, freq: str, by: str | None, top: int | None = None
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The query's result → (summary, timeline)."""
    keys = signatures_of(result[result[a.PART] == "S"].reset_index(drop=True))
    buckets = result[result[a.PART] == "B"].reset_index(drop=True)
    return summary(keys), timeline(buckets, keys, freq=freq, by=by, top=top)
