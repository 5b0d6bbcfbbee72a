"""triage.sources._frame."""
