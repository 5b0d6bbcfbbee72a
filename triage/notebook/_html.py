"""Text-safe HTML for the explorer's panels: every value from the logs goes through ``html_text``.

Log messages are attacker-controlled, so nothing here interpolates a value without escaping it.

>>> import pandas as pd
>>> html = table_html(pd.DataFrame({"template": ["<script>alert(1)</script>"], "count": [3]}))
>>> html[html.index("<tbody>"):]
'<tbody><tr><td>&lt;script&gt;alert(1)&lt;/script&gt;</td><td>3</td></tr></tbody></table>'
>>> pre("<img src=x onerror=alert(1)>")
'<pre class="triage-pre">&lt;img src=x onerror=alert(1)&gt;</pre>'
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from triage.escape import html_text

__all__ = ["heading", "link", "paragraph", "pre", "STYLE", "table_html", "table_html_pairs"]


def _cell(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return html_text(value.strftime("%Y-%m-%d %H:%M:%S"))
    if isinstance(value, float):
        return "" if value != value else html_text(f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}")
    return html_text(value)


def table_html(rows: pd.DataFrame, *, headers: Mapping[str, str] | None = None, css_class: str = "triage-table",
               row_classes: list[str] | None = None) -> str:
    """``rows`` as an HTML table, every header and cell escaped (``headers`` renames columns for display)."""
    headers = headers or {}
    head = "".join(f"<th>{html_text(headers.get(c, c))}</th>" for c in rows.columns)
    body = []
    for i, values in enumerate(rows.itertuples(index=False, name=None)):
        extra = f' class="{html_text(row_classes[i])}"' if row_classes and row_classes[i] else ""
        body.append(f"<tr{extra}>" + "".join(f"<td>{_cell(v)}</td>" for v in values) + "</tr>")
    return (f'<table class="{html_text(css_class)}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def table_html_pairs(pairs: list[tuple[str, str]], css_class: str = "triage-table") -> str:
    """(label, text) pairs as a two-column table without a header, every cell escaped.

    >>> table_html_pairs([("What", "<b>x</b>")])
    '<table class="triage-table"><tbody><tr><th>What</th><td>&lt;b&gt;x&lt;/b&gt;</td></tr></tbody></table>'
    """
    body = "".join(f"<tr><th>{html_text(k)}</th><td>{html_text(v)}</td></tr>" for k, v in pairs)
    return f'<table class="{html_text(css_class)}"><tbody>{body}</tbody></table>'


def pre(text: object) -> str:
    """``text`` verbatim in a ``<pre>`` block (escaped)."""
    return f'<pre class="triage-pre">{html_text(text)}</pre>'


def link(url: str, text: object, css_class: str) -> str:
    """A link that opens in a new tab; ``url`` and ``text`` escaped, only http(s) URLs.

    >>> link("https://console.cloud.google.com/logs/query;query=a%3D%22b%22", "logs", "x")
    '<a class="x" href="https://console.cloud.google.com/logs/query;query=a%3D%22b%22" target="_blank" rel="noopener noreferrer">logs</a>'
    """  # noqa: E501 (a doctest's output is one line)
    if not str(url).startswith(("https://", "http://")):
        return ""
    return (f'<a class="{html_text(css_class)}" href="{html_text(url)}" target="_blank" '
            f'rel="noopener noreferrer">{html_text(text)}</a>')


def heading(text: object, level: int = 4) -> str:
    return f"<h{level}>{html_text(text)}</h{level}>"


def paragraph(text: object) -> str:
    return f"<p>{html_text(text)}</p>"


#: Styles for the explorer (static: no values interpolated).
STYLE = """<style>
.triage-table { border-collapse: collapse; font-size: 12px; line-height: 1.35; }
.triage-table th { white-space: nowrap; }
.triage-table th, .triage-table td { border-bottom: 1px solid #ddd; padding: 2px 6px; text-align: left;
  vertical-align: top; max-width: 48em; overflow-wrap: anywhere; }
.triage-table tr.triage-selected td { background: #fff3c4; }
.triage-sigs { width: 100%; table-layout: auto; }
.triage-sigs td:nth-child(1), .triage-sigs td:nth-child(2) { white-space: nowrap; }
.triage-sigs td:nth-child(2) { font-family: monospace; }
.triage-sigs tr.triage-problem td:first-child { border-left: 3px solid #d62728; }
.triage-sigs tr.triage-healthy td { color: #777; }
.triage-logs-link { font-size: 12px; }
.triage-pre { white-space: pre-wrap; font-size: 11px; max-height: 24em; overflow: auto; background: #f7f7f7;
  padding: 4px; }
</style>"""
