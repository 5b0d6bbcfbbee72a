"""Team fingerprint rules: a TOML or YAML file kept in the service's repo.

Each rule names a signature and says which messages belong to it:

.. code-block:: toml

    [[rule]]
    action = "merge"                      # fold these into one named signature
    name = "redis readiness"
    signatures = ["3f2a9c0d1e4b"]         # default signatures to fold in, and/or
    message = ["Redis ping test failed"]  # regexes (any may match)

    [[rule]]
    action = "split"                      # carve matching messages out of their default group
    name = "e2e pipeline user"
    message = "e2e-staging_pipeline"
    service = "^netra-backend"            # optional: logger / service / exception regexes too

A row takes the first rule (in file order) that matches it; its conditions (``message``,
``logger``, ``service``, ``exception``: regexes searched in those fields) must all hold, and a
merge rule also takes every row whose default signature it lists. Rules win over the defaults,
and replaying the same file gives the same signatures.

Patterns are RE2 (the engine that runs them, through pyarrow): linear time whatever the message,
so no lookaround or backreferences; each is compiled when the rule is made, and one RE2 cannot run
is a :class:`RulesError` naming the file and the rule. A rules file must exist, be at most
:data:`MAX_RULES_BYTES`, and (YAML) use no aliases; every error names the file and the rule.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "triage-rules.toml"
>>> split = add_split_rule(path, "e2e user", 'format: "e2e-')
>>> merge = add_merge_rule(path, "redis", ["3f2a9c0d1e4b", "Redis ping test failed"])
>>> [(r.action, r.name, r.message, r.signatures) for r in Rules.load(path).rules]
[('split', 'e2e user', ('format: "e2e-',), ()), ('merge', 'redis', ('Redis ping test failed',), ('3f2a9c0d1e4b',))]
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from triage import schema as s
from triage.errors import TriageError
from triage.signatures._signature import SIGNATURE_VERSION, digest
from triage.signatures._tracebacks import parse

__all__ = [
    "ACTIONS", "add_merge_rule", "add_split_rule", "append_rule", "exception_types", "MAX_RULES_BYTES", "Rule",
    "rule_signature", "Rules", "RulesError"
]

ACTIONS = ("merge", "split")
#: Largest rules file read (a team's rules are a few kilobytes).
MAX_RULES_BYTES = 1_000_000


class RulesError(TriageError, ValueError):
    """A rules file or rule that cannot be used; the message names the file and the rule."""


class _NoAliasLoader(yaml.SafeLoader):
    """YAML without anchors and aliases: a rules file never needs them, and they let a few hundred
    bytes expand to gigabytes (alias bombs)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise RulesError(f"line {event.start_mark.line + 1}: YAML aliases are not allowed in rules files")
        node = super().compose_node(parent, index)
        if getattr(node, "anchor", None):
            raise RulesError(f"line {node.start_mark.line + 1}: YAML anchors are not allowed in rules files")
        return node


def _check_pattern(pattern: str, where: str) -> None:
    """Compile ``pattern`` with RE2, the engine :meth:`Rules.matches` runs it on."""
    try:
        pc.match_substring_regex(pa.array([""], type=pa.large_string()), pattern)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        raise RulesError(f"{where}: pattern {pattern!r} is not a valid RE2 regex (no lookaround or "
                         f"backreferences): {error}") from None
_FIELDS = ("message", "logger", "service", "exception")
_SIGNATURE = re.compile(r"^[0-9a-f]{12}$")
_ONE_LINE_EXCEPTION = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning|Fault))\b")


def rule_signature(name: str) -> str:
    """The signature of a named rule (stable: depends on the name and the signature version)."""
    return digest(f"{SIGNATURE_VERSION}\x1frule\x1f{name}")


def _strings(value: object, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return tuple(value)
    shown = repr(value)
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    raise RulesError(f"field {what!r}: expected a string or a list of strings, got {shown}")


@dataclass(frozen=True)
class Rule:
    """One fingerprint rule (see the module docstring)."""

    action: str
    name: str
    message: tuple[str, ...] = ()
    logger: tuple[str, ...] = ()
    service: tuple[str, ...] = ()
    exception: tuple[str, ...] = ()
    signatures: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise RulesError("a rule needs a name (a non-empty string)")
        if self.action not in ACTIONS:
            raise RulesError(f"rule {self.name!r}: action must be one of {ACTIONS}, not {self.action!r}")
        if not (any(getattr(self, f) for f in _FIELDS) or self.signatures):
            raise RulesError(f"rule {self.name!r} matches nothing: give a pattern or signatures")
        if self.action == "split" and self.signatures:
            raise RulesError(f"split rule {self.name!r}: use patterns, not signatures")
        for f in _FIELDS:
            for pattern in getattr(self, f):
                _check_pattern(pattern, f"rule {self.name!r}, field {f!r}")

    @classmethod
    def from_dict(cls, data: dict) -> Rule:
        if not isinstance(data, dict):
            raise RulesError(f"a rule must be a table of keys, got {type(data).__name__}")
        name = data.get("name", "")
        if not isinstance(name, str) or not isinstance(data.get("action", ""), str):
            raise RulesError(f"rule {name!r}: 'name' and 'action' must be strings")
        unknown = set(data) - {"action", "name", "signatures", *_FIELDS}
        if unknown:
            raise RulesError(f"rule {name!r}: unknown keys {sorted(map(str, unknown))}")
        try:
            fields = {f: _strings(data.get(f), f) for f in (*_FIELDS, "signatures")}
        except RulesError as error:
            raise RulesError(f"rule {name!r}: {error}") from None
        return cls(action=data.get("action", ""), name=name, **fields)

    def to_dict(self) -> dict:
        out: dict = {"action": self.action, "name": self.name}
        for key in (*_FIELDS, "signatures"):
            values = getattr(self, key)
            if values:
                out[key] = list(values)
        return out

    @property
    def signature(self) -> str:
        return rule_signature(self.name)


@dataclass(frozen=True)
class Rules:
    """An ordered list of :class:`Rule`; ``Rules.load(path)`` reads a TOML or YAML file."""

    rules: tuple[Rule, ...] = field(default_factory=tuple)

    @classmethod
    def load(cls, path: str | Path) -> Rules:
        """Read a TOML (``[[rule]]`` tables) or YAML (``rules:`` list) file; a missing file is an error."""
        path = Path(path)
        if not path.is_file():
            raise RulesError(f"{path}: no such rules file")
        if path.stat().st_size > MAX_RULES_BYTES:
            raise RulesError(f"{path}: {path.stat().st_size:,} bytes, more than a rules file may hold "
                             f"({MAX_RULES_BYTES:,})")
        with path.open("rb") as handle:
            raw = handle.read(MAX_RULES_BYTES + 1)
        try:
            text = raw.decode("utf-8")
            data = yaml.load(text, Loader=_NoAliasLoader) if path.suffix in (".yaml", ".yml") else tomllib.loads(text)
        except (UnicodeDecodeError, yaml.YAMLError, tomllib.TOMLDecodeError, RulesError) as error:
            raise RulesError(f"{path}: not a readable rules file: {error}") from None
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise RulesError(f"{path}: expected 'rule' tables (TOML) or a 'rules' list (YAML) at the top")
        entries = data.get("rule", data.get("rules", []))
        if not isinstance(entries, list):
            raise RulesError(f"{path}: 'rule'/'rules' must be a list of rules, got {type(entries).__name__}")
        rules = []
        for number, entry in enumerate(entries, start=1):
            try:
                rules.append(Rule.from_dict(entry))
            except RulesError as error:
                raise RulesError(f"{path}: rule {number}: {error}") from None
        return cls(tuple(rules))

    @classmethod
    def coerce(cls, rules: Rules | str | Path | Iterable[Rule] | None) -> Rules:
        if rules is None:
            return cls()
        if isinstance(rules, Rules):
            return rules
        if isinstance(rules, (str, Path)):
            return cls.load(rules)
        return cls(tuple(rules))

    def matches(self, frame: pd.DataFrame, signatures: pd.Series) -> pd.Series:
        """Per row, the index of the first rule that matches it, or -1."""
        chosen = np.full(len(frame), -1, dtype=np.int64)
        columns = {"message": s.MESSAGE, "logger": s.LOGGER, "service": s.SERVICE}
        exceptions = None
        for number, rule in enumerate(self.rules):
            hit = np.ones(len(frame), dtype=bool)
            conditions = False
            for key in _FIELDS:
                patterns = getattr(rule, key)
                if not patterns:
                    continue
                conditions = True
                if key == "exception":
                    if exceptions is None:
                        exceptions = exception_types(frame[s.MESSAGE]) if s.MESSAGE in frame else None
                    values = exceptions
                else:
                    values = frame[columns[key]] if columns[key] in frame else None
                if values is None:
                    hit[:] = False
                    continue
                text = pa.array(values.astype(object).where(values.notna(), "").astype(str).to_numpy(dtype=object),
                                type=pa.large_string())
                found = pc.match_substring_regex(text, "|".join(f"(?:{p})" for p in patterns))
                hit &= found.to_numpy(zero_copy_only=False)
            hit &= conditions
            if rule.signatures:
                hit |= signatures.isin(rule.signatures).to_numpy()
            chosen[(chosen < 0) & hit] = number
        return pd.Series(chosen, index=frame.index)


def exception_types(messages: pd.Series) -> pd.Series:
    """The exception type of each message: a traceback's final exception, or a leading ``XError:``."""
    def one(message: object) -> str:
        if not isinstance(message, str):
            return ""
        parsed = parse(message)
        if parsed is not None:
            return parsed.exception
        match = _ONE_LINE_EXCEPTION.match(message)
        return match.group(1) if match else ""

    uniques = pd.unique(messages.astype(object))
    return messages.astype(object).map({m: one(m) for m in uniques})


def _toml_string(value: str) -> str:
    """A TOML basic string (escapes per the TOML spec: quote, backslash and control characters)."""
    out = []
    for ch in value:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch in "\b\t\n\f\r":
            out.append({"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_rule(rule: Rule) -> str:
    lines = ["[[rule]]"]
    for key, value in rule.to_dict().items():
        if isinstance(value, list):
            lines.append(f"{key} = [{', '.join(_toml_string(v) for v in value)}]")
        else:
            lines.append(f"{key} = {_toml_string(value)}")
    return "\n".join(lines) + "\n"


def append_rule(path: str | Path, rule: Rule) -> None:
    """Append one rule to a rules file (TOML, or YAML for ``.yaml``/``.yml``), creating it if needed."""
    path = Path(path)
    if path.suffix in (".yaml", ".yml"):
        existing = Rules.load(path).rules if path.exists() else ()
        document = {"rules": [r.to_dict() for r in (*existing, rule)]}
        path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
        return
    text = path.read_text(encoding="utf-8") if path.exists() else "# triage fingerprint rules\n"
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(f"{text}\n{_toml_rule(rule)}", encoding="utf-8")
    Rules.load(path)  # fail loudly if the file no longer parses


def _checked(path: str | Path, rule: Rule) -> Rule:
    """A new rule is checked, with the file it joins, before a byte is written (a bad rule leaves the file as it was):
    a one-line printable name, the existing file readable, and the result within :data:`MAX_RULES_BYTES`."""
    if rule.name != rule.name.strip() or any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in rule.name):
        raise RulesError(f"rule {rule.name!r}: a name is one line of text (no control or format characters), "
                         "without surrounding spaces")
    path = Path(path)
    if path.exists():
        Rules.load(path)
        if path.stat().st_size + len(_toml_rule(rule).encode()) + 1 > MAX_RULES_BYTES:
            raise RulesError(f"{path}: adding rule {rule.name!r} would make it more than {MAX_RULES_BYTES:,} bytes")
    return rule


def add_merge_rule(path: str | Path, name: str, signatures_or_patterns: Iterable[str]) -> Rule:
    """Append a merge rule: 12-hex items are signatures, anything else a message regex."""
    items = list(signatures_or_patterns)
    for item in items:  # a signature in capitals would silently become a regex matching nothing
        if not isinstance(item, str) or not item or (_SIGNATURE.match(item.lower()) and not _SIGNATURE.match(item)):
            raise RulesError(f"rule {name!r}: {item!r} is neither a signature (12 lowercase hex) nor a message regex")
    rule = _checked(path, Rule("merge", name, message=tuple(i for i in items if not _SIGNATURE.match(i)),
                               signatures=tuple(i for i in items if _SIGNATURE.match(i))))
    append_rule(path, rule)
    return rule


def add_split_rule(path: str | Path, name: str, pattern: str, **conditions: str) -> Rule:
    """Append a split rule: messages matching ``pattern`` (and any logger/service/exception regexes)."""
    if set(conditions) - {"logger", "service", "exception"}:
        raise RulesError(f"rule {name!r}: conditions are logger, service and exception, not {sorted(conditions)}")
    rule = Rule("split", name, message=_strings(pattern, "message"),
                **{k: _strings(v, k) for k, v in conditions.items()})
    append_rule(path, _checked(path, rule))
    return rule
