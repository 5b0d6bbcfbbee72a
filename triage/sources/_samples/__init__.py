"""triage.sources._samples."""
