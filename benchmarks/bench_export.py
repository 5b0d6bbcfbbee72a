"""Time chart export and the postmortem report on the bundled incident.

Prints: browser start-up, seconds per PNG and per SVG in a batch (one browser), the time to build each chart, and
``triage.report`` end to end (load → signatures → report, as ``make report`` does).

Run: .venv/bin/python benchmarks/bench_export.py [--charts-only]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INCIDENT = ROOT / "data" / "samples" / "incident.jsonl.gz"


def timed(label: str, fn, *args, **kwargs):
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    elapsed = time.perf_counter() - started
    print(f"{label:<44} {elapsed:8.2f} s")
    return value, elapsed


def main() -> None:
    import triage
    import triage.plot as tp
    from triage.postmortem import browser, export

    frame, t_load = timed("load", triage.load, INCIDENT)
    frame, t_sig = timed("add_signatures", triage.add_signatures, frame)
    frame, _ = timed("add_users", triage.add_users, frame)
    figures = {}
    for name, build in {
        "summary_table": lambda: tp.summary_table(frame),
        "frequency": lambda: tp.frequency(frame),
        "severity": lambda: tp.severity(frame),
        "users": lambda: tp.users(frame),
        "users_heatmap": lambda: tp.users(frame, kind="heatmap"),
        "periodicity": lambda: tp.periodicity(frame),
        "revisions": lambda: tp.revisions(frame),
        "cascade": lambda: tp.cascade(frame),
    }.items():
        figures[name], _ = timed(f"chart {name}", build)

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        started = time.perf_counter()
        with browser():
            print(f"{'browser start':<44} {time.perf_counter() - started:8.2f} s")
            export({"warm-up": figures["severity"]}, out / "warm", formats=("png",))
            _, t_png = timed(f"export {len(figures)} PNG (one browser)", export, figures, out / "png", formats=("png",))
            _, t_svg = timed(f"export {len(figures)} SVG (one browser)", export, figures, out / "svg", formats=("svg",))
        print(f"{'=> per PNG':<44} {t_png / len(figures):8.2f} s")
        print(f"{'=> per SVG':<44} {t_svg / len(figures):8.2f} s")
        _, t_cold = timed("export 1 PNG, cold (starts its own browser)", export, figures["severity"], out / "cold.png")
        if "--charts-only" in sys.argv:
            return
        _, t_report = timed("report() (frame with signatures and users)", triage.report, frame, out / "report")
        print(f"{'=> make report (load + signatures + report)':<44} {t_load + t_sig + t_report:8.2f} s")


if __name__ == "__main__":
    main()
