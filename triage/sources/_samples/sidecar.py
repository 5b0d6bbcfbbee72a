"""Where a saved sample keeps its metadata: ``x.jsonl.gz`` → ``x.meta.json`` (read by ``load`` and the samples)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["META", "sidecar"]

#: The sidecar's suffix; ``load`` skips such files when it expands a glob or a folder.
META = ".meta.json"
_SUFFIXES = (".gz", ".gzip", ".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".log", ".txt")


def sidecar(path: Path) -> Path:
    """A saved sample's metadata file: ``x.jsonl.gz`` → ``x.meta.json``."""
    name = path.name
    while True:
        lowered = name.lower()
        suffix = next((x for x in _SUFFIXES if lowered.endswith(x)), None)
        if suffix is None or len(name) == len(suffix):
            break
        name = name[: -len(suffix)]
    return path.with_name(name + META)
