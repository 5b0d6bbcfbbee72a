"""What the analysis stage knows about each signature, gathered once for the explorer and the worksheet.

:class:`SignatureFacts` holds the outputs of ``triage.analysis`` (summary, periodicity, revision
comparison, cascades) and answers per-signature questions from them; it never recomputes them.
Pass the outputs you already have; the missing ones are computed from the frame.

>>> import pandas as pd
>>> from triage import schema as s
>>> periods = pd.DataFrame({s.SIGNATURE: ["a"], s.PERIOD_S: [180.0], s.DESCRIPTION: ["every ~3 min ± 4 s"],
...                         s.PERIODIC: [True]})
>>> revisions = pd.DataFrame({s.SIGNATURE: ["a", "a"], s.REVISION: ["r1", "r2"],
...     s.SERVING_FROM: pd.to_datetime(["2025-09-09T00:00Z", "2025-09-09T01:00Z"]),
...     s.VERDICT: ["new", "fixed"], s.EXPLANATION: ["first seen in r1", "quiet since r2"]})
>>> facts = SignatureFacts(periods=periods, revisions=revisions)
>>> facts.period("a"), facts.verdict("a"), facts.verdict("b")
('every ~3 min ± 4 s', 'fixed', '')
"""

from __future__ import annotations

import pandas as pd

from triage import schema as s
from triage.analysis.prepare import with_signatures, with_users

__all__ = ["prepare", "SignatureFacts"]


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with signatures and users, computing each only when its column is missing."""
    return with_users(with_signatures(frame))


def _empty(*columns: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


class SignatureFacts:
    """The analysis outputs for one frame, indexed for per-signature look-ups.

    Parameters
    ----------
    summary, periods, revisions, chains
        The outputs of ``triage.analysis.summarize``, ``periodicity``, ``compare_revisions`` and
        ``cascades``; ``None`` means "not available" (see :meth:`from_frame` to compute them).
    """

    def __init__(self, *, summary: pd.DataFrame | None = None, periods: pd.DataFrame | None = None,
                 revisions: pd.DataFrame | None = None, chains: pd.DataFrame | None = None) -> None:
        self.summary = summary if summary is not None else _empty(*s.SUMMARY_COLUMNS)
        self.periods = periods if periods is not None else _empty(s.SIGNATURE, s.PERIOD_S, s.DESCRIPTION, s.PERIODIC)
        self.revisions = revisions if revisions is not None else _empty(
            s.SIGNATURE, s.SERVICE, s.REVISION, s.SERVING_FROM, s.VERDICT, s.EXPLANATION)
        self.chains = chains if chains is not None else _empty(s.CHAIN, s.CHAIN_TEMPLATES, s.OCCURRENCES, s.DESCRIPTION)
        self._summary_by = self.summary.set_index(s.SIGNATURE, drop=False) if len(self.summary) else None
        periodic = self.periods
        if s.PERIODIC in periodic.columns and len(periodic):
            periodic = periodic[periodic[s.PERIODIC].fillna(False).astype(bool)]
        self._period_by = dict(zip(periodic[s.SIGNATURE].astype(str), periodic[s.DESCRIPTION].astype(str)))
        latest = self.revisions
        if len(latest):
            latest = latest.sort_values(s.SERVING_FROM, kind="stable").drop_duplicates(s.SIGNATURE, keep="last")
        self._verdict_by = dict(zip(latest[s.SIGNATURE].astype(str), latest[s.VERDICT].astype(str)))

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, **given: pd.DataFrame | None) -> SignatureFacts:
        """Compute with ``triage.analysis`` every output not in ``given`` (keys as in the constructor)."""
        from triage import analysis

        compute = {"summary": analysis.summarize, "periods": analysis.periodicity,
                   "revisions": analysis.compare_revisions, "chains": analysis.cascades}
        outputs = {key: given.get(key) if given.get(key) is not None else fn(frame) for key, fn in compute.items()}
        return cls(**outputs)

    def summary_row(self, signature: str) -> pd.Series | None:
        """The summary's row for ``signature`` (None when the summary lacks it)."""
        if self._summary_by is None or signature not in self._summary_by.index:
            return None
        return self._summary_by.loc[signature]

    def period(self, signature: str) -> str:
        """How it repeats, e.g. ``"every ~3 min ± 4 s"``; empty when not periodic."""
        return self._period_by.get(signature, "")

    def verdict(self, signature: str) -> str:
        """The deploy verdict of the newest revision it was seen in (empty when unknown)."""
        return self._verdict_by.get(signature, "")

    def revision_rows(self, signature: str) -> pd.DataFrame:
        """``compare_revisions`` rows for ``signature``, oldest revision first."""
        rows = self.revisions[self.revisions[s.SIGNATURE].astype(str) == signature]
        return rows.sort_values(s.SERVING_FROM, kind="stable") if len(rows) else rows

    def chains_of(self, signature: str) -> pd.DataFrame:
        """``cascades`` rows whose chain contains ``signature``."""
        if not len(self.chains):
            return self.chains
        inside = self.chains[s.CHAIN].map(lambda chain: signature in tuple(chain))
        return self.chains[inside.astype(bool)]
