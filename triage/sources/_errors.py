"""Errors raised while reading log input, and the bookkeeping of rejected records."""

from __future__ import annotations

import warnings

import pandas as pd

from triage import schema as s
from triage.errors import TriageError
from triage.options import ERRORS_MODES, ErrorsMode

__all__ = ["check_errors_mode", "ERRORS_MODES", "ErrorsMode", "LoadError", "RejectedRecords", "Rejects"]



class LoadError(TriageError, ValueError):
    """A record could not be read. Names the source (file or API filter), the line or index, and why.

    ``line`` is a 1-based line number for line-oriented input (JSON Lines, CSV, text) and a 0-based
    element index for a JSON array or an iterable of entries (``unit="index"``).

    >>> str(LoadError("logs.jsonl", 12, "invalid JSON: unexpected end of data"))
    'logs.jsonl:12: invalid JSON: unexpected end of data'
    >>> str(LoadError("export.json", 3, "severity: expected a level name or number", unit="index"))
    'export.json[3]: severity: expected a level name or number'
    """

    def __init__(self, source: str, line: int | None, reason: str, *, unit: str = "line"):
        self.source = str(source)
        self.line = line
        self.reason = reason
        self.unit = unit
        if line is None:
            where = self.source
        elif unit == "index":
            where = f"{self.source}[{line}]"
        else:
            where = f"{self.source}:{line}"
        super().__init__(f"{where}: {reason}")


def check_errors_mode(errors: str) -> ErrorsMode:
    """Validate the ``errors=`` argument shared by every loader."""
    if errors not in ERRORS_MODES:
        raise ValueError(f"errors must be one of {ERRORS_MODES}, not {errors!r}")
    return errors  # type: ignore[return-value]  # checked just above


class RejectedRecords(pd.DataFrame):
    """The rejected records (``source``, ``line``, ``reason``) kept in ``frame.attrs["rejected"]``.

    pandas compares ``attrs`` with ``==`` when it concatenates or merges frames; a plain DataFrame
    answers element by element and makes that fail, so this one compares as a whole (``DataFrame.equals``).

    >>> a = RejectedRecords({"source": ["x"], "line": [1], "reason": ["bad"]})
    >>> a == a.copy(), a == a.iloc[:0]
    (True, False)
    """

    @property
    def _constructor(self):
        return RejectedRecords

    def __eq__(self, other):
        if isinstance(other, pd.DataFrame):
            return self.equals(other)
        return super().__eq__(other)

    def __ne__(self, other):
        if isinstance(other, pd.DataFrame):
            return not self.equals(other)
        return super().__ne__(other)

    __hash__ = None  # type: ignore[assignment]  # unhashable like DataFrame; typeshed types __hash__ as a method


class Rejects:
    """Collects rejected records; in ``raise`` mode the first one raises :class:`LoadError`.

    >>> r = Rejects("report")
    >>> r.add("a.jsonl", 2, "invalid JSON")
    >>> r.frame()[["line", "reason"]].to_dict("records")
    [{'line': 2, 'reason': 'invalid JSON'}]
    """

    def __init__(self, errors: ErrorsMode = "raise"):
        self.errors = check_errors_mode(errors)
        self._rows: list[tuple[str, int | None, str]] = []
        self._first_unit = "line"

    def add(self, source: str, line: int | None, reason: str, *, unit: str = "line") -> None:
        if self.errors == "raise":
            raise LoadError(source, line, reason, unit=unit) from None
        if not self._rows:
            self._first_unit = unit
        self._rows.append((str(source), line, reason))

    def __len__(self) -> int:
        return len(self._rows)

    def frame(self) -> pd.DataFrame:
        """One row per rejected record: ``source``, ``line``, ``reason`` (always these columns)."""
        source, line, reason = s.REJECTED_COLUMNS
        rows = self._rows
        return RejectedRecords({
            source: pd.Series([r[0] for r in rows], dtype=s.STRING_DTYPE),
            line: pd.array([r[1] for r in rows], dtype="Int64"),
            reason: pd.Series([r[2] for r in rows], dtype=s.STRING_DTYPE),
        })

    def warn(self) -> None:
        """Warn once with the count (``report`` mode), so skipped input is never silent; the first record is
        named as :class:`LoadError` names it.

        >>> import warnings
        >>> r = Rejects("report")
        >>> r.add("export.json", 12, "severity: unknown", unit="index")
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     r.warn()
        >>> "(first: export.json[12]: severity: unknown)" in str(caught[0].message)
        True
        """
        if self._rows:
            first = self._rows[0]
            warnings.warn(
                f"{len(self._rows)} record(s) could not be loaded and were skipped "
                f"(first: {LoadError(first[0], first[1], first[2], unit=self._first_unit)}); "
                f"see frame.attrs[{s.ATTR_REJECTED!r}]",
                stacklevel=4,  # Rejects.warn → Collector.finish → load/frame_from_entries → caller
            )
