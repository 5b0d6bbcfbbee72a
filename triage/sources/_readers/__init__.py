"""triage.sources._readers."""
