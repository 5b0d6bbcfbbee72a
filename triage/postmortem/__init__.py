"""Export figures (PNG, SVG, PDF, self-contained HTML) and write postmortem bundles (Markdown + HTML + charts);
link a signature to its entries in the Cloud Logging console."""

from triage.postmortem._export import ChromiumMissing, browser, export
from triage.postmortem._links import logs_explorer_url, query_of, signature_filter
from triage.postmortem._provenance import Provenance, provenance
from triage.postmortem._report import report

__all__ = ["ChromiumMissing", "Provenance", "browser", "export", "logs_explorer_url", "provenance", "query_of",
           "report", "signature_filter"]
