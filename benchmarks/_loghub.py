"""Loghub-2k (corrected) data and the usual log-parsing metrics: GA, FGA and PA.

>>> truth = ["a", "a", "b", "c"]
>>> grouping_accuracy(truth, [1, 1, 2, 2])
0.5
>>> round(f1_grouping_accuracy(truth, [1, 1, 2, 2]), 3)
0.4
>>> parsing_accuracy(["x <*>  <*><*>"], ["x <*> <*>"])
1.0
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

LOGHUB = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "loghub_2k_corrected"
DATASETS = ("Apache", "BGL", "HDFS", "HPC", "Hadoop", "HealthApp", "Linux", "Proxifier")

_SPACES = re.compile(r"\s+")
_STARS = re.compile(r"(?:<\*>)+")


def load(name: str, root: Path = LOGHUB) -> pd.DataFrame:
    """One labelled dataset: columns ``Content``, ``EventId``, ``EventTemplate``."""
    path = Path(root) / name / f"{name}_2k.log_structured_corrected.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False)[["Content", "EventId", "EventTemplate"]]


def datasets_in(root: Path) -> tuple[str, ...]:
    """Names of the labelled Loghub-2k sets under ``root``.

    Each is a folder holding ``<name>_2k.log_structured_corrected.csv``.
    """
    root = Path(root)
    return tuple(sorted(d.name for d in root.iterdir()
                        if (d / f"{d.name}_2k.log_structured_corrected.csv").exists()))


def _correct_groups(truth, predicted) -> tuple[int, int, int, int]:
    """(messages in exactly-right groups, exactly-right groups, predicted groups, true groups)."""
    pairs = pd.DataFrame({"t": list(truth), "p": list(predicted)})
    true_size = pairs.groupby("t").size()
    per_pred = pairs.groupby("p")["t"].agg(["nunique", "first", "size"])
    right = per_pred[(per_pred["nunique"] == 1) & (per_pred["size"].to_numpy()
                                                    == true_size.loc[per_pred["first"]].to_numpy())]
    return int(right["size"].sum()), len(right), len(per_pred), len(true_size)


def grouping_accuracy(truth, predicted) -> float:
    """GA: share of messages whose predicted group holds exactly the messages of their true group."""
    messages, _, _, _ = _correct_groups(truth, predicted)
    return messages / len(list(truth))


def f1_grouping_accuracy(truth, predicted) -> float:
    """FGA: F1 of groups, where a predicted group counts when it equals a true group."""
    _, right, n_pred, n_true = _correct_groups(truth, predicted)
    if right == 0:
        return 0.0
    precision, recall = right / n_pred, right / n_true
    return 2 * precision * recall / (precision + recall)


def normalize_template(template: str, *, strict: bool = False) -> str:
    """Whitespace collapsed, adjacent ``<*>`` merged, and unless ``strict`` a trailing period dropped."""
    text = _STARS.sub("<*>", _SPACES.sub(" ", template).strip())
    return text if strict else text.rstrip(".").rstrip()


def parsing_accuracy(truth_templates, predicted_templates, *, strict: bool = False) -> float:
    """PA: share of messages whose predicted template equals the true one after normalisation.

    ``strict`` keeps trailing periods (the usual Loghub comparison); the default forgives them.
    """
    truth = [normalize_template(t, strict=strict) for t in truth_templates]
    predicted = [normalize_template(t, strict=strict) for t in predicted_templates]
    return sum(a == b for a, b in zip(truth, predicted)) / len(truth)
