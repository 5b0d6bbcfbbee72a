"""Small helpers for looking inside figures."""

from __future__ import annotations

import struct
from pathlib import Path

import plotly.graph_objects as go


def strings(obj) -> list[str]:
    """Every string anywhere in a figure's JSON (titles, names, hovers, cells, labels...)."""
    if isinstance(obj, go.Figure):
        obj = obj.to_plotly_json()
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [x for v in obj.values() for x in strings(v)]
    if isinstance(obj, (list, tuple)):
        return [x for v in obj for x in strings(v)]
    if hasattr(obj, "tolist"):
        return strings(obj.tolist())
    return []


def raw_markup(fig) -> list[str]:
    """Strings that carry unescaped markup a browser or plotly would interpret."""
    return [x for x in strings(fig) if "<img" in x or "<script" in x or "onerror=" in x and "&lt;" not in x]


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk; fails when the file is not a PNG."""
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])
