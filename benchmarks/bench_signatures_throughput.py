"""Throughput of triage.templates vs Drain3 on a corpus of Loghub messages with every digit randomised.

The corpus repeats the Content column of the 8 labelled Loghub-2k datasets up to N lines, replacing
each digit by a random one (seeded), so most lines are distinct. triage runs on 100k, 300k and N
lines (its cost per line must not grow with the number of signatures); Drain3 (default config, and
with masking) runs on the first DRAIN_N lines only, because it needs minutes for a million.

Then ``add_signatures`` (signature and template; ``params`` is computed lazily by ``params_of``) on N
realistic Cloud Run entries: the bundled incident's messages tiled to N with fresh ids (every run of
four or more digits re-drawn; status codes, counts and durations kept as logged), next to the old
eager form (``params=True``), ``params_of`` on the rows the explorer reads for one signature, and
Drain3 with masking on the first DRAIN_N of the same messages (a reference measured in the same run).

Every triage figure is the best of REPEATS runs (first runs pay for page faults the later ones do not),
Drain3 the best of two; the machine's load average is printed before and after, because the machine
is shared and only ratios measured in one run compare across runs.

    .venv/bin/python benchmarks/bench_signatures_throughput.py [N] [DRAIN_N] [REPEATS]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pandas as pd  # noqa: E402

import triage  # noqa: E402
from triage import schema as s  # noqa: E402

INCIDENT = Path(__file__).resolve().parents[1] / "data" / "samples" / "incident.jsonl.gz"
from _loghub import DATASETS, load  # noqa: E402


def corpus(n: int, seed: int = 0) -> pa.Array:
    """n lines: Loghub messages, cycled, with each digit replaced by a random digit."""
    base = [m for name in DATASETS for m in load(name)["Content"]]
    lines = pa.array([base[i % len(base)] for i in range(n)], type=pa.large_string())
    validity, offsets, data = lines.buffers()
    raw = np.frombuffer(data, dtype=np.uint8).copy()
    digits = (raw >= 0x30) & (raw <= 0x39)
    raw[digits] = 0x30 + np.random.default_rng(seed).integers(0, 10, int(digits.sum()), dtype=np.uint8)
    return pa.Array.from_buffers(pa.large_string(), n, [validity, offsets, pa.py_buffer(raw)])


def incident_messages(n: int, seed: int = 0) -> pa.Array:
    """The incident's messages tiled to n, every digit run of four or more re-drawn (fresh ids)."""
    frame = triage.load(INCIDENT)
    messages = pa.array(frame[s.MESSAGE].astype(object).fillna("").tolist(), type=pa.large_string())
    tiled = pa.concat_arrays([messages] * -(-n // len(messages))).slice(0, n)
    validity, offsets, data = tiled.buffers()
    raw = np.frombuffer(data, dtype=np.uint8).copy()
    digit = (raw >= 0x30) & (raw <= 0x39)
    begins = np.zeros(len(raw), dtype=bool)  # a run never goes on into the next message
    first = np.frombuffer(offsets, dtype=np.int64)[tiled.offset:tiled.offset + n]
    begins[first[first < len(raw)]] = True
    run = np.cumsum(digit & (begins | ~np.concatenate([[False], digit[:-1]]))) * digit
    fresh = digit & (np.bincount(run)[run] >= 4)
    raw[fresh] = 0x30 + np.random.default_rng(seed).integers(0, 10, int(fresh.sum()), dtype=np.uint8)
    return pa.Array.from_buffers(pa.large_string(), n, [validity, offsets, pa.py_buffer(raw)], offset=tiled.offset)


_FIRST: list[float] = []  # wall-clock time of the first call of the latest _best


def _best(function, repeats: int) -> tuple[float, float, object]:
    """The shortest wall-clock and CPU (process) times of ``repeats`` calls, and the last result."""
    wall, cpu, out = float("inf"), float("inf"), None
    _FIRST.clear()
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        out = function()
        _FIRST.append(time.perf_counter() - start)
        wall = min(wall, _FIRST[-1])
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu, out


def _load() -> str:
    return f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"


def drain_rate(lines: list[str], masking: bool, repeats: int = 2) -> tuple[float, float]:
    """Drain3's lines per second, wall-clock and CPU, the best of ``repeats`` runs."""
    wall, cpu, _ = _best(lambda: _drain(lines, masking), repeats)
    return len(lines) / wall, len(lines) / cpu


def _drain(lines: list[str], masking: bool) -> None:
    from drain3 import TemplateMiner
    from drain3.masking import MaskingInstruction
    from drain3.template_miner_config import TemplateMinerConfig

    config = TemplateMinerConfig()
    if masking:
        config.masking_instructions = [
            MaskingInstruction(r"((?<=[^A-Za-z0-9])|^)(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})((?=[^A-Za-z0-9])|$)", "IP"),
            MaskingInstruction(r"((?<=[^A-Za-z0-9])|^)(0x[a-fA-F0-9]+)((?=[^A-Za-z0-9])|$)", "HEX"),
            MaskingInstruction(r"((?<=[^A-Za-z0-9])|^)([\-\+]?\d+)((?=[^A-Za-z0-9])|$)", "NUM"),
        ]
    miner = TemplateMiner(config=config)
    for line in lines:
        miner.add_log_message(line)


def triage_rate(lines: pa.Array, repeats: int = 3) -> tuple[float, float, int]:
    """triage.templates' lines per second, wall-clock and CPU, and the number of signatures."""
    wall, cpu, out = _best(lambda: triage.templates(lines), repeats)
    return len(lines) / wall, len(lines) / cpu, out["signature"].nunique()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    drain_n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    print(f"start: {_load()}")
    lines = corpus(n)
    print(f"corpus: {n:,} lines, {len(lines.unique()):,} distinct (Loghub-2k Content, digits randomised)")
    triage_rate(lines.slice(0, 1000), 1)  # warm-up (imports, regex compilation)
    rows = []
    for size in sorted({min(cap, n) for cap in (100_000, 300_000, n)}):
        wall, cpu, signatures = triage_rate(lines.slice(0, size), repeats)
        rows.append(("triage.templates", size, wall, cpu, signatures))
    subset = lines.slice(0, min(drain_n, n)).to_pylist()
    rows.append(("drain3 default", len(subset), *drain_rate(subset, masking=False, repeats=1), None))
    rows.append(("drain3 + masking", len(subset), *drain_rate(subset, masking=True), None))
    print(f"{'parser':<18}{'lines':>12}{'lines/s':>14}{'lines/CPU s':>14}{'signatures':>12}")
    for name, size, wall, cpu, signatures in rows:
        print(f"{name:<18}{size:>12,}{wall:>14,.0f}{cpu:>14,.0f}{'' if signatures is None else signatures:>12}")
    print(f"Drain3 ran on the first {len(subset):,} lines only (it slows as clusters grow).")
    drain = max((r for r in rows if r[0].startswith("drain3")), key=lambda r: r[2])
    mine = {r[1]: r for r in rows if r[0].startswith("triage")}
    for size in sorted({min(100_000, n), n}):
        print(f"triage on {size:,} lines: {mine[size][2] / drain[2]:,.1f}x the faster Drain3 variant "
              f"({drain[0]}) by wall clock, {mine[size][3] / drain[3]:,.1f}x by CPU time; "
              f"{size / mine[size][2]:.3f} s")
    print(f"lines/s at {n:,} over lines/s at {min(100_000, n):,}: {mine[n][2] / mine[min(100_000, n)][2]:.2f} "
          f"(wall), {mine[n][3] / mine[min(100_000, n)][3]:.2f} (CPU)")

    if INCIDENT.exists():
        messages = incident_messages(n)
        frame = pd.DataFrame({s.MESSAGE: pd.Series(pd.array(messages, dtype=s.STRING_DTYPE))})
        triage.add_signatures(frame.head(1000))  # warm-up
        wall, cpu, out = _best(lambda: triage.add_signatures(frame), repeats)
        first = _FIRST[0]
        eager, eager_cpu, _ = _best(lambda: triage.add_signatures(frame, params=True), 1)
        top = out[s.SIGNATURE].value_counts().index[0]
        shown = out[out[s.SIGNATURE] == top].tail(2_000)
        lazy, _, _ = _best(lambda: triage.params_of(shown), repeats)
        sample = messages.slice(0, min(drain_n, n)).to_pylist()
        drain_wall, drain_cpu = drain_rate(sample, masking=True)
        print(f"add_signatures on {n:,} incident entries (fresh ids): {wall:.2f} s ({cpu:.2f} s CPU), "
              f"{out[s.SIGNATURE].nunique():,} signatures; per line {n / wall / drain_wall:,.1f}x "
              f"(CPU {n / cpu / drain_cpu:,.1f}x) Drain3 + masking on the first {len(sample):,}; "
              f"the first call {first:.2f} s")
        print(f"  with params=True (every row's params, the old default): {eager:.2f} s ({eager_cpu:.2f} s CPU); "
              f"params_of on one signature's newest 2,000 rows (the explorer's panel): {lazy * 1000:.1f} ms")
    print(f"end: {_load()}")


if __name__ == "__main__":
    main()
