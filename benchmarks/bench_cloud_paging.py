"""Paging N entries from Cloud Logging into a frame: streaming (read_cloud_logging) vs list-then-frame.

Both variants use the real google-cloud-logging client against the local fake server
(tests/support/cloud_logging.py), each in a fresh subprocess so peak RSS is its own:

* ``stream``    — ``triage.read_cloud_logging``: each page's rows are extracted and its dicts released;
* ``reference`` — every page's entries appended to one list, then ``frame_from_entries(list)``.

Run:  .venv/bin/python benchmarks/bench_cloud_paging.py [--entries 100000] [--page-size 1000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WINDOW = {"start": "2025-09-09T00:00:00Z", "end": "2025-09-10T00:00:00Z"}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _current_rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def _child(variant: str, url: str, page_size: int) -> None:
    from google.api_core import retry as gretry
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import logging as cloud_logging

    import triage
    from triage.sources._cloud import pages as _cloud_pages
    from triage.sources._frame.collector import frame_from_entries

    client = cloud_logging.Client(project="bench", credentials=AnonymousCredentials(), _use_grpc=False,
                                  client_options={"api_endpoint": url})
    text = triage.logging_filter(**WINDOW)
    no_retry = gretry.Retry(predicate=lambda exc: False)
    base = _current_rss_mb()
    start = time.perf_counter()
    if variant == "stream":
        frame = triage.read_cloud_logging(project="bench", client=client, page_size=page_size, progress=False,
                                          retry=no_retry, **WINDOW)
    else:
        everything: list[dict] = []
        for entries, _ in _cloud_pages.pages(client, resource_names=["projects/bench"], filter=text,
                                             order_by="timestamp asc", page_size=page_size, retry=no_retry):
            everything.extend(entries)
        frame = frame_from_entries(everything, source="bench")
    seconds = time.perf_counter() - start
    print(json.dumps({"variant": variant, "rows": len(frame), "seconds": seconds, "base_rss_mb": base,
                      "peak_rss_mb": _rss_mb(), "frame_mb": frame.memory_usage(deep=True).sum() / 2**20}))


def _entries(n: int) -> list[dict]:
    sys.path.insert(0, str(ROOT))
    from tests.live.entries import entry

    messages = ("Request req_{i:012x} completed for user 1059451418274516{i:05d} in {ms}ms",
                "Message routed for ws_10146348_17573{i:05d}_aca2f891: {ms} bytes",
                "Redis ping test failed: asyncio.run() cannot be called from a running event loop")
    return [entry(i, seconds=i * 0.5, message=messages[i % 3].format(i=i, ms=i % 997),
                  user=f"1059451418274516{i % 90:05d}") for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--child", choices=("stream", "reference"))
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.url, args.page_size)
        return

    sys.path.insert(0, str(ROOT))
    from tests.support.cloud_logging import FakeCloudLogging

    entries = _entries(args.entries)
    with FakeCloudLogging(entries, project="bench") as server:
        del entries
        # Warm the server's filtered result, so neither variant pays for it.
        import triage

        server._list({"resourceNames": ["projects/bench"], "filter": triage.logging_filter(**WINDOW),
                      "orderBy": "timestamp asc", "pageSize": 1})
        results = {}
        for variant in ("reference", "stream"):
            out = subprocess.run([sys.executable, __file__, "--child", variant, "--url", server.url,
                                  "--page-size", str(args.page_size)], capture_output=True, text=True, check=True)
            results[variant] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"paging {args.entries:,} entries, {args.page_size} per page, real client → local REST server")
    print(f"{'variant':<10} {'rows':>8} {'seconds':>8} {'peak RSS MB':>12} {'growth MB':>10} {'frame MB':>9}")
    for variant, r in results.items():
        growth = r["peak_rss_mb"] - r["base_rss_mb"]
        print(f"{variant:<10} {r['rows']:>8,} {r['seconds']:>8.2f} {r['peak_rss_mb']:>12.1f} {growth:>10.1f} "
              f"{r['frame_mb']:>9.1f}")
    ref, stream = results["reference"], results["stream"]
    ratio = (stream["peak_rss_mb"] - stream["base_rss_mb"]) / (ref["peak_rss_mb"] - ref["base_rss_mb"])
    print(f"stream / reference: memory growth x{ratio:.2f}, time x{stream['seconds'] / ref['seconds']:.2f}")


if __name__ == "__main__":
    main()
