"""Writing output files safely: atomically, and never through a symlink or into a directory someone planted.

A report, a chart or a worksheet is first written to a new, uniquely named file beside its target (created with
``O_EXCL``, so nothing planted can be written through), then renamed over the target. A reader never sees half a
file, and a planted ``report.md -> ~/.bashrc`` symlink is replaced by the new file, its target left untouched.

>>> import tempfile, pathlib, os
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> victim = out / "victim.txt"; _ = victim.write_text("keep me")
>>> os.symlink(victim, out / "report.md")
>>> write_atomic(out / "report.md", "# report\\n").is_symlink(), victim.read_text()
(False, 'keep me')
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["replace_into", "safe_dir", "staging", "write_atomic"]


def safe_dir(path: str | Path, *, own: bool = True) -> Path:
    """Create directory ``path`` (and parents) when missing; refuse one that is not a directory, or (``own``: a
    folder triage makes, such as a report's ``charts/``) a symlink. The folder a user names may be a link."""
    path = Path(path)
    if own and path.is_symlink():
        raise ValueError(f"{path}: is a symbolic link; triage writes only into real directories")
    path.mkdir(parents=True, exist_ok=True)
    if not path.is_dir():
        raise ValueError(f"{path}: not a directory")
    return path


def replace_into(source: Path, target: Path) -> Path:
    """Rename ``source`` (a file triage just wrote) over ``target``; a symlink at ``target`` is replaced, not
    followed."""
    if target.is_dir() and not target.is_symlink():
        raise ValueError(f"{target}: is a directory, not a file")
    os.replace(source, target)
    return target


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` atomically; returns ``path``."""
    path = Path(path)
    safe_dir(path.parent, own=False)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data.encode("utf-8") if isinstance(data, str) else data)
        return replace_into(Path(temp), path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


@contextlib.contextmanager
def staging(directory: str | Path) -> Iterator[Path]:
    """A fresh private directory inside ``directory`` to write files into before :func:`replace_into`; removed after."""
    parent = safe_dir(directory, own=False)
    temp = Path(tempfile.mkdtemp(dir=parent, prefix=".triage-"))
    try:
        yield temp
    finally:
        shutil.rmtree(temp, ignore_errors=True)
