"""Signature ids: a short stable hash of the template, and the rendering of its placeholders.
"""

from __future__ import annotations

import hashlib

from triage.signatures._masking import PLACEHOLDER_RE

__all__ = ["digest", "render", "signature_of", "SIGNATURE_VERSION"]

#: Version of the signature algorithm; every signature depends on it, so a change of the
#: masking table or of the generaliser that moves groups must bump it.
SIGNATURE_VERSION = "3"


def render(template: str, placeholder: str | None) -> str:
    """The template with every typed placeholder written as ``placeholder`` (unchanged when None).

    >>> render("took <duration> for <num> rows", "<*>")
    'took <*> for <*> rows'
    """
    if placeholder is None:
        return template
    return PLACEHOLDER_RE.sub(lambda _: placeholder, template)


def digest(text: str) -> str:
    """12 hex digits of blake2b over ``text``: the one hash behind every signature id.

    >>> digest("abc")
    '13c9497c2425'
    """
    return hashlib.blake2b(text.encode("utf-8"), digest_size=6).hexdigest()


def signature_of(template: str) -> str:
    """12 hex digits of blake2b over the version and the template with untyped placeholders.

    Hashing the untyped form keeps a signature when only the type of a variable differs.

    >>> signature_of("took <duration>") == signature_of("took <num>")
    True
    >>> len(signature_of("took <duration>"))
    12
    """
    # A trailing period is shown when every message of the template has it, but never decides a group.
    return digest(f"{SIGNATURE_VERSION}\x1f{render(template, '<*>').rstrip('.').rstrip()}")
