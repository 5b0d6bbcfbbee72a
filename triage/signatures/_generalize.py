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
  generalised when the cluster holds two or more of them; bare punctuation (``****``, ``--``) is a
  marker written instead of a value, a constant;
- units that differ right after a value (``<num> msecs`` / ``<num> micros``) join its wildcard;
- plain words (``client``, ``eth0``, ``a.b.c``) are generalised when at least :data:`WORD_VALUES`
  distinct ones occur, except in first position, because a few alternatives (``client``/``server``,
  ``Started``/``Paused``) usually name different statements; or, with two or more values or next
  to a placeholder, when a key announces them (after ``=``/``:`` or a noun such as ``user``);
- enum-like words (``RUNNING``, ``android.intent.action.SCREEN_ON``) are generalised only as the
  value of a ``key=`` with at least :data:`WORD_VALUES` distinct ones (``queryType=A``, ``AAAA``...).

Before that, a run of one placeholder (``<num> <num> <num>``) is written once only where templates
differing in nothing but that run's length exist (:func:`normal_forms`).

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
from itertools import compress

from triage.signatures._masking import PLACEHOLDER_RE, UNIT
from triage.signatures._tokens import collapse_named_runs, collapse_runs, ending, join, normalize, split

__all__ = [
    "Decision", "ENTITY_NOUNS", "fold", "FOLD_MIN_CONSTANTS", "generalize", "generalize_detail", "Generalized",
    "NAME_VALUES", "shipped", "TUNABLE", "WILDCARD", "WORD_VALUES"
]

#: Distinct plain words at one position from which that position counts as a variable.
WORD_VALUES = 5
#: Distinct *names* (identifiers joined by ``.``/``_``/``-``/``/`` or in camelCase: ``gpt-4o``,
#: ``com.tencent.mm``, ``triage_agent``) at one position from which it counts as a variable.
NAME_VALUES = 2
#: A template folds into another whose wildcards match it only if that one keeps this many constant words.
FOLD_MIN_CONSTANTS = 2
#: The thresholds above and the grid the accuracy benchmark chooses them from, leaving one dataset out.
TUNABLE: dict[str, tuple[int, ...]] = {"WORD_VALUES": (3, 4, 5, 6), "NAME_VALUES": (2, 3, 4),
                                       "FOLD_MIN_CONSTANTS": (1, 2, 3)}
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
_CONSTANT_WORD = re.compile(r"[^\W\d_]")


def shipped() -> dict[str, int]:
    """The thresholds in force (names from :data:`TUNABLE`)."""
    return {name: globals()[name] for name in TUNABLE}


def _is_name(word: str) -> bool:
    """An identifier-like word joined by ``.``/``_``/``-``/``/``/``@`` (``gpt-4o``, ``com.tencent.mm``,
    ``triage_agent``), not an enum. camelCase words are not: they are mostly names in the code."""
    if word != _stem(word) or not _LETTER.search(word) or _UPPER_ENUM.fullmatch(word):
        return False
    return _JOINED.search(word) is not None or word.startswith("/")  # /favicon.ico, /adsasd: a route or file


@dataclass(frozen=True)
class Decision:
    """Why a position of a cluster became a wildcard: the values seen there across the cluster."""

    position: int
    values: tuple[str, ...]
    reason: str
    #: The position is a unit after a value (``<num> KB`` / ``<num> MB``): it joins that value's wildcard.
    unit: bool = False


def _stem(word: str) -> str:
    return PLACEHOLDER_RE.sub("", word) if "<" in word else word  # every placeholder starts with "<"


def _is_value(word: str) -> bool:
    """Only placeholders (``<num>``, ``<*>``)."""
    return bool(word) and not _stem(word)


def _looks_variable(word: str) -> bool:
    """A value on its own: placeholders or digits with punctuation only, or a compound id that holds digits.

    Plain words, short names with a digit (``eth0``, ``SOCKS5``), enum-like words and bare punctuation
    (``****``, ``-``: a marker such as an unreadable sensor, written in place of a value) are not.
    """
    stem = _stem(word)
    if not _LETTER.search(stem):
        return stem != word or _DIGIT.search(stem) is not None or not stem
    if stem != word and _JOINED.search(stem):  # partly masked compound: x-<num>.example.at
        return True
    digits = len(_DIGIT.findall(stem))
    return digits >= 2 or (digits >= 1 and _COMPOUND.search(stem) is not None)


def _announced(position: int, key: tuple[str | None, ...], seps: tuple[str, ...]) -> bool:
    """The word is quoted, or follows ``=``/``:`` or an entity noun such as ``user``: it names a value."""
    if position == 0:
        return False
    before = seps[position - 1]
    scope = before == ":" and position >= 2 and seps[position - 2] == ":" and key[position - 1] == ""
    if before in ("=", ":") and not scope:  # Class::method is a name in the code, not key: value
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
        if (position > 0 and seps[position - 1] == " " and len(words) >= 2
                and all(UNIT.fullmatch(w) for w in words) and all(_is_value(m[position - 1]) for m in members)):
            decisions[position] = Decision(position, tuple(sorted(words)), "units after a value differ", unit=True)
            continue
        chosen: set[str] = set()
        reasons = []
        if len(variable) >= 2:
            chosen |= variable
            reasons.append("variable-looking values differ")
        announced = _announced(position, key, seps)
        enums = {w for w in words if _UPPER_ENUM.fullmatch(_stem(w))}
        countable = words - enums
        names = {w for w in countable if _is_name(w)}
        # A few enum constants name cases (action=ACTION_DOWN / ACTION_UP); many after a key=value's "="
        # are its values (queryType=A, AAAA, MX, NS, TXT).
        keyed = words if position > 0 and seps[position - 1] == "=" else countable
        if position > 0 and len(keyed) >= WORD_VALUES:
            chosen |= keyed
            reasons.append(f"{len(keyed)} distinct words (>= {WORD_VALUES})")
        elif (len(names) >= NAME_VALUES and len(names) == len(countable)
              and (position > 0 or all("." in n for n in names))):  # first word: dotted process names only
            chosen |= countable
            reasons.append(f"{len(names)} distinct names (>= {NAME_VALUES})")
        elif countable and announced and (len(countable) >= 2 or variable):
            chosen |= countable | variable
            reasons.append("words after a key or entity noun differ")
        if chosen:
            decisions[position] = Decision(position, tuple(sorted(chosen)), "; ".join(reasons))
    return decisions


@dataclass(frozen=True)
class Generalized:
    """The outcome for one masked template: its final template and the decisions that made it.

    ``folded_from`` is the template it had before folding into ``template``, whose wildcards match it
    (None when it did not fold); ``normal`` the normalised masked template the decisions' positions refer to.
    """

    template: str
    decisions: tuple[Decision, ...]
    cluster: tuple[str, ...]
    folded_from: str | None = None
    normal: str = ""


# A word that holds no letter outside placeholders (<num>, 42, <*>:<*>): a value wherever it stands.
_VALUE_WORD = r"(?:<[a-z*]+>|[^\sA-Za-z<>])+"
# In a template folded into another: what each placeholder of the more general one may stand for.
# ``<*>`` is one token, or several words that are all values (a list of numbers); never words with
# letters, which would let ``for <*> from`` swallow ``for invalid user <*> from``.
_FOLD_PIECES = {"<*>": rf"(?:\S+?|{_VALUE_WORD}(?:\s+{_VALUE_WORD})+)", "<list>": r"[^\[\]]*?"}
_PLAIN_WORD = re.compile(r"[A-Za-z]+")


def _literal_size(template: str) -> int:
    return len(_stem(template))


def _constant_words(template: str) -> int:
    return sum(1 for w in split(template)[0] if w and w == _stem(w) and _CONSTANT_WORD.search(w))


def _ends(template: str) -> tuple[str, str]:
    """The literal text before the first and after the last placeholder (a template has at least one)."""
    pieces = PLACEHOLDER_RE.split(template)
    return pieces[0], pieces[-1]


def _matcher(template: str) -> re.Pattern | None:
    """A regex matching the templates ``template`` generalises: ``<*>`` stands for any text, other
    placeholders for themselves; None without a wildcard."""
    pieces = PLACEHOLDER_RE.split(template)
    found = PLACEHOLDER_RE.findall(template)
    if not any(p in _FOLD_PIECES for p in found):
        return None
    body = re.escape(pieces[0])
    for number, (placeholder, piece) in enumerate(zip(found, pieces[1:])):
        body += f"(?P<w{number}>{_FOLD_PIECES.get(placeholder, re.escape(placeholder))}){re.escape(piece)}"
    return re.compile(body, re.DOTALL)


def _folds(template: str, general: str, matcher: re.Pattern) -> bool:
    """``general``'s wildcards match ``template``; a leading one never stands for a plain word there
    (``<*> startup succeeded`` is not ``syslogd startup succeeded``)."""
    match = matcher.fullmatch(template)
    if match is None:
        return False
    return not (general.startswith("<") and _PLAIN_WORD.fullmatch(match.group("w0")))


def fold(finals: Iterable[str]) -> dict[str, str]:
    """Templates matched by another template's wildcards, each mapped to the most specific one matching it.

    A template ``T`` folds into ``W`` when ``W``'s ``<*>`` (any text, one or many words) and ``<list>``
    placeholders can stand for parts of ``T`` and ``W`` keeps at least :data:`FOLD_MIN_CONSTANTS`
    constant words; the most specific ``W`` (most literal characters, then alphabetical) wins, and
    chains resolve to their end. Only the set of templates matters, never their order.

    >>> fold(["Invalid user <*> from <ip>", "Invalid user FILTER from <ip>", "VM Started"])
    {'Invalid user FILTER from <ip>': 'Invalid user <*> from <ip>'}
    """
    templates = sorted(set(finals))
    general = []
    for template in templates:
        if "<*>" not in template and "<list>" not in template:  # no placeholder of _FOLD_PIECES
            continue
        matcher = _matcher(template)
        if matcher is not None and _constant_words(template) >= FOLD_MIN_CONSTANTS:
            general.append((template, matcher, _literal_size(template), *_ends(template)))
    # Most specific first, so the first match is the one kept; bucketed by the literal text a general
    # template starts with (its first two characters), which the templates it matches start with too.
    general.sort(key=lambda g: (-g[2], g[0]))
    buckets: dict[str, list] = defaultdict(list)
    for entry in general:
        buckets["" if "<" in entry[0][:2] else entry[0][:2]].append(entry)
    into: dict[str, str] = {}
    if not general:
        return into
    merged: dict[str, list] = {}  # candidates per first two characters, most specific first
    for template in templates:
        candidates = merged.get(template[:2])
        if candidates is None:
            candidates = buckets.get(template[:2], []) + buckets.get("", [])
            if template[:2] in buckets and "" in buckets:
                candidates.sort(key=lambda g: (-g[2], g[0]))
            merged[template[:2]] = candidates
        size = None
        for candidate, matcher, literal, head, tail in candidates:
            # The template must start and end with the candidate's literal ends for its matcher to match
            # (cheap tests first); strictly fewer literal characters: folding never goes in a circle.
            if not (template.startswith(head) and template.endswith(tail)):
                continue
            if size is None:
                size = _literal_size(template)
            if literal < size and _folds(template, candidate, matcher):
                into[template] = candidate
                break
    for template in list(into):
        target = into[template]
        while target in into:
            target = into[target]
        into[template] = target
    return into


def _with_period(finals: dict[str, str], raw: Iterable[str]) -> dict[str, str]:
    """The trailing periods every message of a final template ends with (`` ...`` with its space), put back
    for display."""
    endings: dict[str, set[str]] = defaultdict(set)
    for name in raw:
        endings[finals[name]].add(ending(name))
    return {final: final + next(iter(ends)) if len(ends) == 1 else final for final, ends in endings.items()}


def normal_forms(masked: Iterable[str]) -> dict[str, str]:
    """Each masked template normalised (:func:`~triage.signatures._tokens.normalize`), a run of one
    placeholder (or of numbered names: ``an14 an15``) collapsed only where templates that differ in nothing
    but run lengths exist: a list logged with several lengths is one value, four numbers always logged
    together are four.

    >>> sorted(set(normal_forms(["ids <num> <num>", "ids <num> <num> <num>", "at <num> <num>"]).values()))
    ['at <num> <num>', 'ids <num>']
    """
    spaced = {m: normalize(m, runs=False) for m in set(masked)}
    collapsed: dict[str, str] = {}
    lengths: dict[str, set[str]] = defaultdict(set)
    for text in set(spaced.values()):
        named = collapse_named_runs(text)
        short = collapsed[text] = collapse_runs(named)
        # The run lengths seen, values aside (a text without a run of names is its own such form).
        lengths[short].add(text if named == text else collapse_named_runs(text, each=True))
    return {m: collapsed[t] if len(lengths[collapsed[t]]) > 1 else t for m, t in spaced.items()}


def _outcomes(masked: Iterable[str]) -> tuple[set[str], dict[str, str], dict[str, tuple]]:
    """The distinct inputs, their normal forms, and for each normal form its generalised template (before
    folding), the decisions applied to it and its cluster's members."""
    raw = set(masked)
    normal = normal_forms(raw)
    shapes: dict[tuple[str, ...], dict[tuple[str, ...], str]] = defaultdict(dict)
    for template in sorted(set(normal.values())):
        words, seps = split(template)
        shapes[seps][words] = template
    # With these thresholds a cluster of one template has no position to generalise (see _decide).
    inert = WORD_VALUES >= 2 and NAME_VALUES >= 2
    found: dict[str, tuple] = {}
    for seps, group in shapes.items():
        if len(group) == 1 and inert:
            (name,) = group.values()
            found[name] = (name, (), (name,))
            continue
        # A word's score: how many templates of the shape carry it at its position (column by column).
        columns = list(zip(*group))
        scores = zip(*[list(map(Counter(column).__getitem__, column)) for column in columns])
        kept: dict[tuple[int, ...], tuple[bool, ...]] = {}  # score row -> the words at or above its root
        clusters: dict[tuple, list[tuple[str, ...]]] = defaultdict(list)
        for words, row in zip(group, scores):
            keep = kept.get(row)
            if keep is None:
                tally: dict[int, int] = {}
                for score in row:
                    tally[score] = tally.get(score, 0) + 1
                # The score most words share is the root (the higher on a tie).
                root = max(tally, key=lambda score: (tally[score], score))
                keep = kept[row] = tuple(score >= root for score in row)
            clusters[keep, tuple(compress(words, keep))].append(words)
        for (keep, _), members in clusters.items():
            names = tuple(group[m] for m in members)
            if len(members) == 1 and inert:
                found[names[0]] = (names[0], (), names)
                continue
            key = tuple(w if k else None for w, k in zip(members[0], keep))
            decisions = [(d, frozenset(d.values)) for d in _decide(members, key, seps).values()]
            if not decisions:
                for name in names:
                    found[name] = (name, (), names)
                continue
            units = any(d.unit for d, _ in decisions)
            for words, name in zip(members, names):
                applied = tuple(d for d, values in decisions if words[d.position] in values)
                final = name
                if applied:
                    generalised, between = list(words), seps
                    for decision in applied:
                        generalised[decision.position] = WILDCARD
                    if units:
                        joined_seps = list(seps)
                        for decision in sorted(applied, key=lambda d: -d.position):
                            if decision.unit:  # "<num> KB" -> one wildcard for the value with its unit
                                generalised[decision.position - 1] = WILDCARD
                                del generalised[decision.position], joined_seps[decision.position - 1]
                        between = tuple(joined_seps)
                    final = join(generalised, between)
                found[name] = (final, applied, names)
    return raw, normal, found


def generalize_detail(masked: Iterable[str]) -> dict[str, Generalized]:
    """Like :func:`generalize`, keeping for each template the decisions and its cluster's members."""
    raw, normal, found = _outcomes(masked)
    into = fold({final for final, _, _ in found.values()})
    shown = _with_period({m: into.get(found[normal[m]][0], found[normal[m]][0]) for m in raw}, raw)
    detail = {}
    for name, (final, applied, cluster) in found.items():
        folded = into.get(final)
        detail[name] = Generalized(shown[final if folded is None else folded], applied, cluster,
                                   None if folded is None else final, name)
    return {m: detail[normal[m]] for m in raw}


def generalize(masked: Iterable[str]) -> dict[str, str]:
    """Map each distinct masked template to its final template.

    Parameters
    ----------
    masked : iterable of str
        Masked templates, as the masking table leaves them (duplicates and order do not matter);
        whitespace, trailing periods and runs of one placeholder are normalised here (a trailing
        period every message of a template ends with is written back).

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
    raw, normal, found = _outcomes(masked)
    into = fold({final for final, _, _ in found.values()})
    finals = {m: into.get(found[normal[m]][0], found[normal[m]][0]) for m in raw}
    shown = _with_period(finals, raw)
    return {m: shown[final] for m, final in finals.items()}
