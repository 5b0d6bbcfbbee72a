"""The layout the code is read by: every module says what it exports, stages meet only at public names, no
module needs another that needs it back (lazy imports included), and the tests mirror the package: each test folder
is named for the package (or private subpackage, without its underscore) it tests."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "triage"


def _module(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _stage(module: str) -> str:
    """The top-level package (``triage.sources``) or module (``triage.identity``) a module belongs to."""
    return ".".join(module.split(".")[:2])


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """``(module, names)`` of every import of triage, except those only for type checkers."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                   and "TYPE_CHECKING" in ast.unparse(node.test) for n in ast.walk(node)}
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("triage"):
            found.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((a.name, []) for a in node.names if a.name.startswith("triage"))
    return found


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_module_says_what_it_exports(module):
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    declared = [node for node in tree.body if isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)]
    if MODULES[module].name == "__init__.py" and not any(isinstance(n, ast.ImportFrom) for n in tree.body):
        return  # a namespace for subpackages, exporting nothing itself
    assert declared, f"{module} has no __all__"


def test_stages_meet_only_at_public_names():
    crossings = []
    for module, path in MODULES.items():
        for target, names in _imports(path):
            if _stage(target) == _stage(module) or target == "triage":
                continue
            private_path = any(part.startswith("_") for part in target.split(".")[1:])
            private_names = [n for n in names if n.startswith("_") or f"{target}.{n}" in MODULES
                             and n.startswith("_")]
            if private_path or private_names:
                crossings.append(f"{module} imports {target} {names}")
    assert not crossings, "\n".join(crossings)


def test_no_module_needs_one_that_needs_it_back():
    graph = {}
    for module, path in MODULES.items():
        edges = set()
        for target, names in _imports(path):
            submodules = {f"{target}.{n}" for n in names if f"{target}.{n}" in MODULES}
            edges.update(submodules or {target})
        # A module's own packages are imported before it, whatever it imports: no edge back to them.
        graph[module] = {t for t in edges if t in MODULES and t != module and not module.startswith(t + ".")}
    cycles, seen = [], set()

    def visit(node, trail):
        for nxt in graph[node]:
            if nxt in trail:
                cycle = trail[trail.index(nxt):] + [nxt]
                key = frozenset(cycle)
                if key not in seen:
                    seen.add(key)
                    cycles.append(" -> ".join(cycle))
            elif nxt not in done:
                visit(nxt, trail + [nxt])
        done.add(node)

    done: set[str] = set()
    for start in sorted(graph):
        if start not in done:
            visit(start, [start])
    assert not cycles, "\n".join(cycles)


# --- the tests mirror the package ---------------------------------------------------------------------------
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
