"""The one escaping module: log text is attacker-controlled, so everything rendered goes through here.

Plotly renders a subset of HTML in titles, legends, hovers, table cells and tick labels, HTML is HTML, and Markdown
renders both its own syntax and raw HTML. Each target has one function; nothing else in triage escapes by hand.

>>> html_text("<img src=x onerror=alert(1)>")
'&lt;img src=x onerror=alert(1)&gt;'
>>> print(markdown_text("*bold* <b>x</b> | [link](http://x)"))
\\*bold\\* &lt;b&gt;x&lt;/b&gt; \\| \\[link\\](http://x)
>>> print(markdown_text("1. # not a list"), markdown_text("- nor this"))
1\\. # not a list \\- nor this
>>> shorten("a" * 10, 6)
'aaaaa…'

Control characters (ESC, OSC, C1, NUL, bidi overrides) never reach any target raw: they are shown as ``\\xNN`` /
``\\u202e``, so ``cat report.md`` cannot run an escape sequence.
"""

from __future__ import annotations

import html
import re

import pandas as pd

__all__ = ["html_text", "markdown_code", "markdown_text", "plotly_text", "shorten", "terminal_text"]

# Significant anywhere in a line (emphasis, code, links, tables, strike-through, escapes) ...
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]|~])")
# ... and at the start of a line only (headings, lists, quotes, setext underlines, ordered lists).
_MARKDOWN_LEADING = re.compile(r"^(\d*)([#+\-=.)])(?=\s|$|[=\-]+$)")
_WHITESPACE = re.compile(r"\s+")
# C0 (but tab and newlines), DEL, C1, and the Unicode bidi/line controls that reorder or hide terminal text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# Plotly expands %{...} in names, titles and annotations (from layout.meta): a literal percent sign as an entity.
_PLOTLY_TEMPLATE = re.compile(r"%(?=\{)")


def _visible(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _as_text(value: object) -> str:
    """``value`` as text with control characters made visible (``\\x1b``), for every target."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return _CONTROL.sub(_visible, str(value))


def html_text(value: object) -> str:
    """Escape ``value`` for HTML and for plotly's pseudo-HTML (``<``, ``>``, ``&``, quotes)."""
    return html.escape(_as_text(value), quote=True)


def plotly_text(value: object, *, limit: int | None = None) -> str:
    """Escape ``value`` for a plotly title, legend, hover or cell, on one line, shortened to ``limit`` characters.

    Plotly turns ``<br>`` into line breaks and knows only a few entities, so quotes are left alone and runs of
    whitespace (newlines included) become one space.

    ``%{`` (plotly's template syntax, expanded even in legend names) is written ``&#37;{`` so it shows as text.

    >>> plotly_text('a <b>\\n"c" & d', limit=8)
    'a &lt;b&gt; "…'
    >>> plotly_text("%{meta} 50%")
    '&#37;{meta} 50%'
    """
    text = _WHITESPACE.sub(" ", _as_text(value)).strip()
    if limit is not None:
        text = shorten(text, limit)
    return _PLOTLY_TEMPLATE.sub("&#37;", html.escape(text, quote=False))


def markdown_text(value: object) -> str:
    """Escape ``value`` for Markdown (inline, safe in table cells): Markdown punctuation is backslash-escaped and
    HTML is entity-escaped, newlines become spaces."""
    text = _WHITESPACE.sub(" ", _as_text(value)).strip()
    text = _MARKDOWN_LEADING.sub(r"\1\\\2", _MARKDOWN_INLINE.sub(r"\\\1", text))
    return html.escape(text, quote=False)


def shorten(value: object, limit: int) -> str:
    """Cut ``value`` to at most ``limit`` characters, ending with an ellipsis when cut."""
    text = _as_text(value)
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def markdown_code(value: object) -> str:
    """``value`` as a fenced Markdown code block, verbatim (multi-line tracebacks keep their lines).

    The fence is longer than any run of backticks in the text, so the text cannot close it; Markdown renderers
    escape HTML inside code blocks.

    >>> print(markdown_code("a ``` b"))
    ````text
    a ``` b
    ````
    """
    text = _as_text(value).replace("\r\n", "\n").replace("\r", "\n")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def terminal_text(value: object, *, limit: int | None = None) -> str:
    """``value`` safe for a terminal: control characters (ANSI escapes included) shown as ``\\xNN``, one line.

    Rich markup is not an issue when the result is wrapped in ``rich.text.Text`` (never parsed as markup).

    >>> terminal_text("red \\x1b[31mALERT\\x1b[0m\\nnext")
    'red \\\\x1b[31mALERT\\\\x1b[0m next'
    """
    text = _WHITESPACE.sub(" ", _as_text(value)).strip()
    return shorten(text, limit) if limit is not None else text
