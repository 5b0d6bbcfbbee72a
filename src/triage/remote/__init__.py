"""Placeholder: being written (see docs/architecture.md)."""

def summarize_remote(*args, **kwargs):
    raise NotImplementedError("summarize_remote")

def sql(*args, **kwargs):
    raise NotImplementedError("sql")

