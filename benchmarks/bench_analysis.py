"""Benchmark: add_users + summarize + periodicity + compare_revisions on ~1M entries (target: <= 5 s on 2 cores).

The frame is the bundled incident tiled end to end (default 26 copies ≈ 1M entries). Each copy gets its own
time range, traces, instances, revisions and connection/request ids (so distinct messages grow with the size,
as in real logs); signatures are computed once on the incident and timed separately.

Naive references, measured in the same run on the same frame:
- users: ``Series.str.extract`` (Python ``re``) of the user pattern over every row — only the first of
  add_users' several extraction steps;
- periodicity: the same two clock fits (per instance, pooled) through ``groupby(signature).apply`` with a Python
  function per group.

Run: ``.venv/bin/python benchmarks/bench_analysis.py [--copies 26]``
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

import triage
from triage import schema as s
from triage.analysis import add_users, compare_revisions, periodicity, summarize
from triage.analysis._users import USER_MENTION

ROOT = Path(__file__).resolve().parents[1]
INCIDENT = ROOT / "data" / "samples" / "incident.jsonl.gz"


def _suffixed(column: pd.Series, k: int) -> pa.Array:
    values = pa.array(column, from_pandas=True).cast(pa.large_string())
    if k == 0:
        return values
    return pc.binary_join_element_wise(values, pa.scalar(f"~{k}", pa.large_string()), pa.scalar("", pa.large_string()))


def tile(frame: pd.DataFrame, copies: int) -> pd.DataFrame:
    """``copies`` end-to-end copies of ``frame`` with per-copy ids (vectorised, per copy)."""
    span = frame[s.TIMESTAMP].max() - frame[s.TIMESTAMP].min() + pd.Timedelta(seconds=1)
    codes, uniques = pd.factorize(frame[s.MESSAGE])
    uniques = pa.array(np.asarray(uniques, dtype=object), type=pa.large_string())
    parts = {name: [] for name in frame.columns}
    for k in range(copies):
        # Connection and request ids are new in every copy; user ids stay (the same users keep coming back).
        text = uniques if k == 0 else pc.replace_substring_regex(uniques, r"\b((?:ws|req)_[\w-]+)", rf"\1x{k}")
        parts[s.MESSAGE].append(pc.take(text, pa.array(codes)))
        parts[s.TIMESTAMP].append(frame[s.TIMESTAMP] + k * span)
        for name in (s.TRACE, s.INSTANCE_ID, s.REVISION, s.INSERT_ID):
            parts[name].append(_suffixed(frame[name], k))
        for name in frame.columns:
            if name not in (s.MESSAGE, s.TIMESTAMP, s.TRACE, s.INSTANCE_ID, s.REVISION, s.INSERT_ID):
                parts[name].append(frame[name])
    out = {}
    for name, chunks in parts.items():
        if isinstance(chunks[0], pd.Series):
            out[name] = pd.concat(chunks, ignore_index=True)
        else:
            out[name] = pd.Series(pa.chunked_array(chunks).combine_chunks(), dtype=frame[name].dtype
                                  if name != s.MESSAGE else s.STRING_DTYPE)
    return pd.DataFrame(out)


CPU: dict[str, float] = {}


def timed(label: str, fn, *args, results: dict, **kwargs):
    """Run and record wall time (in ``results``) and CPU time of this process, all threads (in ``CPU``).

    On a shared machine the wall time includes waiting for other processes; the CPU time does not.
    """
    start, cpu = time.perf_counter(), time.process_time()
    value = fn(*args, **kwargs)
    results[label] = time.perf_counter() - start
    CPU[label] = time.process_time() - cpu
    print(f"  {label:<32} {results[label]:7.2f} s wall {CPU[label]:7.2f} s CPU", flush=True)
    return value


def naive_periodicity(frame: pd.DataFrame) -> pd.Series:
    """The same clock fits as ``periodicity`` (gaps per instance and pooled, beats, residual fit; the better
    kept), one Python call per group."""
    def fit(group: pd.DataFrame) -> float:
        split = np.concatenate([np.diff(np.sort(times.to_numpy())) for _, times in
                                group.groupby(s.INSTANCE_ID, dropna=False)["t"]])
        pooled = np.diff(np.sort(group["t"].to_numpy()))
        return max(one(split), one(pooled))

    def one(gaps: np.ndarray) -> float:
        gaps = gaps[gaps >= 1.0]
        if len(gaps) < 4:
            return float("nan")
        period = np.median(gaps / np.maximum(np.rint(gaps / np.median(gaps)), 1))
        residual = gaps - np.maximum(np.rint(gaps / period), 1) * period
        return float((np.abs(residual) <= 0.1 * period).mean())

    seconds = frame[s.TIMESTAMP].astype("int64") / 1e9
    return frame[[s.SIGNATURE, s.INSTANCE_ID]].assign(t=seconds).groupby(s.SIGNATURE)[[s.INSTANCE_ID, "t"]].apply(fit)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=26, help="copies of the incident (26 ≈ 1M entries)")
    parser.add_argument("--signed", type=Path, help="a parquet log frame with signatures to tile instead")
    args = parser.parse_args(argv)

    results: dict[str, float] = {}
    print("preparing")
    if args.signed:
        signed = pd.read_parquet(args.signed)
    else:
        base = timed("load incident", triage.load, INCIDENT, results=results)
        signed = timed(f"add_signatures ({len(base):,} rows)", triage.add_signatures, base, results=results)
    signed = signed.drop(columns=[s.PARAMS], errors="ignore")
    signed.attrs = {}
    frame = timed("tile", tile, signed, args.copies, results=results)
    print(f"frame: {len(frame):,} entries, {frame[s.MESSAGE].nunique():,} distinct messages, "
          f"{frame[s.SIGNATURE].nunique()} signatures, {frame[s.REVISION].nunique()} revisions")

    print("measured (the target: total <= 5 s)")
    steps = ["add_users", "summarize", "periodicity", "compare_revisions"]
    users = timed("add_users", add_users, frame, results=results)
    summary = timed("summarize", summarize, users, results=results)
    timed("periodicity", periodicity, users, results=results)
    revisions = timed("compare_revisions", compare_revisions, users, results=results)
    total, total_cpu = sum(results[k] for k in steps), sum(CPU[k] for k in steps)
    print(f"  {'TOTAL':<32} {total:7.2f} s wall {total_cpu:7.2f} s CPU   ({len(frame) / total:,.0f} entries/s wall)")
    load = os.getloadavg()[0]
    print(f"  load average {load:.1f} on {os.cpu_count()} cores" + ("  (shared machine: wall times inflated)"
                                                                  if load > (os.cpu_count() or 1) else ""))

    print("naive references (same frame)")
    timed("str.extract user pattern (re)", frame[s.MESSAGE].str.extract, USER_MENTION, results=results)
    timed("groupby.apply clock fit", naive_periodicity, frame, results=results)
    print(f"  CPU: add_users (all sources) {CPU['str.extract user pattern (re)'] / CPU['add_users']:.1f}× faster "
          f"than one naive extraction; periodicity {CPU['groupby.apply clock fit'] / CPU['periodicity']:.1f}× "
          f"faster than the naive clock fit")

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak_mb:,.0f} MB")
    print(f"users found: {users[s.USER].notna().mean():.1%} of entries; summary rows: {len(summary)}; "
          f"revision rows: {len(revisions)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
