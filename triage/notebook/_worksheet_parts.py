"""The parts of a Five-Whys worksheet (evidence, whys, problem statement, verification plan), below the worksheet
itself so that its Markdown and form views can use them without importing the worksheet back."""

from __future__ import annotations

import dataclasses
import math

import pandas as pd

from triage.analysis.poisson import ALPHA
from triage.options import EVIDENCE_KINDS, EvidenceKind
from triage.units import duration

__all__ = ["CHART_NAMES", "EVIDENCE_KINDS", "EvidenceKind", "FORMAT_VERSION", "Evidence", "Problem", "Verification",
           "Why"]

#: The charts a worksheet's evidence may name, each drawn for the worksheet's signature alone (its own bursts and
#: deploys; no other signature). An allow-list: a shared worksheet names a chart, never a function to call.
CHART_NAMES = ("frequency", "users", "periodicity", "revisions", "severity", "cascade")
FORMAT_VERSION = 1


@dataclasses.dataclass
class Evidence:
    """One piece of evidence a why rests on.

    ``kind`` is one of :data:`EVIDENCE_KINDS`; ``reference`` names it (a signature id, a chart name
    such as ``"frequency"``, a filter such as ``"severity>=ERROR service=api"``, an insert id...).
    """

    kind: EvidenceKind
    reference: str
    note: str = ""

    def __post_init__(self) -> None:
        if self.kind not in EVIDENCE_KINDS:
            raise ValueError(f"evidence kind must be one of {EVIDENCE_KINDS}, not {self.kind!r}")
        # A saved worksheet may come from someone else: it names charts, never code to call.
        if self.kind == "chart" and self.reference not in CHART_NAMES:
            raise ValueError(f"unknown chart {self.reference!r}; evidence charts are {', '.join(CHART_NAMES)}")


@dataclasses.dataclass
class Why:
    """One "why?" answer and the evidence it rests on."""

    answer: str = ""
    evidence: list[Evidence] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Problem:
    """The problem statement: what, since when, how often, who, which revisions."""

    signature: str
    template: str = ""
    sample: str = ""
    first_seen: str = ""
    last_seen: str = ""
    count: int = 0
    rate_per_min: float = 0.0
    period: str = ""
    users: int = 0
    top_users: list[str] = dataclasses.field(default_factory=list)
    revisions: list[str] = dataclasses.field(default_factory=list)

    def lines(self) -> list[tuple[str, str]]:
        """The statement as (label, text) pairs, in reading order (the sample only when it adds to the template).

        >>> Problem("a", template="boom", sample="boom", first_seen="2025-09-09T01:00:00.123456+00:00",
        ...         count=1, users=1).lines()[:2]
        [('What', 'boom'), ('Since', '2025-09-09 01:00:00 UTC')]
        """
        often = f"{self.count:,} event{'' if self.count == 1 else 's'}, {self.rate_per_min:.3g} per minute"
        if self.period:
            often += f", {self.period}"
        who = f"{self.users:,} affected user{'' if self.users == 1 else 's'}"
        if self.top_users:
            who += " (most affected: " + ", ".join(self.top_users) + ")"
        since = _when(self.first_seen) if self.first_seen else "unknown"
        if self.first_seen and self.last_seen:
            since += f" (last seen {_when(self.last_seen)})"
        lines = [("What", self.template)]
        if self.sample and self.sample.strip() != self.template.strip():
            lines.append(("Example", self.sample))
        return lines + [("Since", since), ("How often", often), ("Who", who),
                        ("Revisions", "; ".join(self.revisions) if self.revisions else "no revision comparison")]


def _when(stamp: str) -> str:
    """An ISO timestamp as people read it: ``2025-09-09 01:00:00 UTC`` (no microseconds)."""
    try:
        value = pd.Timestamp(stamp)
    except (TypeError, ValueError):
        return str(stamp)
    value = value.tz_convert("UTC") if value.tzinfo else value
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")


@dataclasses.dataclass
class Verification:
    """What must go quiet after the fix, and when silence becomes significant.

    At Poisson rate ``r`` per minute, zero events in ``t`` minutes has probability ``exp(-r t)``, below
    ``ALPHA`` once ``t > ln(1/ALPHA) / r`` (``ln(20) / r`` at 5 %): :attr:`quiet_minutes`.
    """

    signature: str
    rate_per_min: float = 0.0
    plan: str = ""

    @property
    def quiet_minutes(self) -> float:
        return math.log(1 / ALPHA) / self.rate_per_min if self.rate_per_min > 0 else math.inf

    def deadline(self, deployed_at: pd.Timestamp | str) -> pd.Timestamp | None:
        """When, after a fix deployed at ``deployed_at``, zero events would be significant.

        >>> Verification("abc", rate_per_min=1.0).deadline("2025-09-09T10:00Z").isoformat()
        '2025-09-09T10:03:00+00:00'
        """
        if math.isinf(self.quiet_minutes):
            return None
        stamp = pd.Timestamp(deployed_at)
        stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
        return (stamp + pd.Timedelta(minutes=self.quiet_minutes)).ceil("s")

    def summary(self) -> str:
        if math.isinf(self.quiet_minutes):
            return f"signature {self.signature} has no measurable rate: silence alone cannot verify the fix"
        return (f"signature {self.signature} must go quiet: at its rate of {self.rate_per_min:.3g} per minute, "
                f"zero events for {duration(self.quiet_minutes * 60)} after the fix is deployed is significant "
                f"(p < {ALPHA:g})")


