"""Analysis output columns, re-exported from :mod:`triage.schema` (the one place they are defined)."""

from triage.schema import (  # noqa: F401
    ATTR_USERS_UNRESOLVED,
    BASELINE_RATE_PER_MIN,
    EVIDENCE_CONNECTION,
    EVIDENCE_EMAIL,
    EVIDENCE_REQUEST,
    EVIDENCE_SEVERAL,
    EVIDENCE_STRUCTURED,
    EVIDENCE_TEXT,
    EVIDENCE_TRACE,
    EVIDENCE_TRUNCATED,
    INCIDENT_RATE_PER_MIN,
    TRACES,
)

__all__ = []
