"""Writing figures to PNG, SVG, PDF and self-contained HTML; a batch keeps one browser open."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TypeAlias

import plotly.graph_objects as go

from triage.errors import TriageError
from triage.files import replace_into, staging
from triage.options import EXPORT_FORMATS as FORMATS
from triage.options import IMAGE_FORMATS, ExportFormat, ImageFormat
from triage.plot.style import HEIGHT, WIDTH

__all__ = [
    "browser", "CHROMIUM_HINT", "ChromiumMissing", "export", "ExportFormat", "Figures", "FORMATS", "IMAGE_FORMATS",
    "ImageFormat", "KALEIDO_OPTIONS"
]

#: Kaleido options: no MathJax (it would come from a CDN; triage never typesets LaTeX).
KALEIDO_OPTIONS = {"mathjax": False}

class _IgnoredByChoreographer(logging.Filter):
    """Drop the tracebacks choreographer logs for browser messages it then ignores (a successful export is quiet)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Ignoring" not in str(record.msg)


_QUIET = _IgnoredByChoreographer()


def _import_kaleido():
    """kaleido, with choreographer's ignored-message tracebacks filtered (its loggers exist once it is imported)."""
    import kaleido

    pipe = logging.getLogger("choreographer.channels.pipe")
    if _QUIET not in pipe.filters:
        pipe.addFilter(_QUIET)
    return kaleido

_open_browsers: list[bool] = []  # one entry per active browser() block (they nest)

Figures: TypeAlias = go.Figure | Iterable[go.Figure] | Mapping[str, go.Figure]


def export(
    figures: Figures,
    path: str | Path,
    *,
    formats: Iterable[ExportFormat] | None = None,
    width: int | None = None,
    height: int | None = None,
    scale: float = 1.0,
) -> list[Path]:
    """Write one figure to a file, or many figures into a directory, with one browser for all the images.

    Parameters
    ----------
    figures : Figure, list of Figure, or dict of name -> Figure
        One figure (``path`` is then a file whose suffix gives the format, unless ``formats`` is given), or many
        (``path`` is then a directory, created if needed; files are named by the dict keys, or ``figure-01``...).
    path : str or Path
        The file or the directory.
    formats : iterable of str, optional
        Any of ``png``, ``svg``, ``pdf``, ``jpeg``, ``webp``, ``html``. Default: the suffix of ``path`` for one
        figure, ``("png",)`` for many.
    width, height : int, optional
        Image size in pixels (times ``scale``); default the figure's own size, else 1000 × 480.
    scale : float, default 1.0
        Pixel density of raster images.

    Returns
    -------
    list of Path
        The files written, in order (for each figure, each format).

    Notes
    -----
    Images are rendered by kaleido in headless Chromium (found on PATH). All images of one call share one browser;
    wrap several calls in :func:`browser` to share it across calls. HTML files are self-contained: plotly.js is
    inlined, so they work offline.

    Examples
    --------
    >>> import plotly.graph_objects as go, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> [p.name for p in export({"bars": go.Figure(go.Bar(y=[1, 2]))}, out, formats=["html"])]
    ['bars.html']
    """
    targets = _targets(figures, Path(path), formats)
    for directory in dict.fromkeys(file.parent for _, file in targets):
        # Everything is written into a private staging folder, then renamed into place: atomic, and never
        # through a symlink planted at a chart's name.
        with staging(directory) as temp:
            mine = [(fig, file, temp / file.name) for fig, file in targets if file.parent == directory]
            for fig, _, draft in mine:
                if draft.suffix == ".html":
                    fig.write_html(draft, include_plotlyjs=True, include_mathjax=False, full_html=True,
                                   config={"displaylogo": False})
            images = [(fig, draft) for fig, _, draft in mine if draft.suffix[1:] in IMAGE_FORMATS]
            if images:
                _write_images(images, width=width, height=height, scale=scale)
            for _, file, draft in mine:
                replace_into(draft, file)
    return [file for _, file in targets]


def _targets(figures: Figures, path: Path, formats: Iterable[str] | None) -> list[tuple[go.Figure, Path]]:
    if isinstance(figures, go.Figure):
        if formats is None:
            fmt = path.suffix[1:].lower()
            if not fmt:
                raise ValueError(f"cannot tell the format of {str(path)!r}: give it a suffix or pass formats=")
            return [(figures, path.with_suffix("." + _check(fmt)))]
        return [(figures, path.with_suffix("." + _check(f))) for f in formats] if path.suffix else \
            [(figures, path / f"figure.{_check(f)}") for f in formats]
    named = figures.items() if isinstance(figures, Mapping) else \
        ((f"figure-{i:02d}", fig) for i, fig in enumerate(figures, start=1))
    chosen = [_check(f) for f in (formats or ("png",))]
    return [(fig, path / f"{_safe_name(name)}.{fmt}") for name, fig in named for fmt in chosen]


def _check(fmt: str) -> str:
    fmt = fmt.lower().lstrip(".")
    fmt = "jpeg" if fmt == "jpg" else fmt
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return fmt


def _safe_name(name: object) -> str:
    """A file name from a figure's name: no separators, no leading dots."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(name)).lstrip(".") or "figure"


class ChromiumMissing(TriageError, RuntimeError):
    """Image export (PNG, SVG, PDF) needs a Chromium browser and none was found; HTML export works without one."""


CHROMIUM_HINT = ("PNG/SVG/PDF export needs Chromium, which was not found: install Debian's package "
                 "(`sudo apt-get install chromium`, or `make system-deps`) or set BROWSER_PATH to a Chrome/Chromium "
                 "binary. Interactive charts and HTML export work without it.")


def _write_images(images: list[tuple[go.Figure, Path]], *, width: int | None, height: int | None, scale: float) -> None:
    from choreographer.errors import ChromeNotFoundError

    try:
        _render(images, width=width, height=height, scale=scale)
    except ChromeNotFoundError:
        raise ChromiumMissing(CHROMIUM_HINT) from None


def _render(images: list[tuple[go.Figure, Path]], *, width: int | None, height: int | None, scale: float) -> None:
    kaleido = _import_kaleido()

    specs = [
        dict(fig=fig.to_plotly_json(), path=file,
             opts=dict(format=file.suffix[1:], scale=scale,
                       width=width or fig.layout.width or WIDTH, height=height or fig.layout.height or HEIGHT))
        for fig, file in images
    ]
    if _open_browsers:  # inside browser(): kaleido's sync server renders with the browser already open
        kaleido.write_fig_from_object_sync(specs)
    else:
        kaleido.write_fig_from_object_sync(specs, kopts=KALEIDO_OPTIONS)


@contextlib.contextmanager
def browser() -> Iterator[None]:
    """Keep one headless browser open for every :func:`export` inside the ``with`` block.

    Without it, each :func:`export` call starts (and closes) its own browser, about 3 s.
    """
    kaleido = _import_kaleido()
    from choreographer.errors import ChromeNotFoundError

    if not _open_browsers:
        try:
            kaleido.start_sync_server(**KALEIDO_OPTIONS, silence_warnings=True)
        except ChromeNotFoundError:
            raise ChromiumMissing(CHROMIUM_HINT) from None
    _open_browsers.append(True)
    try:
        yield
    finally:
        _open_browsers.pop()
        if not _open_browsers:
            kaleido.stop_sync_server(silence_warnings=True)
