"""``explain``: why a message got its signature."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from triage import schema as s
from triage.signatures._generalize import generalize_detail
from triage.signatures._location import location_merges, locations
from triage.signatures._masking import mask_hits
from triage.signatures._pipeline import run
from triage.signatures._requests import request_mask_hits, request_template
from triage.signatures._rules import Rules
from triage.signatures._signature import signature_of
from triage.signatures._tokens import normalize, split
from triage.signatures._tracebacks import parse

__all__ = ["explain", "Explanation"]


@dataclass(frozen=True)
class Explanation:
    """Why ``message`` has ``signature``: the steps that produced its ``template``.

    ``masks`` lists the masking rules that fired (name, matched text, placeholder);
    ``generalized`` the words turned into ``<*>`` (the word, the values seen at that position and
    why, the templates compared); ``rule`` the team rule that decided, if any; ``kind`` says which
    path the message took (``message``, ``traceback`` or ``request``).
    """

    message: str
    kind: str
    masked: str
    template: str
    signature: str
    masks: tuple[tuple[str, str, str], ...] = ()
    generalized: tuple[tuple[str, tuple[str, ...], str], ...] = ()
    compared_with: tuple[str, ...] = ()
    rule: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_frame(self) -> pd.DataFrame:
        """One row per step: ``step``, ``name``, ``matched``, ``result``."""
        rows = [("mask", name, text, placeholder) for name, text, placeholder in self.masks]
        rows += [("generalize", reason, word, ", ".join(values)) for word, values, reason in self.generalized]
        rows += [("note", self.kind, "", note) for note in self.notes]
        if self.rule:
            rows.append(("rule", self.rule, self.message, self.template))
        return pd.DataFrame(rows, columns=["step", "name", "matched", "result"])

    def __str__(self) -> str:
        lines = [f"signature {self.signature}  ({self.kind})", f"  template: {self.template}"]
        if self.rule:
            lines.append(f"  team rule {self.rule!r} decided the signature")
        for name, text, placeholder in self.masks:
            lines.append(f"  mask {name}: {text!r} -> {placeholder}")
        for word, values, reason in self.generalized:
            shown = ", ".join(values[:6]) + (", ..." if len(values) > 6 else "")
            lines.append(f"  generalised {word!r} -> <*>: {reason} ({shown})")
        if self.compared_with:
            lines.append(f"  compared with {len(self.compared_with)} similar template(s)")
        lines += [f"  {note}" for note in self.notes]
        return "\n".join(lines)

    def _repr_pretty_(self, printer, cycle) -> None:  # IPython
        printer.text(str(self))


def explain(message: str, context=None, *, rules=None) -> Explanation:
    """Explain the signature of one message.

    Parameters
    ----------
    message : str
        The message to explain.
    context : sequence of str, Series or DataFrame, optional
        Other messages it was grouped with (e.g. the frame's ``message`` column): generalisation
        compares similar templates, so words vary only relative to these. A log frame also brings
        its source locations, and the explanation says when a location merged templates.
    rules : Rules or path, optional
        Team fingerprint rules to check first.

    Returns
    -------
    Explanation
        Printable; ``to_frame()`` gives one row per step.

    Examples
    --------
    >>> e = explain("Invalid user_id format: e2e-prod_user", context=[
    ...     "Invalid user_id format: 105945141827451681156", "Invalid user_id format: e2e-staging_pipeline"])
    >>> e.template
    'Invalid user_id format: <*>'
    >>> e.to_frame()["step"].tolist()
    ['generalize']
    >>> print(explain("took 7.51s"))  # doctest: +ELLIPSIS
    signature ...  (message)
      template: took <duration>
      mask duration: '7.51s' -> <duration>
    """
    frame = context if isinstance(context, pd.DataFrame) else None
    if frame is not None:
        context = frame[s.MESSAGE]
    context_list = [] if context is None else [m for m in pd.Series(context).dropna().astype(str)]
    everything = [message] + context_list
    result = run(everything)
    template = result.templates[result.codes[0]]
    location_notes: tuple[str, ...] = ()
    if frame is not None:
        location_notes, template = _location_note(message, frame, result, template)
    signature = signature_of(template)
    rules = Rules.coerce(rules)
    rule_name = None
    if rules.rules:
        frame = pd.DataFrame({s.MESSAGE: [message]})
        chosen = int(rules.matches(frame, pd.Series([signature]))[0])
        if chosen >= 0:
            rule_name = rules.rules[chosen].name
            template, signature = rule_name, rules.rules[chosen].signature

    parsed = parse(message)
    if parsed is not None:
        notes: tuple[str, ...] = (f"traceback: final exception {parsed.exception}, innermost application frame "
                 f"{parsed.file}:{parsed.function} (line numbers, outer frames and the message are ignored)",)
        return Explanation(message, "traceback", parsed.template, template, signature, rule=rule_name, notes=notes)
    request = request_template(message)
    if request is not None:
        return Explanation(message, "request", normalize(request), template, signature,
                           tuple(request_mask_hits(message)),
                           rule=rule_name, notes=("request: method, route with ids masked, and status",))

    masked_raw = result.masked[result.codes[0]]
    notes = location_notes
    detail = generalize_detail(name for code, name in enumerate(result.masked)
                               if code not in result.fixed)[masked_raw]
    masked = detail.normal
    if masked != normalize(masked_raw, runs=False):
        notes = ("a run of values written once: other messages log the list with another length",) + notes
    words = split(masked)[0]
    generalized = tuple((words[d.position], d.values, d.reason) for d in detail.decisions)
    others = tuple(m for m in detail.cluster if m != masked)
    if detail.folded_from is not None:
        notes = (f"folded: {detail.folded_from!r} is matched by the wildcards of {detail.template!r}, "
                 "the most specific template that matches it",) + notes
    return Explanation(message, "message", masked, template, signature, tuple(mask_hits(message)),
                       generalized, others, rule=rule_name, notes=notes)


def _location_note(message: str, frame: pd.DataFrame, result, template: str) -> tuple[tuple[str, ...], str]:
    """Apply the source-location merges of ``frame`` (the message takes the location of its first row)."""
    same = frame[s.MESSAGE].astype(object) == message
    first = frame[same].head(1)
    head = first if len(first) else pd.DataFrame({s.MESSAGE: [message]})
    rows = pd.concat([head, frame[frame[s.MESSAGE].notna()]], ignore_index=True)
    where = locations(rows)
    if where is None:
        return (), template
    merges = location_merges(result.codes, list(result.templates), result.fixed, where)
    code = int(result.codes[0])
    if code not in merges:
        return (), template
    merged, place = merges[code]
    absorbed = sorted({result.templates[c] for c, (m, _) in merges.items() if m == merged})
    note = (f"merged by source location {place}: {', '.join(repr(a) for a in absorbed)} "
            f"absorbed into {merged!r}")
    return (note,), merged
