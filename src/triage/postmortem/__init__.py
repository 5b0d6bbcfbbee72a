"""Export figures (PNG, SVG, PDF, self-contained HTML) and write postmortem bundles (Markdown + HTML + charts)."""

from ._export import browser, export
from ._provenance import Provenance, provenance
from ._report import report

__all__ = ["Provenance", "browser", "export", "provenance", "report"]
