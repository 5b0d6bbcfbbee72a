"""Peak memory and time of ``triage.load`` on small files that inflate to a lot (issue 16, item 1).

Each bomb is written to a temporary folder, then loaded with ``errors="report"`` in its own subprocess
(so the peak RSS is that load's own, read from ``getrusage``). Prints, per bomb: the file's size, what it
inflates to, the outcome (rows / the error), seconds and peak RSS; and the peak of a reference run in the same
session (an ordinary 10,000-entry sample) for the ratio.

    .venv/bin/python benchmarks/bench_bombs.py                 # bombs inflating to 1 GiB
    .venv/bin/python benchmarks/bench_bombs.py --gib 6         # the sizes of the issue
    .venv/bin/python benchmarks/bench_bombs.py --src /tmp/old/src   # another checkout's triage (before/after)

The bombs: a ``.json.gz`` array of spaces; a single-line ``.jsonl.gz`` with a ``.meta.json`` beside it (the
sample check hashes it); gzipped newlines (``.jsonl.gz``, and ``.log.gz`` after one text record); a plain
file of 10 MB of newlines after one text record.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

_RUN = r"""
import json, resource, sys, time, warnings
warnings.simplefilter("ignore")
import triage
start = time.perf_counter()
try:
    frame = triage.load(sys.argv[1], errors="report")
    outcome = f"{len(frame)} rows, {len(frame.attrs['rejected'])} rejected"
except Exception as exc:
    outcome = f"{type(exc).__name__}: {str(exc)[:150]}"
seconds = time.perf_counter() - start
print(json.dumps({"outcome": outcome, "seconds": seconds,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

_MB = 2**20


def _gzip_repeat(path: Path, head: bytes, unit: bytes, total: int, tail: bytes = b"") -> None:
    """``head + unit * (total // len(unit)) + tail`` gzipped, without holding it."""
    chunk = unit * (_MB // len(unit))
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as f:
        f.write(head)
        for _ in range(total // len(chunk)):
            f.write(chunk)
        f.write(tail)


def make_bombs(folder: Path, inflated: int) -> list[tuple[str, Path]]:
    bombs = []
    spaces = folder / "spaces.json.gz"
    _gzip_repeat(spaces, b"[", b" ", inflated, b"]")
    bombs.append(("json.gz array of spaces", spaces))

    line = folder / "oneline.jsonl.gz"
    _gzip_repeat(line, b'{"timestamp": "2025-09-09T00:00:00Z", "textPayload": "', b"a", inflated, b'"}\n')
    (folder / "oneline.meta.json").write_text(json.dumps({  # a sidecar to check: the content is hashed
        "format": "triage-sample/2", "sha256": "0" * 64,
        "integrity": {"algorithm": "hmac-sha256", "key_id": "0" * 16, "signature": "0" * 64}}))
    bombs.append(("single-line jsonl.gz + meta.json", line))

    newlines = folder / "newlines.jsonl.gz"
    _gzip_repeat(newlines, b'{"timestamp": "2025-09-09T00:00:00Z", "textPayload": "x"}\n', b"\n", inflated)
    bombs.append(("jsonl.gz of newlines", newlines))

    text = folder / "newlines.log.gz"
    _gzip_repeat(text, b"2025-09-09 00:00:00 ERROR boom\n", b"\n", inflated)
    bombs.append(("log.gz of newlines after a record", text))

    plain = folder / "newlines.log"
    with open(plain, "wb") as f:
        f.write(b"2025-09-09 00:00:00 ERROR boom\n" + b"\n" * (10 * 10**6))
    bombs.append(("10 MB plain newlines after a record", plain))
    return bombs


def make_reference(folder: Path) -> Path:
    path = folder / "reference.jsonl.gz"
    with gzip.open(path, "wb") as f:
        for i in range(10_000):
            f.write(json.dumps({"timestamp": f"2025-09-09T00:{i // 600 % 60:02d}:{i // 10 % 60:02d}.{i:06d}Z",
                                "severity": "INFO", "insertId": f"id{i}",
                                "textPayload": f"request {i} served"}).encode() + b"\n")
    return path


def measure(path: Path, src: str | None, timeout: float) -> dict:
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src
    try:
        done = subprocess.run([sys.executable, "-c", _RUN, str(path)], capture_output=True, text=True, env=env,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"outcome": f"still running after {timeout:.0f} s (stopped)", "seconds": timeout,
                "peak_mb": float("nan")}
    if done.returncode:
        return {"outcome": f"process died ({done.returncode}): {done.stderr.strip()[-150:]}", "seconds": float("nan"),
                "peak_mb": float("nan")}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _inflated(path: Path) -> int:
    if not path.name.endswith(".gz"):
        return path.stat().st_size
    size, inflate = 0, zlib.decompressobj(wbits=47)
    with open(path, "rb") as f:
        while chunk := f.read(_MB):
            while chunk:
                size += len(inflate.decompress(chunk, 64 * _MB))
                chunk = inflate.unconsumed_tail
    return size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gib", type=float, default=1.0, help="what the gzip bombs inflate to (GiB)")
    parser.add_argument("--src", help="PYTHONPATH of the triage to measure (default: the installed one)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds before a load is stopped")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, triage from {args.src or 'the environment'}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        reference = measure(make_reference(folder), args.src, args.timeout)
        print(f"{'reference: 10,000 entries':40} {'':>9} {'':>9} {reference['seconds']:7.1f} s "
              f"{reference['peak_mb']:8.0f} MB  {reference['outcome']}", flush=True)
        for name, path in make_bombs(folder, int(args.gib * 2**30)):
            result = measure(path, args.src, args.timeout)
            print(f"{name:40} {path.stat().st_size / _MB:7.1f}MB {_inflated(path) / _MB:7.0f}MB "
                  f"{result['seconds']:7.1f} s {result['peak_mb']:8.0f} MB "
                  f"(x{result['peak_mb'] / reference['peak_mb']:.1f})  {result['outcome']}", flush=True)


if __name__ == "__main__":
    main()
