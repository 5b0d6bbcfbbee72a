"""Placeholder: being written (see docs/architecture.md)."""

def add_users(*args, **kwargs):
    raise NotImplementedError("add_users")

def summarize(*args, **kwargs):
    raise NotImplementedError("summarize")

def timeline(*args, **kwargs):
    raise NotImplementedError("timeline")

def periodicity(*args, **kwargs):
    raise NotImplementedError("periodicity")

def compare_revisions(*args, **kwargs):
    raise NotImplementedError("compare_revisions")

def compare_windows(*args, **kwargs):
    raise NotImplementedError("compare_windows")

def cascades(*args, **kwargs):
    raise NotImplementedError("cascades")

def severity_mismatches(*args, **kwargs):
    raise NotImplementedError("severity_mismatches")

