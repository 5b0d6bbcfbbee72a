"""Placeholder: being written (see docs/architecture.md)."""

def main(*args, **kwargs):
    raise NotImplementedError("main")

