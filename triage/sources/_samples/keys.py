"""The key behind pseudonyms and sample signatures: never a public default.

Where it comes from, first found wins:

1. ``key=`` of :func:`triage.save_sample` / :func:`triage.redact`;
2. ``$TRIAGE_KEY`` — a team key, shared through your secret manager, so that teammates' pseudonyms agree and
   each can verify the others' samples (``$TRIAGE_PSEUDONYM_KEY`` is read too, the older name);
3. the user's own key: 32 random bytes made on first use in the user's config folder
   (``platformdirs.user_config_path("triage") / "key"``, mode 0600), reused so that one user's samples share
   pseudonyms. It never leaves the machine: a sample holds only the key's id.

From the key, HMAC derives one sub-key per use (pseudonyms, signatures, the public id), so the id tells nothing
about the other two. A key given by hand must be strong (:func:`check_strength`): the id, and any pseudonym of a
known value, let anyone test guesses offline, which only a key too large to guess withstands. Make one with
:func:`new_key`.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import secrets
from pathlib import Path
from typing import NamedTuple

import platformdirs

__all__ = [
    "check_strength", "ENV_KEY", "Key", "KEY_FILE_NAME", "LEGACY_ENV_KEY", "MIN_KEY_BITS", "new_key", "resolve",
    "user_key", "user_key_path"
]

ENV_KEY = "TRIAGE_KEY"
LEGACY_ENV_KEY = "TRIAGE_PSEUDONYM_KEY"
KEY_FILE_NAME = "key"
#: Bits a key given by hand must carry at least (estimated from its length and character classes).
MIN_KEY_BITS = 128
_PREFIX = "triage-key-"


class Key(NamedTuple):
    """A resolved key: the secret, where it came from, and its sub-keys."""

    secret: bytes
    source: str  # "argument", "environment" or "user key file"

    def derive(self, purpose: str) -> bytes:
        return hmac.new(self.secret, b"triage/" + purpose.encode(), hashlib.sha256).digest()

    @property
    def pseudonyms(self) -> bytes:
        return self.derive("pseudonyms")

    @property
    def signing(self) -> bytes:
        return self.derive("sample signature")

    @property
    def id(self) -> str:
        """A public fingerprint (recorded in samples): names the key without letting it be rebuilt."""
        return self.derive("key id").hex()[:16]


def new_key() -> str:
    """A fresh random key (256 bits) as text, for ``$TRIAGE_KEY`` or ``key=``.

    >>> k = new_key()
    >>> k.startswith("triage-key-") and len(k) > 50 and k != new_key()
    True
    """
    return _PREFIX + secrets.token_urlsafe(32)


def _estimated_bits(key: bytes) -> float:
    try:
        text = key.decode("ascii")
    except UnicodeDecodeError:
        return 8.0 * len(key) if len(set(key)) * 2 >= min(len(key), 64) else 0.0
    if text.startswith(_PREFIX):
        text = text[len(_PREFIX):]
    classes = [(str.islower, 26), (str.isupper, 26), (str.isdigit, 10)]
    alphabet = sum(size for test, size in classes if any(test(c) for c in text))
    alphabet += 33 if any(not c.isalnum() for c in text) else 0
    distinct = len(set(text))
    # A key repeating a few characters carries little, whatever its length.
    return len(text) * math.log2(max(alphabet, 2)) if distinct >= min(len(text), 12) * 0.6 else 0.0


def check_strength(key: bytes) -> bytes:
    """``key``, or ValueError when it is too weak to stand offline guessing (under :data:`MIN_KEY_BITS`).

    >>> check_strength(b"hunter2")
    Traceback (most recent call last):
    ...
    ValueError: the key is too weak (about 36 bits; at least 128 needed): its id and the pseudonyms let anyone test guesses offline. Make one with triage.new_key()
    """  # noqa: E501 (a doctest's output is one line)
    bits = _estimated_bits(key)
    if bits < MIN_KEY_BITS:
        raise ValueError(f"the key is too weak (about {bits:.0f} bits; at least {MIN_KEY_BITS} needed): its id "
                         "and the pseudonyms let anyone test guesses offline. Make one with triage.new_key()")
    return key


def user_key_path() -> Path:
    """Where the user's own key is kept (outside any sample)."""
    return platformdirs.user_config_path("triage") / KEY_FILE_NAME


def user_key() -> bytes:
    """The user's own key, made (random, mode 0600) on first use and reused after."""
    path = user_key_path()
    try:
        return _read_key_file(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, (new_key() + "\n").encode())
    finally:
        os.close(fd)
    try:
        os.link(partial, path)  # fails if another process made one meanwhile: theirs is kept
    except FileExistsError:
        pass
    finally:
        os.unlink(partial)
    return _read_key_file(path)


def _read_key_file(path: Path) -> bytes:
    key = path.read_bytes().strip()
    if not key:
        raise ValueError(f"{path}: the key file is empty; delete it to have a new key made")
    return key


def resolve(key: str | bytes | None = None) -> Key:
    """The key to use: ``key``, else ``$TRIAGE_KEY`` (or ``$TRIAGE_PSEUDONYM_KEY``), else the user's own.

    >>> resolve(new_key()).source
    'argument'
    """
    if key is not None:
        secret = key.encode() if isinstance(key, str) else bytes(key)
        return Key(check_strength(secret), "argument")
    env = os.environ.get(ENV_KEY) or os.environ.get(LEGACY_ENV_KEY)
    if env:
        try:
            return Key(check_strength(env.encode()), "environment")
        except ValueError as exc:
            raise ValueError(f"${ENV_KEY}: {exc}") from None
    return Key(user_key(), "user key file")
