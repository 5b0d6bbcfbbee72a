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
from triage.sources._samples.pseudonym import Pseudonymizer, shape

__all__ = [
    "CONTACT_KEYS", "NOT_PERSONAL", "Rule", "RULES", "SECRET_KEY_PARTS", "SECRET_KEY_WORDS", "SECRET_KEYS",
    "USER_KEYS"
]


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
# Names of a secret in "name=value" text: the last word of the name decides (x_api_key, aws_secret_access_key,
# session-token, client_secret, db_password...).
_SECRET_NAMES = (r"[\w-]*(?:api[_-]?key|apikey|key|token|secret|password|passwd|passphrase|pass|pwd|sig|signature"
                 r"|credentials?|auth)")


def _param(text: str, _: Pseudonymizer) -> str:
    return shape(text, keep=_prefix_end(r"[^=:]*[=:][\s\"']*", text))


def _prefix_end(pattern: str, text: str) -> int:
    """Where ``pattern``, matched at the start of ``text``, ends (the rule's own pattern makes it match)."""
    found = re.match(pattern, text)
    if found is None:
        raise ValueError(f"{pattern!r} does not match the start of the text")
    return found.end()


def _luhn(digits: str) -> bool:
    total, odd = 0, False
    for ch in reversed(digits):
        d = ord(ch) - 48
        if odd:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
        odd = not odd
    return total % 10 == 0


def _card(text: str, _: Pseudonymizer) -> str:
    """A Luhn-valid card number loses all but its last 4 digits (what receipts print); others are kept."""
    digits = re.sub(r"\D", "", text)
    if not 13 <= len(digits) <= 19 or not _luhn(digits):
        return text
    return shape(text[:-4]) + text[-4:]


def _pem(text: str, _: Pseudonymizer) -> str:
    """The BEGIN and END lines stay (the kind of key stays visible), the key itself is masked."""
    match = re.fullmatch(r"(-----BEGIN [^-]*-----)([\s\S]*?)(-----END [^-]*-----)", text)
    return match.group(1) + shape(match.group(2)) + match.group(3) if match else shape(text)


RULES: tuple[Rule, ...] = (
    # A whole private key block, wherever it is quoted (JSON strings carry it with \n escapes decoded).
    Rule("private_key", r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----",
         _pem, ("private key",)),
    # scheme://user:password@host — the password is a secret, the user a person.
    Rule("url_password", r"(?<=://)[^\s/:@]+:[^\s/@]+(?=@)", _userinfo, ("://",)),
    Rule("bearer_token", r"\b[Bb]earer\s+[A-Za-z0-9._~+/=-]{8,}", _after_space, ("bearer",)),
    Rule("jwt", r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*", _keep(3), ("eyj",)),
    Rule("google_api_key", r"\bAIza[0-9A-Za-z_-]{35}", _keep(4), ("aiza",)),
    Rule("openai_key", rf"\b{_OPENAI}[A-Za-z0-9_-]{{16,}}",
         lambda text, _: shape(text, keep=_prefix_end(_OPENAI, text)), ("sk-",)),
    Rule("github_token", r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})", _after("_"), _GITHUB),
    Rule("aws_access_key", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", _keep(4), ("akia", "asia")),
    Rule("slack_token", r"\bxox[abprs]-[A-Za-z0-9-]{10,}", _after("-"), ("xox",)),
    Rule("stripe_key", r"\b(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{10,}", _keep(8), ("_live_", "_test_")),
    Rule("google_oauth_secret", r"\bGOCSPX-[0-9A-Za-z_-]{20,}", _keep(7), ("gocspx-",)),
    # Cookie / Set-Cookie headers quoted in text: every value after the name.
    Rule("cookie_header", r"(?i:\b(?:set-)?cookie)\s*:\s*[^\r\n]+", _after(":"), ("cookie",)),
    # name = "a quoted value, spaces and all"
    Rule("secret_quoted", rf"(?i:\b(?:{_SECRET_NAMES})[\"']?\s*[=:]\s*)(?:\"[^\"\n]*\"|'[^'\n]*')", _param,
         ("key", "token", "secret", "pass", "pwd", "sig", "cred", "auth")),
    # key=..., api_key=..., token=..., password = x, "password": "..." (query strings, config dumps, messages)
    Rule("secret_param", rf"(?i:\b(?:{_SECRET_NAMES})(?:\s*=\s*|[\"']?\s*:\s*[\"']?))[^\s&\"',;#)}}\]]+", _param,
         ("key", "token", "secret", "pass", "pwd", "sig", "cred", "auth")),
    # 40 characters of base64 after an AWS word: a secret access key quoted without its name.
    Rule("aws_secret_key", r"(?<=[\s=:\"'])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])", _keep(0), ("aws",)),
    # 16 digits (Visa, Mastercard...) or 4-6-5 (Amex), bare or in groups; only Luhn-valid ones are masked.
    Rule("card_number", r"(?<![\d.-])(?:\d{4}(?:[ -]?\d{4}){3}|\d{4}[ -]?\d{6}[ -]?\d{5})(?![\d.-])", _card,
         tuple("0123456789")),
    # US social security numbers (the national id most often logged): 3-2-4 digits, not 000/666/9xx.
    Rule("national_id", r"(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])", _keep(0), ("-",)),
    # Phone numbers in international form (+ and country code) or US form with separators.
    Rule("phone", r"(?<![\w+])(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){2,4}"
                  r"|\(\d{3}\)\s?\d{3}-\d{4}|\b\d{3}[.-]\d{3}[.-]\d{4})(?![\w])",
         lambda text, p: p.token(text), ("+", "(", "-", ".")),
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
    "card_number", "cardnumber", "card", "cc_number", "pan", "cvv", "cvc", "ssn", "passphrase", "pass",
})
#: Key names ending in one of these words are secret too (x_api_key, x_session_token, db_password, stripe_secret).
SECRET_KEY_WORDS = ("password", "passwd", "secret", "token", "key", "apikey", "credential", "credentials",
                    "cookie", "signature", "card_number", "ssn")
#: Key names containing one of these are secret (client_secret_id, aws_secret_access_key).
SECRET_KEY_PARTS = ("secret", "password", "private_key")
#: Keys whose value is personal contact data: pseudonymised like a user id.
CONTACT_KEYS = frozenset({"phone", "phone_number", "phonenumber", "mobile", "telephone", "tel", "msisdn"})
#: JSON keys whose value is a user (or account) id: pseudonymised, and then found in text too.
USER_KEYS = frozenset({
    "user_id", "userid", "user", "uid", "username", "user_name", "account_id", "accountid", "customer_id",
    "customerid", "email", "user_email", "useremail", "principalemail", "principal_email",
})
#: Values of user fields that name no person and are kept: one list with add_users (triage.identity).
NOT_PERSONAL = NOT_USERS
