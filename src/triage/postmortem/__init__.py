"""Placeholder: being written (see docs/architecture.md)."""

def export(*args, **kwargs):
    raise NotImplementedError("export")

def report(*args, **kwargs):
    raise NotImplementedError("report")

