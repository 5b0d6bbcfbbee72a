"""Tokens: the whitespace/punctuation split the generaliser works on, and its inverse.

A template is split into *words* and the *separators* between them (whitespace, quotes, brackets,
``=``, ``:``, ``,``...). Separators are part of a statement's shape; words are what may vary.

>>> words, seps = split("user=root, state: ok")
>>> words
('user', 'root', '', 'state', '', 'ok')
>>> join(words, seps)
'user=root, state: ok'
"""

from __future__ import annotations

import re

__all__ = ["join", "normalize", "scan", "split"]

# A placeholder (kept inside its word) or a separator (group 1).
_TOKEN = re.compile(r"<[a-z*]+>|(\s+|[=,;:()\[\]{}<>\"'|])")
# The same separators without the angle brackets, for templates whose only brackets are placeholders'.
_SEPARATOR = re.compile(r"(\s+|[=,;:()\[\]{}\"'|])")
_ONE_SPACE_SEPARATOR = re.compile(r"([ =,;:()\[\]{}\"'|])")  # where every whitespace is one space
_PLACEHOLDER = re.compile(r"<[a-z*]+>")
# Two or more of the same placeholder in a row (spaces or commas between) are one list of values.
_RUN = re.compile(r"(<[a-z]+>)(?:[ ,]+\1)+")


# Two or more words that are each a name with a number or a placeholder (an998 an999 <id>), space- or
# comma-separated, at least two of them names (runs of placeholders alone are _RUN's).
_ITEM = r"(?:[A-Za-z][\w\-]*\d[\w\-]*|<[a-z]+>)"
_NAMED_RUN = re.compile(rf"(?<![^\s,]){_ITEM}(?:[ ,]+{_ITEM})+(?![^\s,])")
_NAMED_WORD = re.compile(r"(?<![<\w])[A-Za-z][\w\-]*\d[\w\-]*")
# What every run of two or more numbered names holds: a name's digit, then a separator and the next item.
# A search that starts at a digit is far cheaper than _NAMED_RUN's, which tries every position.
_MAYBE_NAMED = re.compile(r"\d[\w\-]*[ ,]+(?:[A-Za-z]|<[a-z]+>)")


def collapse_named_runs(text: str, *, each: bool = False) -> str:
    """Each run of two or more numbered names (``an14 an15 an16``) as one ``<*>`` (``each``: one per name).

    >>> collapse_named_runs("cannot resolve hosts dn14 dn15, dn16 now")
    'cannot resolve hosts <*> now'
    >>> collapse_named_runs("cannot resolve hosts dn14 dn15, <id> now", each=True)
    'cannot resolve hosts <*> <*>, <id> now'
    """
    if _MAYBE_NAMED.search(text) is None:
        return text

    def one(run: re.Match) -> str:
        if len(_NAMED_WORD.findall(run.group(0))) < 2:  # one numbered word among values is a label (sum2)
            return run.group(0)
        return _NAMED_WORD.sub("<*>", run.group(0)) if each else "<*>"
    return _NAMED_RUN.sub(one, text)


def collapse_runs(text: str) -> str:
    """Each run of one placeholder written once, whatever its length.

    >>> collapse_runs("ask <ip> to delete <id> <id>, <id> <id>")
    'ask <ip> to delete <id>'
    """
    if "> " not in text and ">," not in text:  # a run's first placeholder is followed by one of these
        return text
    return _RUN.sub(r"\1", text)


def normalize(text: str, *, runs: bool = True) -> str:
    """Collapse whitespace, trailing periods and (with ``runs``) runs of one placeholder, so none splits a group.

    The generaliser collapses a run only where the statement logs lists of several lengths
    (``runs=False`` here, then :func:`collapse_runs`); a run of fixed length is part of its shape.

    >>> normalize("  Connection  closed by client. ")
    'Connection closed by client'
    >>> normalize("ask <ip> to delete <id> <id> <id> <id>")
    'ask <ip> to delete <id>'
    >>> normalize("REPORT : <num> <num> <num>", runs=False)
    'REPORT : <num> <num> <num>'
    """
    text = " ".join(text.split()).rstrip(".").rstrip()  # str.split's whitespace is re's \s
    return collapse_runs(text) if runs else text


def ending(text: str) -> str:
    """The trailing periods of ``text`` with the space before them, if any (``' ...'``, ``'.'``, ``''``).

    >>> ending("Will retry shortly ... "), ending("Done."), ending("Done")
    (' ...', '.', '')
    """
    text = text.rstrip()
    bare = text.rstrip(".")
    kept = bare.rstrip()
    return (" " if len(kept) < len(bare) and len(bare) < len(text) else "") + text[len(bare):]


def split(template: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split a (normalised, masked) template into its words and the separators between them.

    Placeholders such as ``<num>`` stay whole words even though ``<``/``>`` separate otherwise.
    """
    brackets = template.count("<")
    if brackets == template.count(">") and (not brackets or brackets == len(_PLACEHOLDER.findall(template))):
        # No bracket outside a placeholder: a split on the other separators, in C. Whitespace other
        # than single spaces is not printable.
        if template.isprintable() and "  " not in template:
            parts = _ONE_SPACE_SEPARATOR.split(template)
            return tuple(parts[0::2]), tuple(parts[1::2])
        parts = _SEPARATOR.split(template)
        return tuple(parts[0::2]), tuple(" " if sep[0].isspace() else sep for sep in parts[1::2])
    return scan(template)


def scan(template: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """:func:`split` by the plain scanner: any text, brackets outside placeholders included (the reference the
    fast paths of :func:`split` are tested against).

    >>> scan("a<b <num> c")
    (('a', 'b', '<num>', 'c'), ('<', ' ', ' '))
    """
    words: list[str] = []
    seps: list[str] = []
    start = 0
    for match in _TOKEN.finditer(template):
        sep = match.group(1)
        if sep is None:  # a placeholder: part of the current word
            continue
        words.append(template[start:match.start()])
        seps.append(" " if sep[0].isspace() else sep)
        start = match.end()
    words.append(template[start:])
    return tuple(words), tuple(seps)


def join(words: tuple[str, ...] | list[str], seps: tuple[str, ...]) -> str:
    """Inverse of :func:`split`."""
    if len(seps) == len(words) - 1:  # as split leaves them: interleave by slices, in C
        out = [""] * (2 * len(words) - 1)
        out[0::2], out[1::2] = words, seps
        return "".join(out)
    out = [words[0]]
    for sep, word in zip(seps, words[1:]):
        out.append(sep)
        out.append(word)
    return "".join(out)
