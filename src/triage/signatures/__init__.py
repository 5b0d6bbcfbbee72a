"""Placeholder: being written (see docs/architecture.md)."""

def templates(*args, **kwargs):
    raise NotImplementedError("templates")

def add_signatures(*args, **kwargs):
    raise NotImplementedError("add_signatures")

def explain(*args, **kwargs):
    raise NotImplementedError("explain")

SIGNATURE_VERSION = "0"
