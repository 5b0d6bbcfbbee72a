"""Throughput of triage.templates vs Drain3 on a corpus of Loghub messages with every digit randomised.

The corpus repeats the Content column of the 8 labelled Loghub-2k datasets up to N lines, replacing
each digit by a random one (seeded), so most lines are distinct. triage runs on 100k, 300k and N
lines (its cost per line must not grow with the number of signatures); Drain3 (default config, and
with masking) runs on the first DRAIN_N lines only, because it needs minutes for a million.

Then ``add_signatures`` (signature, template and params) on N realistic Cloud Run entries: the bundled
incident's messages tiled to N with fresh ids (every run of four or more digits re-drawn; status
codes, counts and durations kept as logged).

    .venv/bin/python benchmarks/bench_signatures_throughput.py [N] [DRAIN_N]
"""

from __future__ import annotations

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
    run = np.cumsum(digit & ~np.concatenate([[False], digit[:-1]])) * digit
    fresh = digit & (np.bincount(run)[run] >= 4)
    raw[fresh] = 0x30 + np.random.default_rng(seed).integers(0, 10, int(fresh.sum()), dtype=np.uint8)
    return pa.Array.from_buffers(pa.large_string(), n, [validity, offsets, pa.py_buffer(raw)], offset=tiled.offset)


def drain_rate(lines: list[str], masking: bool) -> float:
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
    start = time.perf_counter()
    for line in lines:
        miner.add_log_message(line)
    return len(lines) / (time.perf_counter() - start)


def triage_rate(lines: pa.Array) -> tuple[float, int]:
    start = time.perf_counter()
    out = triage.templates(lines)
    elapsed = time.perf_counter() - start
    return len(lines) / elapsed, out["signature"].nunique()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    drain_n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    lines = corpus(n)
    print(f"corpus: {n:,} lines, {len(lines.unique()):,} distinct (Loghub-2k Content, digits randomised)")
    triage_rate(lines.slice(0, 1000))  # warm-up (imports, regex compilation)
    rows = []
    for size in sorted({min(cap, n) for cap in (100_000, 300_000, n)}):
        rate, signatures = triage_rate(lines.slice(0, size))
        rows.append(("triage.templates", size, rate, signatures))
    subset = lines.slice(0, min(drain_n, n)).to_pylist()
    rows.append(("drain3 default", len(subset), drain_rate(subset, masking=False), None))
    rows.append(("drain3 + masking", len(subset), drain_rate(subset, masking=True), None))
    best_drain = max(r[2] for r in rows if r[0].startswith("drain3"))
    triage_full = [r for r in rows if r[0].startswith("triage")][-1][2]
    print(f"{'parser':<18}{'lines':>12}{'lines/s':>14}{'signatures':>12}")
    for name, size, rate, signatures in rows:
        print(f"{name:<18}{size:>12,}{rate:>14,.0f}{'' if signatures is None else signatures:>12}")
    print(f"Drain3 ran on the first {len(subset):,} lines only (it slows as clusters grow).")
    print(f"triage on {n:,} lines is {triage_full / best_drain:,.1f}x the faster Drain3 variant; "
          f"{n / triage_full:.2f} s for the whole corpus")
    triage_100k = [r for r in rows if r[0].startswith("triage") and r[1] == min(100_000, n)][0][2]
    print(f"triage on {min(100_000, n):,} lines is {triage_100k / best_drain:,.1f}x the faster Drain3 variant")

    if INCIDENT.exists():
        frame = pd.DataFrame({s.MESSAGE: pd.Series(pd.array(incident_messages(n), dtype=s.STRING_DTYPE))})
        triage.add_signatures(frame.head(1000))  # warm-up
        start = time.perf_counter()
        out = triage.add_signatures(frame)
        elapsed = time.perf_counter() - start
        print(f"add_signatures on {n:,} incident entries (fresh ids): {elapsed:.2f} s, "
              f"{out[s.SIGNATURE].nunique():,} signatures")


if __name__ == "__main__":
    main()
