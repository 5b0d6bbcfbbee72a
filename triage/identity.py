"""Who a log entry is about: the identity rules shared by ``add_users`` (analysis) and redaction (sources).

One copy of what a user id looks like in text, which words fill a user slot but name nobody, and which part of
a message is the message's own text (not source code quoted by a traceback). ``triage.analysis.add_users``
runs the patterns as RE2 over distinct messages (pyarrow); ``triage.sources`` redaction runs the same patterns
with Python's ``re`` in ASCII mode (RE2's ``\\w`` is ASCII), so every id ``add_users`` can name is an id
redaction learns and pseudonymises.

>>> mentioned_ids("User bob_smith has reached the limit")
['bob_smith']
>>> mentioned_ids("User has reached the limit"), mentioned_ids("db=,user= LOG:  checkpoint starting")
([], [])
>>> is_person("  Anonymous "), is_person("u-42")
(False, True)
"""

from __future__ import annotations

import re

__all__ = [
    "CODE_LINE",
    "DECIMAL",
    "ID",
    "ID_LIKE",
    "KEYED",
    "MENTION_HEAD",
    "NON_USER_MENTION",
    "NOT_USERS",
    "PROSE",
    "TRACEBACK_FRAME",
    "TRUNCATION",
    "USER_MENTION",
    "USERS_LIST",
    "WORKLOAD_PREFIX",
    "WORKLOAD_SUFFIX",
    "is_person",
    "is_workload",
    "mentioned_ids",
    "own_text",
    "replace_mentions",
]

#: Values that fill a user slot (a user field, "for user X") but name no person (compared stripped, lower-case).
NOT_USERS = frozenset({
    "", "-", "system", "anonymous", "anon", "unknown", "none", "null", "nil", "guest", "admin", "root",
    "undefined", "default", "n/a", "na", "user", "users", "everyone", "all", "nobody", "service", "internal",
})

#: A user id after a key ("user_id=X"): word characters and "-", dots inside ("release-v1.2.3") but not at its end.
ID = r"[\w-]+(?:\.[\w-]+)*"
#: A user id in prose ("User X has"): it also needs a digit, "_" or "-", so "User has reached" names nobody.
ID_LIKE = r"[\w-]*[\d_-][\w-]*(?:\.[\w-]+)*"
#: The words that open a user mention ("user", "User", "user_id", "user id format", "user-id").
MENTION_HEAD = r"\buser(?:[ _-]?id)?['\"]?(?:\s+format)?"
#: Between the head and a keyed id ("user_id=X", "user_id: X"); after "=" the value starts at once.
KEYED = r"\s*(?:=|:\s*)['\"]?"
#: Between the head and an id in prose ("User X has").
PROSE = r"\s+['\"]?"
#: A truncation mark right after an id ("10594514..."), and "@" (the id is the start of an email).
TRUNCATION = r"\.\.\.|…"
_TAIL = rf"(?P<{{0}}tr>{TRUNCATION})?(?P<{{0}}next>@)?"
#: "user_id=X", "user_id: X", "user id format: X", "User X has", "for user X", "User 10594514... still".
#: Groups: ``kid`` (after a key) or ``pid`` (in prose) is the id; ``ktr``/``ptr`` a truncation mark;
#: ``knext``/``pnext`` an "@" right after it.
USER_MENTION = (
    rf"(?i){MENTION_HEAD}(?:"
    rf"{KEYED}(?P<kid>{ID}){_TAIL.format('k')}"
    rf"|{PROSE}(?P<pid>{ID_LIKE}){_TAIL.format('p')})"
)
#: A list of several user ids after "users" ("for users [1051..., 1082...]", "users: a-1, b-2"): the entry names
#: several users and belongs to none of them.
USERS_LIST = rf"(?i)\busers['\"]?\s*[:=]?\s*[\[(]?\s*['\"]?{ID_LIKE}['\"]?(?:\s*[,;]\s*['\"]?{ID_LIKE}['\"]?)+"
#: An explicit non-user in the user slot: "for user system", "user_id=anonymous" (``word`` in NOT_USERS).
NON_USER_MENTION = r"(?i)\buser(?:[ _-]?id)?['\"]?\s*[:= ]\s*['\"]?(?P<word>[A-Za-z/]+)\b"

#: A decimal number fills a user slot in resource reports ("CPU: user: 0.00 s" in Postgres' autovacuum stats):
#: a measurement, not an id.
DECIMAL = r"^\d+(?:\.\d+)+$"

#: A stack frame line: Python ``File "x.py", line 3``, JVM / Node ``at f(...)``. A message with one is a
#: traceback, and its indented lines are frames and quoted source code, not what happened to whom.
TRACEBACK_FRAME = r"(?m)^[ \t]+(?:File \"|at )"
#: The indented lines of a traceback (frames, code, caret lines), removed before looking for users.
CODE_LINE = r"(?m)^[ \t]+[^\n]*\n?"

_MENTION = re.compile(USER_MENTION, re.ASCII)
_FRAME = re.compile(TRACEBACK_FRAME, re.ASCII)
_CODE = re.compile(CODE_LINE, re.ASCII)
_DECIMAL = re.compile(DECIMAL, re.ASCII)


def is_person(value: object) -> bool:
    """Does a user value name someone (not empty, not a word of :data:`NOT_USERS`, not a decimal number)?

    >>> is_person("u-42"), is_person("system"), is_person("0.00")
    (True, False, False)
    """
    text = str(value).strip()
    return text.lower() not in NOT_USERS and not _DECIMAL.match(text)


#: Callers that are workloads, not people: Google service accounts (``ci@p.iam.gserviceaccount.com``,
#: Google-managed agents) and Kubernetes service accounts. Redaction keeps these marks in pseudonyms so a replayed
#: sample tells workloads from people as the original did.
WORKLOAD_SUFFIX, WORKLOAD_PREFIX = ".gserviceaccount.com", "system:serviceaccount:"


def is_workload(principal: object) -> bool:
    """Is an audited caller a workload (a service account) rather than a person?

    >>> is_workload("ci@proj.iam.gserviceaccount.com"), is_workload("system:serviceaccount:ns:sa")
    (True, True)
    >>> is_workload("ana@example.com")
    False
    """
    text = str(principal).strip().lower()
    return text.endswith(WORKLOAD_SUFFIX) or text.startswith(WORKLOAD_PREFIX)


def own_text(text: str) -> str:
    """``text`` without the frame and code lines of a traceback (unchanged when it has none).

    >>> own_text('boom\\nTraceback (most recent call last):\\n  File "a.py", line 1\\n    f(user_id=u.id)\\n'
    ...          'KeyError: user 42')
    'boom\\nTraceback (most recent call last):\\nKeyError: user 42'
    """
    return _CODE.sub("", text) if _FRAME.search(text) else text


def mentioned_ids(text: str) -> list[str]:
    """The full user ids a text names (as ``add_users``' ``text`` evidence reads them), in order, distinct.

    Truncated ids (``10594514...``) and the start of an email are left out: they are not whole ids.

    >>> mentioned_ids("Moved sessions from user u-1 to user_id=u-2; user system; user 10594514...")
    ['u-1', 'u-2']
    """
    out: list[str] = []
    for match in _MENTION.finditer(own_text(text)):
        keyed = match.group("kid") is not None
        found = match.group("kid") if keyed else match.group("pid")
        tail, nxt = (match.group("ktr"), match.group("knext")) if keyed else (match.group("ptr"), match.group("pnext"))
        if found and not tail and not nxt and is_person(found) and found not in out:
            out.append(found)
    return out


def replace_mentions(text: str, replace) -> str:
    """``text`` with each id of a user mention (as :func:`mentioned_ids` reads them) replaced by ``replace(id)``
    (return the id itself to keep it). For ids too short to replace wherever they occur.

    >>> replace_mentions("for user_id=42 and user 7-b, code 42", lambda i: "x" * len(i))
    'for user_id=xx and user xxx, code 42'
    """
    def sub(match: re.Match) -> str:
        group = "kid" if match.group("kid") is not None else "pid"
        found = match.group(group)
        tail = match.group(group[0] + "tr") or match.group(group[0] + "next")
        if not found or tail or not is_person(found):
            return match.group()
        start, end = match.span(group)
        whole = match.group()
        return whole[:start - match.start()] + replace(found) + whole[end - match.start():]

    if _FRAME.search(text):  # only the message's own lines name users
        return "".join(line if _CODE.fullmatch(line) else _MENTION.sub(sub, line)
                       for line in text.splitlines(keepends=True))
    return _MENTION.sub(sub, text)
