"""The benchmark metrics on hand-made examples, and signature quality on the bundled incident."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import triage
from triage import schema as s

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "_loghub.py"
_spec = importlib.util.spec_from_file_location("_loghub", _PATH)
loghub = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(loghub)


def test_grouping_accuracy_counts_only_exact_groups():
    truth = ["a", "a", "a", "b", "c", "c"]
    assert loghub.grouping_accuracy(truth, [1, 1, 1, 2, 3, 3]) == 1.0
    assert loghub.grouping_accuracy(truth, ["x", "x", "y", "z", "w", "w"]) == pytest.approx(3 / 6)
    assert loghub.grouping_accuracy(truth, [1] * 6) == 0.0


def test_f1_grouping_accuracy():
    truth = ["a", "a", "b", "c"]
    # predicted groups {0,1} (right), {2,3} (wrong): precision 1/2, recall 1/3
    assert loghub.f1_grouping_accuracy(truth, [1, 1, 2, 2]) == pytest.approx(2 * 0.5 * (1 / 3) / (0.5 + 1 / 3))
    assert loghub.f1_grouping_accuracy(truth, [9, 9, 8, 7]) == 1.0
    assert loghub.f1_grouping_accuracy(truth, [1, 2, 1, 2]) == 0.0


def test_parsing_accuracy_normalises_both_sides():
    assert loghub.parsing_accuracy(["blk_<*> x", "a <*>"], ["blk_<*><*>  x", "a <*>."]) == 1.0
    assert loghub.parsing_accuracy(["a <*> b", "a b"], ["a <*> <*> b", "a b"]) == 0.5


@pytest.mark.skipif(not Path(__file__).resolve().parents[2].joinpath("data/samples/incident.truth.csv.gz").exists(),
                    reason="bundled incident not generated yet")
def test_incident_signatures_match_the_true_logging_statements(incident_frame, incident_truth):
    out = triage.add_signatures(incident_frame)
    joined = out[[s.INSERT_ID, s.SIGNATURE]].merge(incident_truth[["insert_id", "statement"]],
                                                    left_on=s.INSERT_ID, right_on="insert_id")
    assert len(joined) >= 0.95 * len(out)
    assert loghub.grouping_accuracy(joined["statement"], joined[s.SIGNATURE]) >= 0.97
