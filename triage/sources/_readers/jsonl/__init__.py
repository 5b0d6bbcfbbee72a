"""JSON Lines: the line-by-line reader and its DuckDB fast path, behind one entry point."""

from triage.sources._readers.jsonl.reader import read_jsonl

__all__ = ["read_jsonl"]
