"""Export figures (PNG, SVG, PDF, self-contained HTML) and write postmortem bundles (Markdown + HTML + charts);
link a signature to its entries in the Cloud Logging console."""

from ._export import ChromiumMissing, browser, export
from ._links import logs_explorer_url, query_of, signature_filter
from ._provenance import Provenance, provenance
from ._report import report

__all__ = ["ChromiumMissing", "Provenance", "browser", "export", "logs_explorer_url", "provenance", "query_of",
           "report", "signature_filter"]
