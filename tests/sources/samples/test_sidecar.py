"""load() verifies a saved sample (a file with a ``.meta.json`` sidecar) before reading it."""

from __future__ import annotations

import gzip

import pytest

import triage
from tests.support.entries import make_entry
from triage import schema as s
from triage.sources._samples.sidecar import sidecar


@pytest.mark.parametrize("name, meta", [("x.jsonl.gz", "x.meta.json"), ("a.b.json", "a.b.meta.json"),
                                        ("logs.csv", "logs.meta.json"), ("plain", "plain.meta.json")])
def test_sidecar_name(tmp_path, name, meta):
    assert sidecar(tmp_path / name) == tmp_path / meta


def test_saved_sample_is_verified(tmp_path):
    from triage.sources._samples.sample import save_sample

    path = save_sample([make_entry(i) for i in range(5)], tmp_path / "sample.jsonl.gz", redact=False)
    assert len(triage.load(path)) == 5
    # A glob over the folder reads the sample, not its sidecar.
    assert triage.load(tmp_path / "*").attrs[s.ATTR_SOURCES] == [str(path)]
    tampered = gzip.decompress(path.read_bytes()).replace(b"message number 3", b"message number 4")
    path.write_bytes(gzip.compress(tampered))
    with pytest.raises(triage.LoadError, match="signature mismatch"):
        triage.load(path)
