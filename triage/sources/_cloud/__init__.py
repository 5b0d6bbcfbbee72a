"""triage.sources._cloud."""
