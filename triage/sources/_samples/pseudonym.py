"""Keyed, stable, shape- and prefix-preserving pseudonyms (HMAC-SHA256), and shape-only masks for secrets.

A pseudonym keeps the value's shape: every digit stays a digit (a leading non-zero digit stays
non-zero), hex letters stay hex letters, other letters stay letters of the same case, punctuation stays.
So masks and signatures computed on redacted text equal those on the original, and a 21-digit id stays a
21-digit number. Character ``i`` is shifted within its class by an HMAC of the characters before it (never by zero),
which makes the mapping

* stable — the same value (under the same key) always gets the same pseudonym, wherever it appears;
* injective — different values get different pseudonyms, so per-user counts do not change;
* prefix-preserving — the pseudonym of ``10594514`` is the first 8 characters of the pseudonym of
  ``105945141827451681156``, so a truncated id in a message (``User 10594514...``) or a connection id
  (``ws_10594514_...``) still resolves to the same, unique full pseudonym (and an ambiguous prefix stays
  ambiguous).

Anyone holding the key can undo a pseudonym character by character (that is inherent to prefix
preservation); keep the key secret. There is no public default: the key is the user's own random key or a
team key (:mod:`._keys`), and this module is given the sub-key derived for pseudonyms.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from triage.identity import WORKLOAD_PREFIX, WORKLOAD_SUFFIX

__all__ = ["Pseudonymizer", "shape"]

_DIGITS = "0123456789"
_CLASSES = (_DIGITS, "abcdef", "ghijklmnopqrstuvwxyz", "ABCDEF", "GHIJKLMNOPQRSTUVWXYZ")
_CLASS_OF = {ch: cls for cls in _CLASSES for ch in cls}
# A leading digit: zero stays zero, others stay non-zero (so the mapping stays one-to-one).
_LEADING = {"0": "0", **{d: "123456789" for d in "123456789"}}
# Shape-only masks: one fixed character per class (information-free, irreversible).
_FILL = dict(zip(_CLASSES, "0axAX"))


def shape(text: str, keep: int = 0) -> str:
    """``text`` with every character after the first ``keep`` replaced by its class's fixed character.

    >>> shape("AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY", keep=4)
    'AIzaXxA-0xXxxa00XxxXXxXX-a0aXXX0xxAXAXX'
    """
    return text[:keep] + "".join(_FILL[cls] if (cls := _CLASS_OF.get(ch)) else ch for ch in text[keep:])


class Pseudonymizer:
    """Keyed pseudonyms; see the module docstring for their properties.

    >>> p = Pseudonymizer(b"k")
    >>> full, short = p.token("105945141827451681156"), p.token("10594514")
    >>> len(full), full.isdigit(), full.startswith(short), full != "105945141827451681156"
    (21, True, True, True)
    >>> p.token("staging-e2e-user-001")[7] == "-" and p.token("a@b.example").count("@") == 1
    True
    """

    def __init__(self, key: bytes):
        self.key = key
        self._tokens: dict[str, str] = {}
        self._ips: dict[str, str] = {}

    def token(self, text: str) -> str:
        cached = self._tokens.get(text)
        if cached is not None:
            return cached
        # A workload's marks are no personal data and say it is no person: keep them, as add_users reads them.
        lower = text.lower()
        if lower.endswith(WORKLOAD_SUFFIX) and len(text) > len(WORKLOAD_SUFFIX):
            cut = len(text) - len(WORKLOAD_SUFFIX)
            result = self._shifted(text[:cut]) + text[cut:]
        elif lower.startswith(WORKLOAD_PREFIX) and len(text) > len(WORKLOAD_PREFIX):
            result = text[:len(WORKLOAD_PREFIX)] + self._shifted(text[len(WORKLOAD_PREFIX):])
        else:
            result = self._shifted(text)
        self._tokens[text] = result
        return result

    def _shifted(self, text: str) -> str:
        """Each letter and digit shifted within its class by a keyed stream over the text so far."""
        mac = hmac.new(self.key, b"token\x00", hashlib.sha256)
        out = []
        for i, ch in enumerate(text):
            cls = _CLASS_OF.get(ch)
            if cls is not None:
                if i == 0 and cls is _DIGITS:
                    cls = _LEADING[ch]
                shift = int.from_bytes(mac.copy().digest()[:4], "big")
                # Never by zero: a pseudonym must differ from its id at every letter and digit it may change
                # (a short id such as "u7" would otherwise stay itself under one key in ten).
                step = 1 + shift % (len(cls) - 1) if len(cls) > 1 else 0
                ch_out = cls[(cls.index(ch) + step) % len(cls)]
            else:
                ch_out = ch
            out.append(ch_out)
            mac.update(ch.encode())
        return "".join(out)

    def value(self, value: object) -> object:
        """A user id from a structured field: strings → :meth:`token`; integers stay integers."""
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            return value
        if isinstance(value, int):
            return int(self.token(str(value)))
        return self.token(value)

    def ip(self, text: str) -> str:
        """A keyed pseudonym of an IP address, still a valid address of the same version and layout
        (each IPv4 octet keeps its number of digits); loopback and unspecified addresses are kept.

        >>> p = Pseudonymizer(b"k")
        >>> [len(o) for o in p.ip("203.0.113.7").split(".")], p.ip("127.0.0.1")
        ([3, 1, 3, 1], '127.0.0.1')
        """
        cached = self._ips.get(text)
        if cached is not None:
            return cached
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            return text
        if address.is_loopback or address.is_unspecified:
            result = text
        elif address.version == 6:
            result = self.token(text)  # hex digits stay hex digits, colons stay: still a valid IPv6
        else:
            digest = hmac.new(self.key, b"ipv4\x00" + text.encode(), hashlib.sha256).digest()
            octets = []
            for i, octet in enumerate(text.split(".")):
                low, high = {1: (0, 9), 2: (10, 99)}.get(len(octet), (100, 255))
                octets.append(str(low + digest[i] % (high - low + 1)))
            result = ".".join(octets)
        self._ips[text] = result
        return result
