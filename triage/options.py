"""The string options of the public API, each a :class:`typing.Literal` (checked by mypy) and the tuple of its values
(checked at run time): one home for every choice, light enough for the command line to import.

>>> from typing import get_args
>>> ERRORS_MODES
('raise', 'report')
>>> get_args(LoadFormat)
('json', 'jsonl', 'csv', 'text')
>>> "jpeg" in IMAGE_FORMATS and "html" in EXPORT_FORMATS and "jpg" not in EXPORT_FORMATS
True
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "CloudOrder", "CLOUD_ORDERS", "Engine", "ENGINES", "ErrorsMode", "ERRORS_MODES", "EvidenceKind", "EVIDENCE_KINDS",
    "EXPORT_FORMATS", "ExportFormat", "IMAGE_FORMATS", "ImageFormat", "LOAD_FORMATS", "LoadFormat", "UsersKind",
    "USERS_KINDS",
]

#: ``errors=`` of every reader (``load``, ``read_cloud_logging``, ``replay``...): stop at the first bad record
#: (``"raise"``) or load the rest and count it as rejected (``"report"``).
ErrorsMode = Literal["raise", "report"]
#: ``load(format=...)``: the reader to use instead of detecting it.
LoadFormat = Literal["json", "jsonl", "csv", "text"]
#: ``read_cloud_logging(order=...)``: which end of the window is read first.
CloudOrder = Literal["asc", "desc"]
#: Image files a figure can be written as (``export``, ``report(formats=...)``, ``triage report --format``).
ImageFormat = Literal["png", "svg", "pdf", "jpeg", "webp"]
#: Everything ``export`` writes: the images, a self-contained HTML page, and ``jpg`` (read as ``jpeg``).
ExportFormat = Literal[ImageFormat, "html", "jpg"]
#: ``summarize_remote(engine=...)`` / ``sql(target=...)``: where the SQL runs.
Engine = Literal["duckdb", "bigquery"]
#: ``plot.users(kind=...)``.
UsersKind = Literal["bar", "heatmap"]
#: What a Five-Whys piece of evidence points at (``Evidence(kind, ...)``).
EvidenceKind = Literal["signature", "chart", "filter", "entry", "revision", "cascade", "note"]

ERRORS_MODES: tuple[ErrorsMode, ...] = get_args(ErrorsMode)
LOAD_FORMATS: tuple[LoadFormat, ...] = get_args(LoadFormat)
CLOUD_ORDERS: tuple[CloudOrder, ...] = get_args(CloudOrder)
IMAGE_FORMATS: tuple[ImageFormat, ...] = get_args(ImageFormat)
#: The formats ``export`` writes (``jpg`` is an alias, not listed).
EXPORT_FORMATS: tuple[str, ...] = (*IMAGE_FORMATS, "html")
ENGINES: tuple[Engine, ...] = get_args(Engine)
USERS_KINDS: tuple[UsersKind, ...] = get_args(UsersKind)
EVIDENCE_KINDS: tuple[EvidenceKind, ...] = get_args(EvidenceKind)
