"""Placeholder: being written (see docs/architecture.md)."""

def load(*args, **kwargs):
    raise NotImplementedError("load")

