"""triage: interactive log triage for Google Cloud Logging, in Jupyter.

The data flows one way: sources → frame → signatures → analysis → charts / report / widgets.
The public API is re-exported here and imported lazily, so ``import triage`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_API = {
    "TriageError": "triage.errors",
    # sources
    "load": "triage.sources",
    "LoadError": "triage.sources",
    "CloudLoggingError": "triage.sources",
    "read_cloud_logging": "triage.sources",
    "logging_filter": "triage.sources",
    "save_sample": "triage.sources",
    "replay": "triage.sources",
    "verify_sample": "triage.sources",
    "new_key": "triage.sources",
    # signatures
    "templates": "triage.signatures",
    "add_signatures": "triage.signatures",
    "params_of": "triage.signatures",
    "explain": "triage.signatures",
    "SIGNATURE_VERSION": "triage.signatures",
    # analysis
    "add_users": "triage.analysis",
    "summarize": "triage.analysis",
    "timeline": "triage.analysis",
    "periodicity": "triage.analysis",
    "period_gaps": "triage.analysis",
    "compare_revisions": "triage.analysis",
    "compare_windows": "triage.analysis",
    "cascades": "triage.analysis",
    "severity_mismatches": "triage.analysis",
    # charts and postmortem
    "plot": "triage.plot",
    "export": "triage.postmortem",
    "report": "triage.postmortem",
    # notebook
    "explore": "triage.notebook",
    "five_whys": "triage.notebook",
    # beyond one machine
    "summarize_remote": "triage.remote",
    "sql": "triage.remote",
}

__all__ = sorted(_API) + ["__version__"]


def __getattr__(name: str) -> Any:
    module_name = _API.get(name)
    if module_name is None:
        raise AttributeError(f"module 'triage' has no attribute {name!r}")
    module = importlib.import_module(module_name)
    value = module if module_name == f"triage.{name}" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
