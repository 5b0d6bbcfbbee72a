"""The user of a row in SQL: the structured ``user_id``, else the id its text names (triage.identity's rules).

Pushed down: ``add_users``' ``structured`` and ``text`` evidence — the first user mention of the message's own
text (a traceback's frame and code lines removed), whole (not truncated, not the start of an email), not a word
of :data:`triage.identity.NOT_USERS`, and nobody when the first and last mentions name different ids (several
users). Resolving truncated ids, keys (emails, connections, requests) and traces needs the whole frame and stays
local.

>>> from triage.remote._dialects import render
>>> "REGEXP_EXTRACT" in render(row_user(exp.column("user_id"), own_text(exp.column("message"))), "bigquery")
True
"""

from __future__ import annotations

from sqlglot import exp

from triage import identity as i
from triage.remote._compile import literal
from triage.remote._dialects import fragment

__all__ = ["own_text", "row_user"]

#: One mention as a whole match (no capturing group: BigQuery's REGEXP_EXTRACT then returns the match).
_MENTION = (f"{i.MENTION_HEAD}(?:{i.KEYED}{i.ID}(?:{i.TRUNCATION})?@?"
            f"|{i.PROSE}{i.ID_LIKE}(?:{i.TRUNCATION})?@?)")
_FIRST = f"(?i){_MENTION}"
_LAST = f"(?is)^.*({_MENTION})"  # greedy: the last mention
_CUT = f"(?:{i.TRUNCATION}|@)$"  # a truncated id or an email's start: not a whole id
_TOKEN = f"({i.ID})$"


def _id(mention: exp.Expr) -> exp.Expr:
    """The whole id a matched mention ends with, or NULL (truncated, email, a word that names nobody)."""
    words = ", ".join(literal(w).sql("bigquery") for w in sorted(i.NOT_USERS))
    token = fragment("REGEXP_EXTRACT({m}, {p})", m=mention, p=literal(_TOKEN))
    return fragment(f"IF(REGEXP_CONTAINS({{m}}, {{cut}}) OR LOWER({{t}}) IN ({words}) "
                    f"OR REGEXP_CONTAINS({{t}}, {{number}}), NULL, {{t}})",
                    m=mention, cut=literal(_CUT), t=token, number=literal(i.DECIMAL))


def own_text(message: exp.Expr) -> exp.Expr:
    """SQL for :func:`triage.identity.own_text`: a traceback's message without its frame and code lines."""
    return fragment("IF(REGEXP_CONTAINS({m}, {frame}), REGEXP_REPLACE({m}, {code}, ''), {m})", m=message,
                    frame=literal(i.TRACEBACK_FRAME), code=literal(i.CODE_LINE))


def row_user(user_id: exp.Expr, own: exp.Expr) -> exp.Expr:
    """SQL for a row's user: ``user_id`` when present (NULL when it is empty or a non-person word), else the id
    the message's own text (``own``, see :func:`own_text`) names."""
    first = _id(fragment("REGEXP_EXTRACT({o}, {p})", o=own, p=literal(_FIRST)))
    last = _id(fragment("REGEXP_EXTRACT({o}, {p})", o=own, p=literal(_LAST)))
    text = fragment("IF({f} IS NOT NULL AND {l} IS NOT NULL AND {f} != {l}, NULL, {f})", f=first, l=last)
    words = ", ".join(literal(w).sql("bigquery") for w in sorted(i.NOT_USERS))
    return fragment(f"CASE WHEN {{u}} IS NULL THEN IF(STRPOS(LOWER({{o}}), 'user') > 0, {{t}}, NULL) "
                    f"WHEN LOWER(TRIM({{u}})) IN ({words}) THEN NULL ELSE TRIM({{u}}) END",
                    u=user_id, o=own, t=text)
