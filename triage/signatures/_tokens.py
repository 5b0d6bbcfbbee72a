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

__all__ = ["join", "normalize", "split"]

# A placeholder (kept inside its word) or a separator (group 1).
_TOKEN = re.compile(r"<[a-z*]+>|(\s+|[=,;:()\[\]{}<>\"'|])")
_SPACES = re.compile(r"\s+")
# Three or more of the same placeholder in a row are one list of values, whatever its length.
_RUN = re.compile(r"(<[a-z]+>)(?:[ ,]+\1){2,}")


def normalize(text: str) -> str:
    """Collapse whitespace, runs of one placeholder, and trailing periods, so none splits a group.

    >>> normalize("  Connection  closed by client. ")
    'Connection closed by client'
    >>> normalize("ask <ip> to delete <id> <id> <id> <id>")
    'ask <ip> to delete <id>'
    """
    return _RUN.sub(r"\1", _SPACES.sub(" ", text).strip().rstrip(".").rstrip())


def split(template: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split a (normalised, masked) template into its words and the separators between them.

    Placeholders such as ``<num>`` stay whole words even though ``<``/``>`` separate otherwise.
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
    out = [words[0]]
    for sep, word in zip(seps, words[1:]):
        out.append(sep)
        out.append(word)
    return "".join(out)
