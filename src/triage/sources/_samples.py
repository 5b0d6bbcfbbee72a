"""Placeholder: being written (see docs/architecture.md)."""

def save_sample(*args, **kwargs):
    raise NotImplementedError("save_sample")

def replay(*args, **kwargs):
    raise NotImplementedError("replay")

def verify_sample(*args, **kwargs):
    raise NotImplementedError("verify_sample")

