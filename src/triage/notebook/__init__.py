"""Placeholder: being written (see docs/architecture.md)."""

def explore(*args, **kwargs):
    raise NotImplementedError("explore")

def five_whys(*args, **kwargs):
    raise NotImplementedError("five_whys")

