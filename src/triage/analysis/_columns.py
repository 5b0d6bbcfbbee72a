"""Output columns and attrs that only the analysis package produces.

The lead may move these into :mod:`triage.schema`; until then every analysis module imports them from here.
"""

from __future__ import annotations

# cascades(): how many of a chain's occurrences were whole traces (the rest are time windows on one instance)
TRACES = "traces"
# compare_windows(): events per minute in each window
BASELINE_RATE_PER_MIN = "baseline_rate_per_min"
INCIDENT_RATE_PER_MIN = "incident_rate_per_min"

# add_users(): frame.attrs key — entries whose only evidence was an ambiguous or unknown truncated id
ATTR_USERS_UNRESOLVED = "users_unresolved"

# add_users(): values of the user_evidence column, in order of trust
EVIDENCE_STRUCTURED = "structured"
EVIDENCE_TEXT = "text"
EVIDENCE_TRUNCATED = "truncated"
EVIDENCE_EMAIL = "login-email"
EVIDENCE_CONNECTION = "connection"
EVIDENCE_REQUEST = "request"
EVIDENCE_TRACE = "trace"
