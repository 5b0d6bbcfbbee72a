"""Writing the explorer's merge and split decisions to the team's fingerprint rules file.

The rules file format and its writers belong to ``triage.signatures``; this is the thin adapter
the explorer's buttons call (returning a one-line message for the status label), plus the regex that
pins one wildcard of a template to one value, for splits.

>>> split_pattern("Invalid user_id format: <*> at <*>", 1, "e2e-staging_pipeline")
'Invalid\\\\s+user_id\\\\s+format:\\\\s+e2e\\\\-staging_pipeline\\\\s+at\\\\s+.*?'
>>> import re
>>> bool(re.search(split_pattern("Invalid user_id format: <*>", 1, "e2e-x"), "Invalid user_id format: e2e-x"))
True
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from triage.signatures import add_merge_rule, add_split_rule
from triage.signatures.masking import PLACEHOLDER_RE

__all__ = ["DEFAULT_RULES_FILE", "RulesWriter", "split_pattern"]

#: Where rules go when the explorer is not told: the team's file in the working directory.
DEFAULT_RULES_FILE = "triage-rules.toml"
_SPACE = re.compile(r"\s+")


def _literal(text: str) -> str:
    return r"\s+".join(re.escape(part) for part in _SPACE.split(text))


def split_pattern(template: str, wildcard: int, value: str) -> str:
    """A message regex for ``template`` with its ``wildcard``-th placeholder (1-based) equal to ``value``."""
    pieces = PLACEHOLDER_RE.split(template)
    if not 1 <= wildcard < len(pieces):
        raise ValueError(f"the template has {len(pieces) - 1} wildcards, not {wildcard}")
    out = [_literal(pieces[0])]
    for position, piece in enumerate(pieces[1:], start=1):
        out.append(re.escape(value) if position == wildcard else ".*?")
        out.append(_literal(piece))
    return "".join(out)


class RulesWriter:
    """Append merge/split rules to ``path`` (default :data:`DEFAULT_RULES_FILE`)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path if path is not None else DEFAULT_RULES_FILE)

    def merge(self, name: str, signatures: Sequence[str]) -> str:
        """Append a rule folding ``signatures`` into one signature called ``name``; returns what was written."""
        if len(set(signatures)) < 2:
            raise ValueError("a merge needs at least two different signatures")
        rule = add_merge_rule(self.path, name.strip(), list(signatures))
        return f"merge rule {rule.name!r} ({len(signatures)} signatures) appended to {self.path}"

    def split(self, name: str, pattern: str) -> str:
        """Append a rule carving messages matching ``pattern`` out into a signature called ``name``."""
        rule = add_split_rule(self.path, name.strip(), pattern)
        return f"split rule {rule.name!r} appended to {self.path}"
