"""The hand-labelled real corpus: every record of the public files under ``tests/data/real`` with the
logging statement that wrote it (``tests/data/real/signatures/labels.csv``, described in that folder's README).

Each file is loaded with ``triage.load`` and signed on its own with ``add_signatures``' rules (source
locations included), as an analyst would load it; a statement is one group within its file. Scores are the
Loghub metrics of ``_loghub``, per file kind (the folder: ``cloud_logging``, ``csv``, ``jsonl``, ``text``) and
overall (files added for the labels sit under ``signatures/<kind>/``).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _loghub import f1_grouping_accuracy, grouping_accuracy, parsing_accuracy  # noqa: E402

import triage  # noqa: E402
from triage.signatures._api import _signature_columns  # noqa: E402

REAL = Path(__file__).resolve().parents[1] / "tests" / "data" / "real"
LABELS = REAL / "signatures" / "labels.csv"
COLUMNS = ("file", "record", "message", "event_id", "event_template", "notes")


def labelled() -> pd.DataFrame:
    """The labels joined with what triage makes of each file now, one row per record.

    Raises ``ValueError`` naming the file and record when a label no longer matches the loaded message or a
    file has records without a label (the labels are stale, not the signatures wrong).
    """
    labels = pd.read_csv(LABELS, dtype=str, keep_default_na=False)
    if tuple(labels.columns) != COLUMNS:
        raise ValueError(f"{LABELS}: columns {tuple(labels.columns)}, expected {COLUMNS}")
    labels["record"] = labels["record"].astype(int)
    parts = []
    for name, rows in labels.groupby("file", sort=True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # rejected lines are counted by load; not scored here
            frame = triage.load(REAL / name, errors="report").reset_index(drop=True)
        if sorted(rows["record"]) != list(range(len(frame))):
            raise ValueError(f"{LABELS}: {name} has {len(frame)} records, labels name {sorted(rows['record'])}")
        signature, template = _signature_columns(frame["message"], frame.index, None, placeholder="<*>",
                                                 frame=frame)
        rows = rows.sort_values("record").reset_index(drop=True)
        loaded = frame["message"].astype(str)
        for record, want, got in zip(rows["record"], rows["message"], loaded):
            if want != got:
                raise ValueError(f"{LABELS}: {name} record {record}: label is for {want[:60]!r}, "
                                 f"triage.load now gives {got[:60]!r}")
        rows["signature"] = signature.astype(str).to_numpy()
        rows["template"] = template.astype(str).to_numpy()
        parts.append(rows)
    table = pd.concat(parts, ignore_index=True)
    table["kind"] = table["file"].str.removeprefix("signatures/").str.split("/").str[0]
    return table


def scores(table: pd.DataFrame) -> pd.DataFrame:
    """GA, FGA, PA (strict and lenient) per file kind and overall; groups never cross files."""
    def measure(part: pd.DataFrame) -> dict[str, float]:
        truth = part["file"] + "\0" + part["event_id"]
        predicted = part["file"] + "\0" + part["signature"]
        return {"files": part["file"].nunique(), "lines": len(part), "statements": truth.nunique(),
                "signatures": predicted.nunique(), "GA": grouping_accuracy(truth, predicted),
                "FGA": f1_grouping_accuracy(truth, predicted),
                "PA": parsing_accuracy(part["event_template"], part["template"], strict=True),
                "PA lenient": parsing_accuracy(part["event_template"], part["template"])}
    rows = {kind: measure(part) for kind, part in table.groupby("kind", sort=True)}
    rows["overall"] = measure(table)
    return pd.DataFrame(rows).T


def disagreements(table: pd.DataFrame) -> pd.DataFrame:
    """The records whose statement is split across signatures or shares one with another statement."""
    truth = table["file"] + "\0" + table["event_id"]
    predicted = table["file"] + "\0" + table["signature"]
    split = truth.map(predicted.groupby(truth).nunique()) > 1
    merged = predicted.map(truth.groupby(predicted).nunique()) > 1
    out = table.loc[split | merged, ["file", "record", "event_id", "template"]].copy()
    out["error"] = (split.map({True: "split", False: ""}) + merged.map({True: " merged", False: ""})).str.strip()
    return out
