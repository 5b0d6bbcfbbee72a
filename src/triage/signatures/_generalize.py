"""Generalisation: the order-independent step from distinct masked templates to final templates.

Masking catches what looks variable on its own (numbers, ids, addresses). What is left varies
only *relative to other messages*: a user name, a host, a state. This step compares masked
templates that share a shape (the same separators, hence the same number of words) and decides,
position by position, whether a word is part of the statement or a value logged by it.

Within one shape, each template's words are scored by how many distinct templates carry the same
word at the same position. A statement's constant words are shared by all its variants, so the
score that most of a template's words share marks its *root*; words scoring at least that much are
constant and define the template's cluster. At the remaining positions of a cluster:

- values that are variables on their own (only placeholders, a compound id with digits such as
  ``e2e-staging_pipeline``, a partly masked compound such as ``dsl-<num>.example.at``) are
  generalised when the cluster holds two or more of them;
- plain words (``client``, ``eth0``, ``a.b.c``) are generalised when at least :data:`WORD_VALUES`
  distinct ones occur, except in first position, because a few alternatives (``client``/``server``,
  ``Started``/``Paused``) usually name different statements; or, with two or more values or next
  to a placeholder, when a key announces them (after ``=``/``:`` or a noun such as ``user``);
- enum-like words (``RUNNING``, ``android.intent.action.SCREEN_ON``) are never generalised.

Every decision uses sets of distinct templates, never counts of rows or input order, so the result
is the same for any order and any duplication; and the work is linear in the number of templates
(one pass to score, one to cluster; no pairwise comparison).

``triage.remote`` calls :func:`generalize` on the distinct masked templates it aggregates in SQL.

>>> out = generalize(["Invalid user_id format: <num>", "Invalid user_id format: e2e-staging_pipeline"])
>>> sorted(set(out.values()))
['Invalid user_id format: <*>']
>>> generalize(["Connection closed by client", "Connection closed by server"])["Connection closed by client"]
'Connection closed by client'
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from triage.signatures._masking import PLACEHOLDER_RE
from triage.signatures._tokens import join, normalize, split

#: Distinct plain words at one position from which that position counts as a variable.
WORD_VALUES = 5
#: What the generaliser writes for a position it decides is variable.
WILDCARD = "<*>"
#: Nouns that announce a value: the word after them varies even with few alternatives seen.
ENTITY_NOUNS = frozenset({
    "user", "users", "username", "userid", "user_id", "login", "logname", "account", "owner", "host",
    "hostname", "node", "file", "filename", "path", "dir", "directory", "domain", "name", "id", "uid",
    "key", "table", "database", "db", "queue", "topic", "bucket", "project", "tenant", "repo", "branch",
    "model", "session", "client_id", "email", "org", "team", "device", "container", "pod", "instance",
})

_DIGIT = re.compile(r"\d")
_LETTER = re.compile(r"[^\W\d_]")
# Enum constants, bare or qualified: NEW, FAIL_TASK_CLEANUP, android.intent.action.SCREEN_ON
_UPPER_ENUM = re.compile(r"(?:[\w$]+\.)*[A-Z][A-Z0-9_]+")
_COMPOUND = re.compile(r"[._\-/@]")
_JOINED = re.compile(r"\w[._\-/@]\w")


@dataclass(frozen=True)
class Decision:
    """Why a position of a cluster became a wildcard: the values seen there across the cluster."""

    position: int
    values: tuple[str, ...]
    reason: str


def _stem(word: str) -> str:
    return PLACEHOLDER_RE.sub("", word)


def _looks_variable(word: str) -> bool:
    """A value on its own: only placeholders and punctuation, or a compound id that holds digits.

    Plain words, short names with a digit (``eth0``, ``SOCKS5``) and enum-like words are not.
    """
    stem = _stem(word)
    if not _LETTER.search(stem):
        return True
    if stem != word and _JOINED.search(stem):  # partly masked compound: x-<num>.example.at
        return True
    digits = len(_DIGIT.findall(stem))
    return digits >= 2 or (digits >= 1 and _COMPOUND.search(stem) is not None)


def _cluster_key(words: tuple[str, ...], score: Counter) -> tuple[str | None, ...]:
    scores = [score[pair] for pair in enumerate(words)]
    tally = Counter(scores)
    root = max(tally, key=lambda s: (tally[s], s))
    return tuple(w if s >= root else None for w, s in zip(words, scores))


def _announced(position: int, key: tuple[str | None, ...], seps: tuple[str, ...]) -> bool:
    """The word is quoted, or follows ``=``/``:`` or an entity noun such as ``user``: it names a value."""
    if position == 0:
        return False
    before = seps[position - 1]
    if before in ("=", ":"):
        return True
    if before in ("'", '"') and position < len(seps) and seps[position] == before:
        return True
    # The nearest word before it (quotes and brackets leave empty words between).
    back = position - 1
    while back > 0 and key[back] == "":
        back -= 1
    previous = key[back]
    return previous is not None and previous.lower() in ENTITY_NOUNS and seps[back] in (" ", "'", '"')


def _decide(members: list[tuple[str, ...]], key: tuple[str | None, ...],
            seps: tuple[str, ...]) -> dict[int, Decision]:
    """Positions of one cluster to generalise, with the values behind each."""
    decisions: dict[int, Decision] = {}
    for position, fixed in enumerate(key):
        if fixed is not None:
            continue
        values = {m[position] for m in members}
        variable = {v for v in values if _looks_variable(v)}
        words = values - variable
        stems = {_stem(v) for v in words}
        if len(stems) == 1 and len(words) > 1:  # they differ only inside placeholders
            variable, words = variable | words, set()
        chosen: set[str] = set()
        reasons = []
        if len(variable) >= 2:
            chosen |= variable
            reasons.append("variable-looking values differ")
        announced = _announced(position, key, seps)
        enums = {w for w in words if _UPPER_ENUM.fullmatch(_stem(w))}
        countable = words - enums
        if position > 0 and len(countable) >= WORD_VALUES:
            chosen |= countable
            reasons.append(f"{len(countable)} distinct words (>= {WORD_VALUES})")
        elif countable and announced and (len(countable) >= 2 or variable):
            chosen |= countable | variable
            reasons.append("words after a key or entity noun differ")
        if chosen:
            decisions[position] = Decision(position, tuple(sorted(chosen)), "; ".join(reasons))
    return decisions


@dataclass(frozen=True)
class Generalized:
    """The outcome for one masked template: its final template and the decisions that made it."""

    template: str
    decisions: tuple[Decision, ...]
    cluster: tuple[str, ...]


def generalize_detail(masked: Iterable[str]) -> dict[str, Generalized]:
    """Like :func:`generalize`, keeping for each template the decisions and its cluster's members."""
    raw = set(masked)
    normal = {m: normalize(m) for m in raw}
    distinct = sorted(set(normal.values()))
    shapes: dict[tuple[str, ...], dict[tuple[str, ...], str]] = defaultdict(dict)
    for template in distinct:
        words, seps = split(template)
        shapes[seps][words] = template

    out: dict[str, Generalized] = {}
    for seps, group in shapes.items():
        score: Counter = Counter(pair for words in group for pair in enumerate(words))
        clusters: dict[tuple, list[tuple[str, ...]]] = defaultdict(list)
        for words in group:
            clusters[_cluster_key(words, score)].append(words)
        for key, members in clusters.items():
            decisions = _decide(members, key, seps)
            names = tuple(group[m] for m in members)
            for words, name in zip(members, names):
                applied = [d for d in decisions.values() if words[d.position] in d.values]
                final = name
                if applied:
                    generalised = list(words)
                    for decision in applied:
                        generalised[decision.position] = WILDCARD
                    final = join(generalised, seps)
                out[name] = Generalized(final, tuple(applied), names)
    return {m: out[normal[m]] for m in raw}


def generalize(masked: Iterable[str]) -> dict[str, str]:
    """Map each distinct masked template to its final template.

    Parameters
    ----------
    masked : iterable of str
        Masked templates, as the masking table leaves them (duplicates and order do not matter);
        whitespace, trailing periods and runs of one placeholder are normalised here.

    Returns
    -------
    dict
        ``{masked template: final template}`` for every distinct input.

    Examples
    --------
    >>> users = [f"session opened for user {u}" for u in ["root", "news", "cyrus", "test", "guest"]]
    >>> set(generalize(users).values())
    {'session opened for user <*>'}
    """
    return {name: result.template for name, result in generalize_detail(masked).items()}
