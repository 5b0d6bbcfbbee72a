"""Sources: every way logs arrive, each landing in the same log frame (see triage.schema)."""

from ._cloud import CloudLoggingError, logging_filter, read_cloud_logging
from ._errors import LoadError
from ._keys import new_key
from ._load import load
from ._samples import replay, save_sample, verify_sample

__all__ = ["CloudLoggingError", "LoadError", "load", "logging_filter", "read_cloud_logging", "new_key", "replay",
           "save_sample", "verify_sample"]
