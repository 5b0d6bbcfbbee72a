"""Seeded LogEntry generators for the remote tests and the benchmark (every field shape the loader reads).

``entries(n, seed)`` covers the rules the SQL mirrors: text/json/proto/http-only payloads, message keys in
precedence order with a traceback key, user ids in several places, services from resource labels,
serviceContext or labels, severity names, aliases and numbers, timestamps with nanoseconds or offsets,
repeated (insertId, timestamp) duplicates. It never splits a traceback over entries (SQL does not reassemble).

The benchmark generates its (much larger) exports with DuckDB itself: ``benchmarks/bench_remote.py``.
"""

from __future__ import annotations

import gzip
import random
from datetime import datetime, timedelta, timezone

import orjson

START = datetime(2025, 9, 9, 1, 0, tzinfo=timezone.utc)
SERVICES = ("api", "worker", "frontend")
USERS = [f"user-{i:03d}" for i in range(40)] + ["105945141827451681156", "ops@example.com"]
TEMPLATES = (
    "Connection from {ip}:{port} closed after {ms}ms",
    "User {user} logged in from {ip}",
    "Invalid user_id format: {word}",
    "Cache miss for key session:{hex}",
    "Job {uuid} finished in {s}s with {n} rows",
    "Redis ping test failed: asyncio.run() cannot be called from a running event loop",
    "session opened for user {word}",
    "Retrying request {n} of 5",
    "  Payment   declined for order {n}.  ",
    "WebSocket error: {word} disconnected",
)
WORDS = ("root", "news", "cyrus", "guest", "test", "admin", "e2e-staging_pipeline", "bob", "carol")
TRACEBACK = ("Traceback (most recent call last):\n  File \"/app/svc/handlers.py\", line {n}, in handle\n"
             "    await db.get(x)\n  File \"/usr/local/lib/python3.11/site-packages/asyncpg/pool.py\", line 88, "
             "in get\n    raise InterfaceError(msg)\nasyncpg.exceptions.InterfaceError: "
             "cannot perform operation: another operation is in progress")
SEVERITIES = ("INFO", "ERROR", "WARNING", "warn", "Error", "DEBUG", 500, 400, 200, "CRITICAL", "fatal", None, "",
              30, 550)


def _fill(rng: random.Random, template: str) -> str:
    return template.format(
        ip=f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}", port=rng.randrange(1024, 65535),
        ms=rng.randrange(1, 5000), user=rng.choice(USERS), word=rng.choice(WORDS),
        hex=f"{rng.getrandbits(40):010x}", uuid=f"{rng.getrandbits(32):08x}-1111-2222-3333-{rng.getrandbits(48):012x}",
        s=round(rng.random() * 9, 2), n=rng.randrange(1, 10_000))


def _timestamp(rng: random.Random, i: int, n: int) -> str:
    moment = START + timedelta(seconds=3600 * i / max(n, 1) + rng.random())
    style = rng.randrange(4)
    if style == 0:  # nanoseconds, as Cloud Logging writes them
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}{rng.randrange(1000):03d}Z"
    if style == 1:
        return moment.isoformat().replace("+00:00", "Z")
    if style == 2:  # an offset
        return (moment + timedelta(hours=2)).replace(tzinfo=timezone(timedelta(hours=2))).isoformat()
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _payload(rng: random.Random, message: str) -> dict:
    key = rng.choice(("message", "message", "msg", "event", "error", "exception"))
    payload: dict = {key: message, "logger": "app"}
    roll = rng.random()
    if roll < 0.15:
        payload["user_id"] = rng.choice(USERS)
    elif roll < 0.25:
        payload["userId"] = rng.choice(USERS)
    elif roll < 0.3:
        payload["user"] = {"id": rng.choice(USERS)}
    if rng.random() < 0.05:
        payload["exc_info"] = TRACEBACK.format(n=rng.randrange(10, 20))
    if rng.random() < 0.05:
        payload["serviceContext"] = {"service": "ctx-svc", "version": "v7"}
    if rng.random() < 0.1:
        payload["logging.googleapis.com/trace"] = f"projects/p/traces/{rng.getrandbits(64):016x}"
    return payload


def entries(n: int, seed: int = 0) -> list[dict]:
    """``n`` LogEntry dicts (plus a few exact duplicates), in time order."""
    rng = random.Random(seed)
    out: list[dict] = []
    for i in range(n):
        entry: dict = {"timestamp": _timestamp(rng, i, n), "insertId": f"id{i:07d}",
                       "logName": "projects/p/logs/run.googleapis.com%2Fstdout"}
        severity = rng.choice(SEVERITIES)
        if severity is not None:
            entry["severity"] = severity
        service = rng.choice(SERVICES)
        where = rng.random()
        if where < 0.85:
            entry["resource"] = {"type": "cloud_run_revision",
                                 "labels": {"service_name": service,
                                            "revision_name": f"{service}-0000{rng.randrange(1, 4)}-abc"}}
        elif where < 0.95:
            entry["labels"] = {"service": service, "user_id": rng.choice(USERS)}
        message = _fill(rng, rng.choice(TEMPLATES))
        kind = rng.random()
        if kind < 0.25:
            entry["textPayload"] = message if rng.random() > 0.05 else TRACEBACK.format(n=rng.randrange(10, 30))
        elif kind < 0.8:
            entry["jsonPayload"] = _payload(rng, message)
        elif kind < 0.95:
            status = rng.choice((200, 200, 404, 500, 503))
            entry["httpRequest"] = {"requestMethod": rng.choice(("GET", "POST")), "status": status,
                                    "requestUrl": f"https://svc.run.app/api/items/{rng.randrange(10**6)}?q=1",
                                    "latency": f"{rng.random():.3f}s"}
        else:
            entry["protoPayload"] = {"@type": "type.googleapis.com/google.cloud.audit.AuditLog",
                                     "methodName": "google.cloud.run.v1.Services.ReplaceService",
                                     "status": {"code": 7, "message": "Permission denied"}}
        if rng.random() < 0.3:
            entry["trace"] = f"projects/p/traces/{rng.getrandbits(64):016x}"
        out.append(entry)
        if rng.random() < 0.01:  # an overlapping export: the same entry again
            out.append(dict(entry))
    return out


def write_entries(path, items: list[dict]) -> None:
    """Write LogEntry dicts as JSON Lines (gzip when the name ends in .gz)."""
    data = b"".join(orjson.dumps(e) + b"\n" for e in items)
    if str(path).endswith(".gz"):
        data = gzip.compress(data, compresslevel=1)
    with open(path, "wb") as handle:
        handle.write(data)

