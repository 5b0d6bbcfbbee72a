"""The grouping key pushed down: each message masked by the table, as SQL, as fine as the signature pipeline.

:mod:`triage.signatures._pipeline` templates a message in one of three ways; the key tells them apart
(``kind``) and is at least as fine as each:

- a plain message (``kind = 'P'``): the masking table applied in order — the masked template the
  generaliser receives;
- a request line (``'R'``, the pipeline's request pattern): the message masked without the ``path`` rule
  (routes keep their words) plus its status code (the one number a request template keeps);
- a traceback (``'T'``): the masked message, finer than the pipeline's exception type and innermost frame.

Masking runs once per *digit shape* (every ASCII digit replaced by ``0``), as in the pipeline: the table is
digit-agnostic, and a shape whose masked form still holds a digit is masked again from the message.

The key only has to be *as fine as* the pipeline's masked template: messages sharing a key must share a
template. :mod:`triage.remote._finalize` then runs the real pipeline on one message per key; since the
generaliser depends only on the *set* of distinct masked templates, each key maps to the final template it
would have had on the full frame. (A masked traceback could in principle merge two tracebacks whose
exception type or frame differ only inside a masked span, e.g. ``/app/v20250101/x.py``.)
"""

from __future__ import annotations

from sqlglot import exp

from triage.remote._compile import concat, contains, extract, literal, mask
from triage.remote._dialects import fragment
from triage.signatures.masking import MASKS
from triage.signatures.patterns import REQUEST_PATTERN, STATUS_CAPTURE, TRACEBACK_PATTERN

__all__ = ["key", "KEY", "KIND", "kind", "masked", "REQUEST_SKIP", "SEPARATOR", "suffix"]

KIND = "kind"
KEY = "key"
PLAIN, TRACEBACK, REQUEST = "P", "T", "R"
#: Between a request line's masked text and its status code in the key.
SEPARATOR = "\x00"
#: Rules a request line's route is not masked with (as :func:`triage.signatures._requests._route`): a request
#: key keeps the path's words, which the route keeps.
REQUEST_SKIP = ("path",)


def kind(message: exp.Expr) -> exp.Expr:
    """'T' (traceback), 'R' (request line) or 'P' (plain), in the pipeline's order of tests."""
    return fragment("CASE WHEN {tb} THEN 'T' WHEN {req} THEN 'R' ELSE 'P' END",
                    tb=contains(message, TRACEBACK_PATTERN), req=contains(message, REQUEST_PATTERN))


def masked(message: exp.Expr, kind_column: exp.Expr) -> exp.Expr:
    """The masking table over a message of :func:`kind` ``kind_column`` (request lines keep their paths)."""
    return fragment("IF({k} = 'R', {request}, {plain})", k=kind_column,
                    request=mask(message, [r for r in MASKS if r.name not in REQUEST_SKIP]), plain=mask(message))


def suffix(message: exp.Expr, kind_column: exp.Expr) -> exp.Expr:
    """What a key adds to the masked message: a request line's status code."""
    status = fragment("COALESCE({s}, '')", s=extract(message, STATUS_CAPTURE))
    return fragment("IF({k} = 'R', {tail}, '')", k=kind_column, tail=concat(literal(SEPARATOR), status))


def key(message: exp.Expr, kind_column: exp.Expr) -> exp.Expr:
    """The grouping key of a message whose :func:`kind` is ``kind_column``."""
    return concat(masked(message, kind_column), suffix(message, kind_column))
