"""Executing the project's notebooks in a real Jupyter kernel (nbclient), the way CI does."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
NOTEBOOK_NAMES = ("01_triage.ipynb", "02_cloud_logging.ipynb", "03_replay.ipynb")
#: Prepended to the notebook under test so the test can check which interpreter the kernel runs.
PROBE = "import sys as _sys; print('KERNEL-PYTHON', _sys.executable)"


def execute(name: str, env: dict[str, str], *, timeout: int = 240) -> nbformat.NotebookNode:
    """Run every cell of ``notebooks/<name>`` in a fresh ``python3`` kernel; raises on the first error.

    The kernel gets ``os.environ`` plus ``env`` and runs in ``notebooks/`` (relative paths as in JupyterLab).
    """
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(PROBE))
    client = NotebookClient(nb, kernel_name="python3", timeout=timeout, allow_errors=False,
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute(env={**os.environ, **env})
    return nb


def kernel_python(nb: nbformat.NotebookNode) -> str:
    """The interpreter the kernel ran (from the probe cell's output)."""
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs)
    return text.split("KERNEL-PYTHON", 1)[1].strip()


def venv_python() -> Path:
    return Path(sys.executable)


def outputs_of(nb: nbformat.NotebookNode, needle: str) -> list[dict]:
    """Outputs of the code cells whose source contains ``needle``."""
    return [o for c in nb.cells if c.cell_type == "code" and needle in c.source for o in c.outputs]


def mime(outputs: list[dict], kind: str) -> list[object]:
    return [o["data"][kind] for o in outputs if kind in o.get("data", {})]
