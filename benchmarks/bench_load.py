"""Benchmark ``triage.load`` against the naive approach (``json.loads`` per line + ``pandas.json_normalize``).

Generates N realistic Cloud Run LogEntry lines (JSON Lines, gzip) into a temporary folder, then measures each
reader in its own subprocess (so that peak RSS is the reader's own) and prints time, rows, peak RSS and the ratio:
``triage.load`` (the fast path), the line-by-line reader it falls back to, and the naive approach.

    .venv/bin/python benchmarks/bench_load.py            # N = 1,000,000
    .venv/bin/python benchmarks/bench_load.py 200000

Targets: 1M entries in <= 10 s on 2 cores, >= 5x faster than naive, peak RSS <= 4 GB.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

PROJECT = "netra-staging"
SERVICES = [("netra-backend-staging", "00412-xk2"), ("netra-auth-service", "00077-bq9"),
            ("netra-frontend-staging", "00231-mt4")]
LOGGERS = ["netra_backend.app.websocket_core.handlers", "netra_backend.app.middleware.request_logging",
           "netra_backend.app.services.user_execution_context", "auth_service.routes.oauth", "uvicorn.error"]
MESSAGES = [
    "WebSocket error: Invalid user_id format: {uid}",
    "Redis ping test failed: asyncio.run() cannot be called from a running event loop",
    "Thread ID mismatch: run_id contains 'websocket_factory_{n}' but thread_id is 'thread_websocket_factory_{n}_758'",
    "Request completed in {ms}ms for user {uid}",
    "Agent execution started run_id={run} user={uid}",
    "Cache miss for key session:{run}",
]
PATHS = ["/api/agents/run", "/health", "/ws", "/api/threads/{run}", "/auth/callback", "/api/messages"]
TRACEBACK = ["Traceback (most recent call last):",
             '  File "/app/netra_backend/app/db/database_manager.py", line 97, in get_db_session',
             "    session = await self._engine.connect()",
             "sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached"]


def generate(n: int, path: Path, seed: int = 7) -> None:
    """N entries, in time order, ~40% request logs, ~30% structured, ~25% text, a few split tracebacks."""
    rng = random.Random(seed)
    start = 1757376000.0
    out = gzip.open(path, "wb", compresslevel=1)
    buffer: list[bytes] = []
    written = 0
    t = start
    while written < n:
        t += rng.random() * 0.01
        service, rev = SERVICES[rng.randrange(3)]
        sec = int(t)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec)) + f".{int((t - sec) * 1e6):06d}Z"
        base = {
            "insertId": f"{rng.getrandbits(64):016x}",
            "timestamp": stamp,
            "receiveTimestamp": stamp,
            "resource": {"type": "cloud_run_revision",
                         "labels": {"service_name": service, "revision_name": f"{service}-{rev}",
                                    "configuration_name": service, "location": "us-central1",
                                    "project_id": PROJECT}},
            "labels": {"instanceId": f"00f4b2{rng.randrange(40):04d}"},
        }
        trace = f"projects/{PROJECT}/traces/{rng.getrandbits(128):032x}"
        kind = rng.random()
        uid, run = str(rng.randrange(10**20, 10**21)), f"{rng.getrandbits(32):08x}"
        if kind < 0.40:
            path_ = PATHS[rng.randrange(len(PATHS))].format(run=run)
            status = rng.choice([200, 200, 200, 201, 204, 401, 404, 500, 503])
            base.update(logName=f"projects/{PROJECT}/logs/run.googleapis.com%2Frequests",
                        severity="ERROR" if status >= 500 else "WARNING" if status >= 400 else "INFO",
                        trace=trace, spanId=f"{rng.getrandbits(64):016x}", traceSampled=True,
                        httpRequest={"requestMethod": rng.choice(["GET", "POST"]),
                                     "requestUrl": f"https://{service}-abc.a.run.app{path_}?session={run}",
                                     "requestSize": "512", "status": status, "responseSize": "1024",
                                     "userAgent": "Mozilla/5.0", "remoteIp": "10.0.0.1",
                                     "serverIp": "216.239.32.53", "latency": f"{rng.random() * 2:.6f}s",
                                     "protocol": "HTTP/1.1"})
        elif kind < 0.72:
            message = MESSAGES[rng.randrange(len(MESSAGES))].format(uid=uid, n=rng.randrange(10**12),
                                                                      ms=rng.randrange(2000), run=run)
            payload = {"message": message, "logger": LOGGERS[rng.randrange(len(LOGGERS))],
                       "user_id": uid, "request_id": f"req_{run}",
                       "logging.googleapis.com/sourceLocation": {"file": "/app/netra_backend/app/routes/websocket.py",
                                                                 "line": str(rng.randrange(1, 1000)),
                                                                 "function": "websocket_endpoint"}}
            if rng.random() < 0.1:
                payload["exc_info"] = "\n".join(TRACEBACK)
            base.update(logName=f"projects/{PROJECT}/logs/run.googleapis.com%2Fstderr",
                        severity=rng.choice(["INFO", "INFO", "WARNING", "ERROR", "DEBUG", "CRITICAL"]),
                        jsonPayload=payload, trace=trace)
        elif kind < 0.995:
            text = f'INFO:     169.254.1.1:{rng.randrange(30000, 60000)} - "GET /health HTTP/1.1" 200 OK' \
                if rng.random() < 0.5 else f"Processing message {run} for thread thread_{uid}"
            base.update(logName=f"projects/{PROJECT}/logs/run.googleapis.com%2Fstdout", textPayload=text)
        else:  # a traceback split into one entry per line
            for k, line in enumerate(TRACEBACK):
                part = dict(base, insertId=f"{rng.getrandbits(64):016x}", severity="ERROR", textPayload=line,
                            logName=f"projects/{PROJECT}/logs/run.googleapis.com%2Fstderr",
                            timestamp=stamp[:-3] + f"{int(stamp[-3:-1]) // 10 * 10 + k:02d}Z")
                buffer.append(orjson.dumps(part))
                written += 1
            continue
        buffer.append(orjson.dumps(base))
        written += 1
        if len(buffer) >= 50_000:
            out.write(b"\n".join(buffer) + b"\n")
            buffer.clear()
    if buffer:
        out.write(b"\n".join(buffer) + b"\n")
    out.close()


def _run_triage(path: str) -> int:
    import triage

    return len(triage.load(path))


def _run_triage_lines(path: str) -> int:
    """The line-by-line reader alone (what files under ``FAST_MIN_BYTES`` get): the fast path's reference."""
    import triage
    from triage.sources._readers.jsonl import reader as _jsonl

    _jsonl.FAST_MIN_BYTES = 1 << 62
    return len(triage.load(path))


def _run_naive(path: str) -> int:
    import pandas as pd

    with gzip.open(path, "rt", encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    frame = pd.json_normalize(records)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], format="ISO8601", utc=True)
    frame = frame.sort_values("timestamp")
    return len(frame)


def _peak_rss_mb() -> float:
    """This process's own high-water mark (VmHWM; ru_maxrss can carry the parent's across fork+exec)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(which: str, path: str) -> None:
    import pandas  # noqa: F401  (imports are not what is measured)

    import triage.sources  # noqa: F401
    import triage.sources._readers.jsonl.fast  # noqa: F401  (DuckDB, imported on the first big file)

    started, cpu = time.perf_counter(), time.process_time()
    rows = {"triage": _run_triage, "lines": _run_triage_lines, "naive": _run_naive}[which](path)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak_mb = _peak_rss_mb()
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rows": rows, "peak_rss_mb": peak_mb}))


def measure(which: str, path: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", which, str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{which} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(name: str, result: dict) -> None:
    print(f"{name:12s}: {result['seconds']:7.2f} s wall  {result['cpu']:7.2f} s CPU  rows {result['rows']:>9,}  "
          f"peak RSS {result['peak_rss_mb']:7.0f} MiB")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.jsonl.gz"
        started = time.perf_counter()
        generate(n, path)
        print(f"generated {n:,} entries ({path.stat().st_size / 2**20:.0f} MiB gzip) "
              f"in {time.perf_counter() - started:.1f} s")
        ours = measure("triage", path)
        report("triage.load", ours)
        lines = measure("lines", path)
        report("line by line", lines)
        naive = measure("naive", path)
        report("naive", naive)
        print(f"fast path vs line by line: {lines['seconds'] / ours['seconds']:.1f}x wall")
        ratio = naive["seconds"] / ours["seconds"]
        print(f"speed-up    : {ratio:.1f}x wall, {naive['cpu'] / ours['cpu']:.1f}x CPU "
              f"({n / ours['seconds']:,.0f} entries/s)   load average now {os.getloadavg()[0]:.1f}")
        scale = 1_000_000 / n
        print("targets (1M): load <= 10 s: {} ({:.1f} s scaled); >= 5x naive: {}; peak RSS <= 4 GiB: {}".format(
            "ok" if ours["seconds"] * scale <= 10 else "MISSED", ours["seconds"] * scale,
            "ok" if ratio >= 5 else "MISSED", "ok" if ours["peak_rss_mb"] <= 4096 else "MISSED"))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        main()
