"""Placeholder: being written (see docs/architecture.md)."""

def logging_filter(*args, **kwargs):
    raise NotImplementedError("logging_filter")

def read_cloud_logging(*args, **kwargs):
    raise NotImplementedError("read_cloud_logging")

