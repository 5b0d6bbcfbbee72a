"""Redaction of whole LogEntry dicts: secrets masked, people replaced by stable pseudonyms.

Two passes over the entries. The first learns the user ids: values of user fields (``user_id``,
``userId``, ``labels.user``, ``protoPayload.authenticationInfo.principalEmail``, ... see
:data:`~._redact_rules.USER_KEYS`), numeric Google ids (18–21 digits) and ids named in text
(:func:`triage.identity.mentioned_ids`, the rules ``add_users`` reads: ``for user <id>``, ``user_id=<id>``,
``User bob_smith has``). The second rewrites every string
of every entry (jsonPayload at any depth, textPayload, labels, httpRequest, protoPayload, ...) except the
entry's identity and bookkeeping fields (timestamp, insertId, severity, logName, trace, spanId): the
:data:`~._redact_rules.RULES`, then each known user id — whole, or truncated (``10594514...``) or as the
prefix of a connection id (``ws_10594514_...``) — becomes its pseudonym (prefix-preserving, so truncated
ids still resolve to the same unique user). Ids shorter than :data:`MIN_TEXT_ID` characters are
pseudonymised in user fields only (in text they would hit unrelated numbers), and values that name no
person (``system``, ``anonymous``... :data:`triage.identity.NOT_USERS`) are kept.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from triage.identity import is_person, mentioned_ids, replace_mentions
from triage.sources._samples import keys as _keys
from triage.sources._samples.pseudonym import Pseudonymizer, shape
from triage.sources._samples.redact_rules import (
    CONTACT_KEYS,
    RULES,
    SECRET_KEY_PARTS,
    SECRET_KEY_WORDS,
    SECRET_KEYS,
    USER_KEYS,
    Rule,
)

__all__ = ["KEPT_FIELDS", "MIN_PREFIX", "MIN_TEXT_ID", "redact_entries", "redact_with_texts", "Redactor"]

#: Top-level LogEntry fields that identify or order the entry and hold no personal data: kept as they are.
KEPT_FIELDS = frozenset({"timestamp", "receiveTimestamp", "insertId", "severity", "logName", "trace", "spanId",
                         "traceSampled", "operation"})
#: Shortest user id replaced inside text, and shortest truncated prefix recognised.
MIN_TEXT_ID = 4
MIN_PREFIX = 6
_GOOGLE_ID = re.compile(r"(?<![A-Za-z0-9])[1-9]\d{17,20}(?![A-Za-z0-9])")
_TRUNCATION = r"(?=\.\.\.|…|_)"
_ALNUM = "A-Za-z0-9"


_ROLES: dict[tuple[str, bool], str | None] = {}
_USER_PARTS = ("id", "email", "name")  # inside a user object: {"user": {"id": ..., "email": ...}}


def _role(key: str, in_user: bool = False) -> str | None:
    """``"secret"``, ``"user"`` or None for a JSON key (cached: entries repeat the same few keys)."""
    role = _ROLES.get((key, in_user), "?")
    if role == "?":
        name = key.lower().replace("-", "_")
        role = ("secret" if _is_secret_key(name) else
                "user" if name in USER_KEYS or name in CONTACT_KEYS or (in_user and name in _USER_PARTS) else None)
        _ROLES[(key, in_user)] = role
    return role


def _is_secret_key(name: str) -> bool:
    """``x_api_key``, ``x_session_token``, ``stripe_secret``, ``client_secret_id``, ``card_number``..."""
    if name in SECRET_KEYS or any(part in name for part in SECRET_KEY_PARTS):
        return True
    last = name.rsplit("_", 1)[-1]
    return last in SECRET_KEY_WORDS or any(name.endswith(w) for w in SECRET_KEY_WORDS if len(w) > 3)


def _trie(words: Iterable[str], *, accept_from: int | None = None) -> str:
    """A regular expression matching ``words`` (longest first) built as a trie, so it stays fast with
    thousands of ids. With ``accept_from``, every prefix at least that long matches too."""
    root: dict = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict, depth: int) -> str:
        branches = [re.escape(ch) + build(child, depth + 1) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        accepting = "" in node or (accept_from is not None and depth >= accept_from)
        return f"(?:{body})?" if accepting else body

    return build(root, 0)


class Redactor:
    """Learns user ids from entries (:meth:`learn`), then rewrites entries (:meth:`redact`).

    >>> r = Redactor(b"k")
    >>> e = {"timestamp": "2025-09-09T00:00:00Z", "insertId": "a",
    ...      "jsonPayload": {"user_id": "105945141827451681156",
    ...                      "message": "User 10594514... from 203.0.113.7 sent key=s3cr3t"}}
    >>> r.learn(e)
    >>> out = r.redact(e)
    >>> uid, text = out["jsonPayload"]["user_id"], out["jsonPayload"]["message"]
    >>> text.startswith(f"User {uid[:8]}... from ") and "203.0.113.7" not in text, text.endswith("key=x0ax0x")
    (True, True)
    """

    def __init__(self, key: bytes, *, key_id: str | None = None, rules: tuple[Rule, ...] = RULES):
        self.pseudonyms = Pseudonymizer(key)  # the pseudonym sub-key (see _keys.Key.pseudonyms)
        self.key_id = key_id if key_id is not None else _keys.Key(key, "argument").id
        self.rules = rules
        self.user_ids: set[str] = set()
        self.counts: Counter[str] = Counter()
        self._patterns: dict[tuple[int, ...], re.Pattern] = {}
        # Most strings repeat (instance ids, user agents, URLs, messages): each distinct one is done once.
        self._learned: set[str] = set()
        self._texts: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._hits: list[str] = []
        self._short_cache: set[str] | None = None

    # --- pass 1 ---------------------------------------------------------------------------------
    def learn(self, entry: dict) -> None:
        """Collect the user ids of one entry."""
        for key, value in entry.items():
            if key not in KEPT_FIELDS:
                self._learn(value, _role(key) == "user")
        self._patterns.clear()
        self._texts.clear()
        self._short_cache = None

    def _learn(self, value: Any, is_user: bool) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                self._learn(item, _role(key, is_user) == "user")
        elif isinstance(value, list):
            for item in value:
                self._learn(item, is_user)
        elif is_user and isinstance(value, (str, int)) and not isinstance(value, bool):
            self._add(str(value))
        elif isinstance(value, str) and value not in self._learned:
            self._learned.add(value)
            self.user_ids.update(_GOOGLE_ID.findall(value))
            self.user_ids.update(i for i in mentioned_ids(value) if is_person(i))

    def _add(self, value: str) -> None:
        if is_person(value):
            self.user_ids.add(value)

    # --- pass 2 ---------------------------------------------------------------------------------
    def _pattern(self, value: str) -> re.Pattern:
        """The combined pattern of the rules whose hints occur in ``value``, plus the user ids."""
        lower = value.lower()
        active = tuple(i for i, rule in enumerate(self.rules) if any(h in lower for h in rule.hints))
        pattern = self._patterns.get(active)
        if pattern is None:
            pattern = self._patterns[active] = self._compile(active)
        return pattern

    def _compile(self, active: tuple[int, ...]) -> re.Pattern:
        parts = [f"(?P<r{i}>{self.rules[i].pattern})" for i in active]
        ids = sorted(i for i in self.user_ids if len(i) >= MIN_TEXT_ID)
        if ids:
            parts.append(f"(?<![{_ALNUM}])(?P<id>{_trie(ids)})(?![{_ALNUM}])")
            prefixes = [i for i in ids if len(i) > MIN_PREFIX]
            if prefixes:
                parts.append(f"(?<![{_ALNUM}])(?P<prefix>{_trie(prefixes, accept_from=MIN_PREFIX)}){_TRUNCATION}")
        return re.compile("|".join(parts) or "(?!)")

    @property
    def _short_ids(self) -> set[str]:
        if self._short_cache is None:
            self._short_cache = {i for i in self.user_ids if len(i) < MIN_TEXT_ID}
        return self._short_cache

    def _short(self, found: str) -> str:
        if found in self._short_ids:
            self._hits.append("user_id")
            return self.pseudonyms.token(found)
        return found

    def _replace(self, match: re.Match) -> str:
        group = match.lastgroup
        text = match.group()
        if group in ("id", "prefix"):
            self._hits.append("user_id")
            return self.pseudonyms.token(text)
        assert group is not None  # every alternative of the pattern is a named group
        rule = self.rules[int(group[1:])]
        replaced = rule.rewrite(text, self.pseudonyms)
        if replaced != text:
            self._hits.append(rule.name)
        return replaced

    def text(self, value: str) -> str:
        """Rewrite one string: rules, then known user ids (whole or truncated)."""
        done = self._texts.get(value)
        if done is not None and not done[1]:
            return done[0]
        if done is None:
            self._hits = []
            rewritten = self._pattern(value).sub(self._replace, value)
            if self._short_ids:  # ids too short to replace anywhere are replaced where text names them a user
                rewritten = replace_mentions(rewritten, self._short)
            done = self._texts[value] = (rewritten, tuple(self._hits))
        if done[1]:
            self.counts.update(done[1])
        return done[0]

    def redact(self, entry: dict) -> dict:
        """A redacted copy of one LogEntry (the input is not modified)."""
        return {key: value if key in KEPT_FIELDS else self._value(value, _role(key), False)
                for key, value in entry.items()}

    def _value(self, value: Any, role: str | None, is_user: bool) -> Any:
        cls = value.__class__
        if cls is str and role is None:  # the common case first
            return self.text(value)
        if cls is dict:
            if role == "secret":  # everything under a secret key is secret
                return {key: self._value(item, role, False) for key, item in value.items()}
            user = role == "user"
            return {key: self._value(item, _role(key, user), user) for key, item in value.items()}
        if cls is list:
            return [self._value(item, role, is_user) for item in value]
        if value is None or cls is bool or cls is float:
            return value
        if role == "secret" and cls is str:
            self.counts["secret_field"] += 1
            return shape(value)
        if role == "user":
            if not is_person(value):
                return value
            self.counts["user_field"] += 1
            return self.pseudonyms.value(value)
        return value

    def report(self) -> dict[str, Any]:
        """What was applied: rule names, replacement counts, the key's id (never the key)."""
        return {"applied": True, "rules": [r.name for r in self.rules] + ["secret_field", "user_field", "user_id"],
                "replacements": dict(sorted(self.counts.items())), "users": len(self.user_ids),
                "key_id": self.key_id}


def redact_entries(entries: Iterable[dict], *, key: str | bytes | _keys.Key | None = None,
                   project: str | None = None) -> tuple[list[dict], dict[str, Any]]:
    """Redacted copies of LogEntry dicts, and a report of what was done.

    Parameters
    ----------
    entries : iterable of dict
        LogEntry objects (API JSON shape).
    key : str or bytes, optional
        The key (strong: see :func:`triage.new_key`). Default: ``$TRIAGE_KEY`` (a team key), else the user's
        own random key, made on first use and kept in the user's config folder (see :mod:`._keys`); there is
        no public default. Only the key's id is reported.
    project : str, optional
        Ignored (pseudonyms no longer depend on the project); kept for callers that pass it.

    Returns
    -------
    (list of dict, dict)
        The entries, and ``{"applied", "rules", "replacements", "users", "key_id", "key_source"}``.

    Examples
    --------
    >>> out, report = redact_entries([{"timestamp": "2025-09-09T00:00:00Z",
    ...     "textPayload": "login bob@corp.example from 198.51.100.4 with Bearer abcdef123456"}],
    ...     key=_keys.new_key())
    >>> text = out[0]["textPayload"]
    >>> "bob@corp.example" in text, "198.51.100.4" in text, text.endswith("Bearer aaaaaa000000")
    (False, False, True)
    >>> report["replacements"]
    {'bearer_token': 1, 'email': 1, 'ipv4': 1}
    """
    redacted, _, report = redact_with_texts(entries, {}, key=key)
    return redacted, report


def redact_with_texts(entries: Iterable[dict], texts: dict[str, Any], *, key: str | bytes | _keys.Key | None = None
                      ) -> tuple[list[dict], dict[str, Any], dict[str, Any]]:
    """:func:`redact_entries`, and free texts about them (a sample's query and note: ``{name: str or list of
    str or None}``) redacted with the same pseudonyms; user ids are learnt from both."""
    items = entries if isinstance(entries, list) else list(entries)
    resolved = key if isinstance(key, _keys.Key) else _keys.resolve(key)
    redactor = Redactor(resolved.pseudonyms, key_id=resolved.id)
    for entry in items:
        redactor.learn(entry)
    redactor.learn(texts)
    redacted = [redactor.redact(entry) for entry in items]
    others = {name: redactor._value(value, None, False) for name, value in texts.items()}
    return redacted, others, {**redactor.report(), "key_source": resolved.source}
