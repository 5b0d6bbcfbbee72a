"""Sources: every way logs arrive, each landing in the same log frame (see triage.schema)."""

from triage.sources._cloud.client import CloudLoggingError, logging_filter, read_cloud_logging
from triage.sources._errors import LoadError
from triage.sources._load import load
from triage.sources._samples.keys import new_key
from triage.sources._samples.sample import replay, save_sample, verify_sample

__all__ = ["CloudLoggingError", "LoadError", "load", "logging_filter", "read_cloud_logging", "new_key", "replay",
           "save_sample", "verify_sample"]
