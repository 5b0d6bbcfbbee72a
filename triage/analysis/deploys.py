"""Deploys: when each Cloud Run revision took traffic, the one rule behind ``compare_revisions``, the deploy
lines on every chart and the report's deploy list.

A revision serves from its first request log (an entry with an HTTP method or status); a revision without one
serves from its first entry, or from the previous revision's last entry when that is later. Entries without a
(non-blank) revision are not deploys; a missing service is a service of its own.

>>> from triage import schema as s
>>> frame = s.conform(pd.DataFrame({
...     s.TIMESTAMP: pd.to_datetime(["2025-01-01T00:00Z", "2025-01-01T00:10Z", "2025-01-01T00:11Z"]),
...     s.SERVICE: "api", s.REVISION: ["api-00001-abc", "api-00002-xyz", "api-00002-xyz"],
...     s.MESSAGE: ["up", "starting", "GET /"], s.HTTP_METHOD: [None, None, "GET"]}))
>>> switch = revision_switches(frame)
>>> switch[s.REVISION].tolist(), str(switch[s.TIMESTAMP].iloc[0])
(['api-00002-xyz'], '2025-01-01 00:11:00+00:00')
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from triage import schema as s
from triage.analysis.prepare import seconds

__all__ = ["codes", "revision_switches", "serving_windows", "short_revision", "short_revisions"]


def codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of a string column (-1: missing or blank) and the names behind them."""
    codes, names = pd.factorize(column, use_na_sentinel=True)
    names = np.asarray(names, dtype=object)
    blank = np.array([not str(x).strip() for x in names], dtype=bool)  # distinct names only: few
    if blank.any():
        codes = np.where(blank[np.maximum(codes, 0)] & (codes >= 0), -1, codes)
    return codes, names


def serving_windows(rows: pd.DataFrame, end: float) -> pd.DataFrame:
    """Per service and revision code: start (first entry, s), served (s) and serving_from (when it took traffic:
    its first request log, else the previous revision's last entry when that is later than its own first),
    window (s, from served to the next revision's served or the frame end), requests."""
    requests = rows[rows["request"]]
    revs = (rows.groupby([s.SERVICE, s.REVISION], sort=False)
            .agg(start=("t", "min"), last_entry=("t", "max"), requests=("request", "sum"))
            .reset_index().sort_values([s.SERVICE, "start", s.REVISION], ignore_index=True))
    first_request = requests.groupby([s.SERVICE, s.REVISION], sort=False)["t"].min()
    first_request = first_request.reindex(pd.MultiIndex.from_frame(revs[[s.SERVICE, s.REVISION]])).to_numpy()
    previous_last = revs.groupby(s.SERVICE)["last_entry"].shift(1).to_numpy()
    start = revs["start"].to_numpy()
    fallback = np.where(np.isnan(previous_last), start,
                        np.fmax(start, np.fmin(previous_last, revs["last_entry"].to_numpy())))
    revs["served"] = np.where(np.isnan(first_request), fallback, first_request)
    following = revs.groupby(s.SERVICE)["served"].shift(-1)
    revs["window"] = np.maximum(following.fillna(end).to_numpy() - revs["served"].to_numpy(), 0.0)
    return revs


def revision_switches(frame: pd.DataFrame) -> pd.DataFrame:
    """Deploys seen in ``frame``: per service, when every revision after the service's first took traffic.

    Columns: service, revision, timestamp (when it took traffic, as :func:`serving_windows` says), by timestamp.
    """
    cols = [s.SERVICE, s.REVISION, s.TIMESTAMP]
    t = seconds(frame[s.TIMESTAMP])
    svc, svc_names = pd.factorize(frame[s.SERVICE], use_na_sentinel=True)
    svc_names = np.array([*svc_names, None], dtype=object)
    svc = np.where(svc < 0, len(svc_names) - 1, svc)
    rev, rev_names = codes(frame[s.REVISION])
    keep = (rev >= 0) & ~np.isnan(t)
    if not keep.any():
        return pd.DataFrame({c: pd.Series(dtype=frame[c].dtype) for c in cols})
    rows = pd.DataFrame({s.SERVICE: svc, s.REVISION: rev, "t": t,
                         "request": (frame[s.HTTP_METHOD].notna() | frame[s.HTTP_STATUS].notna()).to_numpy()})[keep]
    revs = serving_windows(rows, float(np.nanmax(t)))
    later = revs[revs.duplicated(s.SERVICE, keep="first")]
    served = pd.to_datetime(np.round(later["served"].to_numpy() * 1e6).astype("int64"), unit="us", utc=True)
    out = pd.DataFrame({s.SERVICE: svc_names[later[s.SERVICE].to_numpy()],
                        s.REVISION: np.asarray(rev_names, dtype=object)[later[s.REVISION].to_numpy()],
                        s.TIMESTAMP: served})
    out = out.astype({s.SERVICE: frame[s.SERVICE].dtype, s.REVISION: frame[s.REVISION].dtype})
    return out.sort_values(s.TIMESTAMP, kind="stable").reset_index(drop=True)[cols]


_REVISION_SUFFIX = re.compile(r"-(\d{3,}-[a-z0-9]{2,4})$")


def short_revision(revision: object, service: object = None) -> str:
    """The part of a Cloud Run revision name that tells revisions apart: ``netra-backend-staging-00123-vtm`` →
    ``00123-vtm`` (the service prefix dropped; other names as they are).

    >>> short_revision("netra-backend-staging-00123-vtm"), short_revision("api-v2", "api"), short_revision("blue")
    ('00123-vtm', 'v2', 'blue')
    """
    text = "" if revision is None or (isinstance(revision, float) and revision != revision) else str(revision)
    if service and text.startswith(f"{service}-") and len(text) > len(str(service)) + 1:
        return text[len(str(service)) + 1:]
    found = _REVISION_SUFFIX.search(text)
    return found.group(1) if found else text


def short_revisions(value: object, service: object = None) -> str:
    """A comma-separated list of revisions (as in the summary), each shortened with :func:`short_revision`.

    >>> short_revisions("netra-backend-staging-00121-qzx, netra-backend-staging-00122-lbw")
    '00121-qzx, 00122-lbw'
    """
    text = "" if value is None or (isinstance(value, float) and value != value) else str(value)
    return ", ".join(short_revision(part.strip(), service) for part in text.split(",") if part.strip())
