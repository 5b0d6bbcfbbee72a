"""`make lab`'s start-up, as root and as a normal user, and its set-up script with and without apt or Chromium.

``scripts/lab.sh`` is what ``make lab`` runs once the environment exists: it is started for real, once as the
current user (root in CI containers) and once as an unprivileged user (``nobody`` via ``runuser``, when root), each
stopped by its own process id as soon as it answers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import orjson
import psutil
import pytest

from .lab import free_port

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = 120  # JupyterLab's start-up on a busy machine; the wait ends as soon as it answers
TOKEN = "triage-test-token"


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as answer:
        return orjson.loads(answer.read())


def _start(command: list[str], env: dict[str, str], log: Path, cwd: Path = ROOT) -> subprocess.Popen:
    with open(log, "wb") as out:
        return subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _wait_ready(process: subprocess.Popen, url: str, log: Path, timeout: float = READY_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"JupyterLab exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            _get(f"{url}/api/status?token={TOKEN}")
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.25)  # polling interval of a bounded readiness loop
    raise AssertionError(f"JupyterLab did not answer within {timeout} s:\n{log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    """Stop what we started, by process id: the launcher, then its children (the server, kernels)."""
    if process.poll() is not None:
        return
    children = psutil.Process(process.pid).children(recursive=True)
    for proc in [psutil.Process(process.pid), *children]:
        try:
            proc.terminate()
        except psutil.NoSuchProcess:
            continue
    _, alive = psutil.wait_procs([psutil.Process(process.pid), *children] if process.poll() is None else children,
                                 timeout=20)
    for proc in alive:
        proc.kill()
    process.wait(timeout=10)


def _lab_args(port: int) -> list[str]:
    return [f"--port={port}", "--no-browser", f"--IdentityProvider.token={TOKEN}", "--ServerApp.port_retries=0"]


def _check_lab(prefix: list[str], home: Path, tmp_path: Path, *, make: bool = False, cwd: Path = ROOT,
               timeout: float = READY_TIMEOUT_S) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "HOME": str(home), "BIN": str(Path(sys.executable).parent), "TMPDIR": str(home),
           "JUPYTER_PLATFORM_DIRS": "1"}
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTERLAB_SETTINGS_DIR",
                 "VIRTUAL_ENV", "PIP_CACHE_DIR"):
        env.pop(name, None)
    log = tmp_path / f"lab-{port}.log"
    if make:  # the whole `make lab`, set-up included, with the system's Python
        env.pop("BIN")
        command = [*prefix, "make", "lab", "PY=/usr/bin/python3", "LAB_ARGS=" + " ".join(_lab_args(port))]
    else:
        command = [*prefix, "bash", "scripts/lab.sh", *_lab_args(port)]
    process = _start(command, env, log, cwd)
    try:
        _wait_ready(process, url, log, timeout)
        # The walk-through notebook is served, and the news / update pop-ups are off for this command.
        # (given a notebook, JupyterLab serves its folder and opens it)
        assert _get(f"{url}/api/contents/01_triage.ipynb?content=0&token={TOKEN}")["type"] == "notebook"
        settings = _get(f"{url}/lab/api/settings/@jupyterlab/apputils-extension:notification?token={TOKEN}")
        defaults = {k: v.get("default") for k, v in settings["schema"]["properties"].items()}
        # JupyterLab's own defaults are "none" (ask with a pop-up) and true; this command's are off.
        assert defaults["fetchNews"] == "false" and defaults["checkForUpdates"] is False
    finally:
        _stop(process)
    assert "Running as root is not recommended" not in log.read_text()


def test_make_lab_starts_as_the_current_user(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    _check_lab([], home, tmp_path)


@pytest.fixture()
def open_dir():
    """A folder a normal user can reach (pytest's own tmp folders are private to root)."""
    path = Path(tempfile.mkdtemp(prefix="triage-lab-test-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


AS_NOBODY = ["runuser", "-p", "-u", "nobody", "--"]  # -p: keep HOME and the rest of our environment
needs_root = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("runuser"),
                                reason="needs root to switch to a normal user")


def _reachable_by_nobody(path: Path) -> bool:
    return subprocess.run([*AS_NOBODY, "test", "-x", str(path)], capture_output=True).returncode == 0


@needs_root
def test_make_lab_starts_as_a_normal_user(open_dir):
    if not _reachable_by_nobody(Path(sys.executable).resolve()):
        pytest.skip("this environment's Python is private to root; test_make_lab_from_scratch_as_a_normal_user "
                    "(slow) runs the whole `make lab` as a normal user")
    home = open_dir / "home"
    home.mkdir()
    shutil.chown(home, "nobody")
    _check_lab(AS_NOBODY, home, open_dir)


@needs_root
@pytest.mark.slow
def test_make_lab_from_scratch_as_a_normal_user(open_dir):
    """A fresh copy of the project owned by a normal user: `make lab` creates .venv, installs, starts JupyterLab."""
    if not (Path("/usr/bin/python3").exists() and _reachable_by_nobody(Path("/usr/bin/python3"))):
        pytest.skip("no system Python a normal user can run")
    copy = open_dir / "triage"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", "build", "test-artifacts", ".git",
                                                              "__pycache__", "*.egg-info", ".pytest_cache"))
    home = open_dir / "home"
    home.mkdir()
    subprocess.run(["chown", "-R", "nobody", str(copy), str(home)], check=True)
    _check_lab(AS_NOBODY, home, open_dir, make=True, cwd=copy, timeout=1500)


def _deps(tmp_path: Path, *, tools: tuple[str, ...], user: list[str] = ()) -> subprocess.CompletedProcess:
    """Run the set-up script with only ``tools`` on PATH and no Chromium at the expected place."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for tool in ("id", "mkdir", *tools):
        if shutil.which(tool) and not (bin_dir / tool).exists():
            os.symlink(shutil.which(tool), bin_dir / tool)
    env = {"PATH": str(bin_dir), "CHROMIUM_PATH": str(tmp_path / "no-chromium"), "HOME": str(tmp_path)}
    user = [shutil.which(user[0]) or user[0], *user[1:]] if user else []  # PATH below holds only ``tools``
    return subprocess.run([*user, shutil.which("bash"), str(ROOT / "scripts/install_system_deps.sh")], env=env,
                          capture_output=True, text=True, timeout=60)


def test_set_up_without_apt_says_how_to_get_chromium_and_goes_on(tmp_path):
    done = _deps(tmp_path, tools=())
    assert done.returncode == 0
    assert "no apt-get" in done.stderr and "apt-get install chromium" in done.stderr


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("runuser"), reason="needs root to switch to a normal user")
def test_set_up_as_a_normal_user_without_sudo_goes_on(open_dir):
    done = _deps(open_dir, tools=("apt-get",), user=AS_NOBODY)
    assert done.returncode == 0, done.stderr
    assert "needs root" in done.stderr


def test_set_up_with_chromium_does_nothing(tmp_path):
    chromium = tmp_path / "chromium"
    chromium.write_text("#!/bin/sh\n")
    chromium.chmod(0o755)
    env = {"PATH": "/nonexistent", "CHROMIUM_PATH": str(chromium)}
    done = subprocess.run([shutil.which("bash"), str(ROOT / "scripts/install_system_deps.sh")], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == ""
