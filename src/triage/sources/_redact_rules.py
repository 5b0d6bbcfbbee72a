"""The redaction rules: named patterns for secrets and personal data in text, and how each is rewritten.

Secrets (tokens, keys, passwords) are replaced by their shape only (:func:`shape`: irreversible, same
length and character classes, known prefixes such as ``AIza`` / ``sk-`` / ``ghp_`` / ``eyJ`` kept so the
kind of leak stays visible). Personal data (emails, IP addresses) gets keyed pseudonyms, so the same
address stays the same address. Earlier rules win where patterns overlap.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from triage.identity import NOT_USERS

from ._redact_pseudonym import Pseudonymizer, shape


class Rule(NamedTuple):
    name: str
    pattern: str  # a Python regular expression without capturing groups
    rewrite: Callable[[str, Pseudonymizer], str]
    #: Lower-case substrings of which any must occur for the pattern to match (a cheap pre-check).
    hints: tuple[str, ...]


def _keep(n: int) -> Callable[[str, Pseudonymizer], str]:
    return lambda text, _: shape(text, keep=n)


def _after(sep: str) -> Callable[[str, Pseudonymizer], str]:
    """Keep everything up to and including the first ``sep`` (the key name, "Bearer "), mask the rest."""
    return lambda text, _: shape(text, keep=text.index(sep) + len(sep)) if sep in text else shape(text)


def _after_space(text: str, _: Pseudonymizer) -> str:
    head = len(text) - len(text.split(None, 1)[1]) if " " in text or "\t" in text else 0
    return shape(text, keep=head)


def _userinfo(text: str, p: Pseudonymizer) -> str:
    user, _, password = text.partition(":")
    return f"{p.token(user)}:{shape(password)}"


_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"

_OPENAI = r"sk-(?:proj-|live-|test-|ant-)?"
_GITHUB = ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_")
_SECRET_NAMES = (r"api[_-]?key|apikey|key|access[_-]?token|refresh[_-]?token|id[_-]?token|token|secret"
                 r"|client[_-]?secret|password|passwd|pwd|sig|signature")


def _param(text: str, _: Pseudonymizer) -> str:
    return shape(text, keep=re.match(r"[^=:]*[=:][\s\"']*", text).end())


RULES: tuple[Rule, ...] = (
    # scheme://user:password@host — the password is a secret, the user a person.
    Rule("url_password", r"(?<=://)[^\s/:@]+:[^\s/@]+(?=@)", _userinfo, ("://",)),
    Rule("bearer_token", r"\b[Bb]earer\s+[A-Za-z0-9._~+/=-]{8,}", _after_space, ("bearer",)),
    Rule("jwt", r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*", _keep(3), ("eyj",)),
    Rule("google_api_key", r"\bAIza[0-9A-Za-z_-]{35}", _keep(4), ("aiza",)),
    Rule("openai_key", rf"\b{_OPENAI}[A-Za-z0-9_-]{{16,}}",
         lambda text, _: shape(text, keep=re.match(_OPENAI, text).end()), ("sk-",)),
    Rule("github_token", r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})", _after("_"), _GITHUB),
    Rule("aws_access_key", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", _keep(4), ("akia", "asia")),
    Rule("slack_token", r"\bxox[abprs]-[A-Za-z0-9-]{10,}", _after("-"), ("xox",)),
    # key=..., api_key=..., token=..., "password": "..." (query strings, config dumps, messages)
    Rule("secret_param", rf"(?i:\b(?:{_SECRET_NAMES})(?:=|[\"']?\s*:\s*[\"']?))[^\s&\"',;#)}}\]]+", _param,
         ("key", "token", "secret", "passw", "pwd", "sig")),
    Rule("email", r"(?<![\w.+:/-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b",
         lambda text, p: p.token(text), ("@",)),
    Rule("ipv4", rf"(?<![\w.]){_OCTET}(?:\.{_OCTET}){{3}}(?!\w|\.\d)", lambda text, p: p.ip(text), (".",)),
    # Candidates only; Pseudonymizer.ip leaves anything that is not a valid IPv6 address as it is.
    Rule("ipv6", r"(?<![\w:.])(?:[0-9A-Fa-f]{1,4}:|::)[0-9A-Fa-f:]{2,37}(?![\w:])", lambda text, p: p.ip(text),
         (":",)),
)

#: JSON keys whose whole value is a secret, wherever they appear (compared lower-case, ``-`` as ``_``).
SECRET_KEYS = frozenset({
    "password", "passwd", "pwd", "secret", "client_secret", "token", "access_token", "refresh_token", "id_token",
    "api_key", "apikey", "authorization", "cookie", "set_cookie", "private_key", "credentials", "session_token",
})
#: JSON keys whose value is a user (or account) id: pseudonymised, and then found in text too.
USER_KEYS = frozenset({
    "user_id", "userid", "user", "uid", "username", "user_name", "account_id", "accountid", "customer_id",
    "customerid", "email", "user_email", "useremail", "principalemail", "principal_email",
})
#: Values of user fields that name no person and are kept: one list with add_users (triage.identity).
NOT_PERSONAL = NOT_USERS
