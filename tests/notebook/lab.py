"""A throw-away JupyterLab server for browser tests: isolated config, no token, no news or update checks.

Started with :class:`LabServer` (a context manager); stopped by its own process id.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import orjson
import psutil

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-dev-shm-usage"]
#: JupyterLab settings for a predictable page: every cell rendered (no windowing), no announcements.
_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none",
                                                                   "autoStartDefaultKernel": True},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                        "checkForUpdates": False},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def artifacts_dir() -> Path:
    """Where browser tests leave screenshots (env ``TRIAGE_ARTIFACTS``, default ``test-artifacts/``)."""
    root = Path(__file__).resolve().parents[2]
    path = Path(os.environ.get("TRIAGE_ARTIFACTS", root / "test-artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path


class LabServer:
    """``python -m jupyterlab`` on 127.0.0.1 serving ``root``, with ``env`` added to its (and its kernels') environment.

    Attributes: ``url`` (``http://127.0.0.1:PORT``), ``process`` (the Popen), ``log`` (its output file).
    """

    def __init__(self, root: Path, state: Path, env: dict[str, str] | None = None, *, ready_timeout: float = 90):
        self.root, self.state, self.extra_env, self.ready_timeout = root, state, env or {}, ready_timeout
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log = state / "jupyterlab.log"

    def _environment(self) -> dict[str, str]:
        dirs = {name: self.state / name for name in ("config", "data", "runtime", "ipython", "settings", "workspaces")}
        for path in dirs.values():
            path.mkdir(parents=True, exist_ok=True)
        for name, settings in _SETTINGS.items():
            extension, file = name.rsplit("/", 1)
            target = dirs["settings"] / extension / file
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(orjson.dumps(settings))
        return {**os.environ, **self.extra_env,
                "JUPYTER_CONFIG_DIR": str(dirs["config"]), "JUPYTER_DATA_DIR": str(dirs["data"]),
                "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]), "IPYTHONDIR": str(dirs["ipython"]),
                "JUPYTERLAB_SETTINGS_DIR": str(dirs["settings"]),
                "JUPYTERLAB_WORKSPACES_DIR": str(dirs["workspaces"]),
                "JUPYTER_PLATFORM_DIRS": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}

    def start(self) -> LabServer:
        command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
                   "--ServerApp.port_retries=0", f"--ServerApp.root_dir={self.root}",
                   "--IdentityProvider.token=", "--PasswordIdentityProvider.hashed_password=",
                   "--ServerApp.disable_check_xsrf=False", "--LabApp.news_url=None",
                   "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                   "--LabApp.extension_manager=readonly", "--ServerApp.terminals_enabled=False"]
        if os.geteuid() == 0:  # CI containers run as root
            command.append("--allow-root")
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(command, cwd=self.root, env=self._environment(), stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        """Poll the server's API until it answers (bounded: ``ready_timeout`` seconds)."""
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)  # polling interval of the bounded readiness loop
        raise TimeoutError(f"JupyterLab not ready after {self.ready_timeout} s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        """Stop the server by its process id, then any of its kernels still running, each by its own id."""
        if self.process is None or self.process.poll() is not None:
            return
        children = psutil.Process(self.process.pid).children(recursive=True)
        self.process.terminate()  # SIGTERM: the server shuts its kernels down, then exits
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        for child in children:
            try:
                child.terminate()
            except psutil.NoSuchProcess:
                continue
        _, alive = psutil.wait_procs(children, timeout=10)
        for child in alive:
            child.kill()

    def __enter__(self) -> LabServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def copy_notebook(name: str, root: Path) -> Path:
    """Copy ``notebooks/<name>`` into the served ``root``."""
    source = Path(__file__).resolve().parents[2] / "notebooks" / name
    return Path(shutil.copy(source, root / name))
