"""The one base of every error triage raises on purpose: ``except triage.TriageError`` catches them all.

Each stage's error keeps its own name and also derives from the built-in it has always been (``LoadError`` is
still a ``ValueError``), so existing handlers keep working.

>>> from triage import LoadError, TriageError
>>> issubclass(LoadError, TriageError) and issubclass(LoadError, ValueError)
True
"""

from __future__ import annotations

__all__ = ["TriageError"]


class TriageError(Exception):
    """Base of ``LoadError``, ``CloudLoggingError``, ``RulesError``, ``BytesLimitExceeded`` and ``ChromiumMissing``."""
