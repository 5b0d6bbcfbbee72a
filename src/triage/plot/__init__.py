"""Placeholder: being written (see docs/architecture.md)."""

def frequency(*args, **kwargs):
    raise NotImplementedError("frequency")

