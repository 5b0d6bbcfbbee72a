"""The tests mirror the package: each test folder is named for the package (or private subpackage, without its
underscore) it tests, so a newcomer finds a module's tests by its path."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
#: Folders that are not a package's tests: shared helpers, data, and the bundled incident's own checks.
NOT_PACKAGES = {"support", "data", "incident"}


def _folders(root: Path) -> set[str]:
    """Sub-folders holding Python files (a stale ``__pycache__`` alone is not a folder of tests)."""
    return {p.name for p in root.iterdir() if p.is_dir() and any(p.glob("*.py"))}


def _packages(root: Path) -> set[str]:
    """Subpackages and modules of ``root``, private ones without their underscore."""
    return {p.parent.name.lstrip("_") for p in root.glob("*/__init__.py")} | \
        {p.stem.lstrip("_") for p in root.glob("*.py") if p.stem != "__init__"}


def test_every_test_folder_is_a_package():
    assert _folders(TESTS) - NOT_PACKAGES <= _packages(ROOT / "triage")


def test_every_sources_test_folder_is_a_sources_subpackage():
    assert _folders(TESTS / "sources") <= _packages(ROOT / "triage" / "sources")


def test_top_level_test_files_test_top_level_modules():
    modules = {p.stem for p in (ROOT / "triage").glob("*.py")}
    # test_public_api, test_layout and test_output_safety (escape + files) check across modules.
    across = {"public_api", "layout", "output_safety"}
    tested = {p.stem.removeprefix("test_") for p in TESTS.glob("test_*.py")}
    assert tested - across <= modules
