"""Parsing accuracy of triage's signatures vs Drain3 on the 8 labelled Loghub-2k datasets.

Both run with their defaults and no per-dataset settings: triage.templates(placeholder="<*>") and
Drain3 with TemplateMinerConfig() (no masking). Prints GA, FGA and PA per dataset and averaged.

    .venv/bin/python benchmarks/bench_signatures_accuracy.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import triage  # noqa: E402
from _loghub import DATASETS, f1_grouping_accuracy, grouping_accuracy, load, parsing_accuracy  # noqa: E402


def drain3(messages: list[str]) -> tuple[list[int], list[str]]:
    from drain3 import TemplateMiner
    from drain3.template_miner_config import TemplateMinerConfig

    miner = TemplateMiner(config=TemplateMinerConfig())
    ids = [miner.add_log_message(m)["cluster_id"] for m in messages]
    # Templates as they stand after all messages (Drain's final clusters).
    by_id = {c.cluster_id: c.get_template() for c in miner.drain.clusters}
    return ids, [by_id[i] for i in ids]


def triage_parse(messages: list[str]) -> tuple[list[str], list[str]]:
    out = triage.templates(messages, placeholder="<*>")
    return out["signature"].tolist(), out["template"].tolist()


def measure(parser, data: pd.DataFrame) -> tuple[float, float, float]:
    groups, templates = parser(data["Content"].tolist())
    return (grouping_accuracy(data["EventId"], groups), f1_grouping_accuracy(data["EventId"], groups),
            parsing_accuracy(data["EventTemplate"], templates))


def main() -> None:
    rows = []
    for name in DATASETS:
        data = load(name)
        t = measure(triage_parse, data)
        d = measure(drain3, data)
        rows.append({"dataset": name, "triage GA": t[0], "triage FGA": t[1], "triage PA": t[2],
                     "drain3 GA": d[0], "drain3 FGA": d[1], "drain3 PA": d[2]})
    table = pd.DataFrame(rows).set_index("dataset")
    table.loc["average"] = table.mean()
    print("Loghub-2k corrected, defaults for both (triage placeholder='<*>'; Drain3 TemplateMinerConfig(), no masking)")
    print("PA compares templates after collapsing whitespace and adjacent <*> and dropping a trailing period.")
    print(table.round(3).to_string())


if __name__ == "__main__":
    main()
