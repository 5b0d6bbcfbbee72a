"""The bundled incident: reproducible, well-formed LogEntry JSON, and ground truth that matches it.

Reads the files with json/gzip/pandas only (not triage.load), so it checks the data independently of the loader.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "make_incident.py"
BACKEND = "netra-backend-staging"
REV = {n: f"{BACKEND}-{n}" for n in ("00121-qzx", "00122-lbw", "00123-vtm")}
SEVERITIES = {"DEFAULT", "DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL", "ALERT", "EMERGENCY"}
RFC3339_US = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


@pytest.fixture(scope="module")
def entries(incident_path: Path) -> list[dict]:
    with gzip.open(incident_path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope="module")
def joined(entries: list[dict], incident_truth: pd.DataFrame) -> pd.DataFrame:
    """One row per entry: the truth plus the fields the checks need."""
    rows = []
    for e in entries:
        payload = e.get("jsonPayload", {})
        rows.append({
            "timestamp": e["timestamp"],
            "severity": e.get("severity", "DEFAULT"),
            "message": payload.get("message", e.get("textPayload", "")),
            "json_user": payload.get("user_id"),
            "service": e["resource"]["labels"]["service_name"],
            "revision": e["resource"]["labels"]["revision_name"],
            "instance": e.get("labels", {}).get("instanceId", ""),
            "log_name": e["logName"],
            "has_text": "textPayload" in e,
        })
    frame = pd.DataFrame(rows)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], format="ISO8601", utc=True)
    truth = incident_truth.fillna("")
    assert len(frame) == len(truth)
    return pd.concat([truth, frame], axis=1)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_regeneration_is_byte_identical(tmp_path, incident_path, incident_truth):
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path)], check=True, capture_output=True)
    assert _sha(tmp_path / "incident.jsonl.gz") == _sha(incident_path)
    assert _sha(tmp_path / "incident.truth.csv.gz") == _sha(incident_path.with_name("incident.truth.csv.gz"))


def test_files_stay_small_for_git(incident_path):
    assert incident_path.stat().st_size < 5_000_000
    assert incident_path.with_name("incident.truth.csv.gz").stat().st_size < 2_000_000


def test_every_line_is_a_cloud_logging_entry(entries):
    for e in entries:
        assert RFC3339_US.match(e["timestamp"]) and RFC3339_US.match(e["receiveTimestamp"])
        assert e["receiveTimestamp"] >= e["timestamp"]
        assert e.get("severity", "DEFAULT") in SEVERITIES
        assert e["resource"]["type"] == "cloud_run_revision"
        assert set(e["resource"]["labels"]) == {"project_id", "service_name", "revision_name", "location",
                                                "configuration_name"}
        assert e["logName"].startswith("projects/netra-staging/logs/")
        payloads = [k for k in ("textPayload", "jsonPayload", "protoPayload") if k in e]
        assert len(payloads) == (0 if "httpRequest" in e else 1)
        if "protoPayload" not in e:
            assert re.fullmatch(r"00f4[0-9a-f]{60,}", e["labels"]["instanceId"])
        if "trace" in e:
            assert re.fullmatch(r"projects/netra-staging/traces/[0-9a-f]{32}", e["trace"])
            assert re.fullmatch(r"[0-9a-f]{16}", e["spanId"])
        if "httpRequest" in e:
            http = e["httpRequest"]
            assert http["requestUrl"].startswith("https://") and isinstance(http["status"], int)
            assert re.fullmatch(r"\d+\.\d{6}s", http["latency"])
            assert e["logName"].endswith("run.googleapis.com%2Frequests")
        if "jsonPayload" in e:
            assert isinstance(e["jsonPayload"]["message"], str)
            location = e["jsonPayload"].get("logging.googleapis.com/sourceLocation")
            if location:
                assert set(location) == {"file", "line", "function"} and location["line"].isdigit()


def test_entries_are_sorted_and_ids_unique(entries):
    stamps = [e["timestamp"] for e in entries]
    assert stamps == sorted(stamps)
    assert len({e["insertId"] for e in entries}) == len(entries)


def test_truth_has_one_row_per_entry(entries, incident_truth):
    assert list(incident_truth.columns) == ["insert_id", "statement", "user", "user_in_text", "trace", "fragment_of"]
    assert incident_truth["insert_id"].tolist() == [e["insertId"] for e in entries]
    assert incident_truth["trace"].fillna("").tolist() == [e.get("trace", "") for e in entries]
    assert set(incident_truth["user_in_text"]) == {"structured", "text", "truncated", "connection", "request",
                                                   "trace", "none"}


def test_sizes_are_in_range(joined):
    assert 20_000 <= len(joined) <= 60_000
    assert joined["timestamp"].max() - joined["timestamp"].min() >= pd.Timedelta(hours=5)
    assert joined.loc[joined["user"] != "", "user"].nunique() >= 60
    assert joined["service"].nunique() >= 3
    assert joined.loc[joined["service"] == BACKEND, "revision"].replace("", pd.NA).dropna().nunique() >= 3
    assert joined["statement"].nunique() >= 40


def test_user_evidence_is_really_in_the_entry(joined):
    structured = joined[joined["user_in_text"] == "structured"]
    assert (structured["json_user"] == structured["user"]).all()
    text = joined[joined["user_in_text"] == "text"]
    assert all(u in m for u, m in zip(text["user"], text["message"]))
    assert text["json_user"].isna().all()
    truncated = joined[joined["user_in_text"] == "truncated"]
    resolved = truncated[truncated["user"] != ""]
    assert all(f"{u[:8]}..." in m for u, m in zip(resolved["user"], resolved["message"]))
    assert (joined.loc[joined["user_in_text"] == "none", "user"] == "").all()
    assert (joined.loc[joined["user_in_text"] != "none", "user"] != "").sum() > 15_000


def test_truncated_prefixes_one_unique_one_ambiguous(joined):
    truncated = joined[joined["user_in_text"] == "truncated"]
    prefixes = truncated["message"].str.extract(r"(?i)user (\w{8})\.\.\.")[0]
    full_ids = set(joined.loc[joined["user"].str.fullmatch(r"1[01]\d{19}"), "user"])
    owners = {p: sorted(u for u in full_ids if u.startswith(p)) for p in prefixes.unique()}
    assert owners["10594514"] == ["105945141827451681156"]
    ambiguous = [p for p, us in owners.items() if len(us) == 2]
    assert ambiguous and (truncated.loc[prefixes.isin(ambiguous), "user"] == "").all()


def test_users_that_are_not_users(joined):
    system = joined[joined["message"].str.endswith("for user system")]
    cleanup = joined[joined["statement"] == "ws_cleanup_stale"]
    assert len(system) > 50 and (system["user"] == "").all()
    assert len(cleanup) > 5 and (cleanup["user"] == "").all() and cleanup["message"].str.contains(r"\d{21}, ").all()
    assert {"e2e-staging_pipeline", "staging-e2e-user-002"} <= set(joined["user"])


def test_every_user_trace_has_one_user(joined):
    traced = joined[(joined["trace"] != "") & (joined["user"] != "")]
    assert (traced.groupby("trace")["user"].nunique() == 1).all()
    orphans = joined[(joined["trace"] != "") & (joined["user"] == "")]
    assert not orphans["trace"].isin(set(traced["trace"])).any()
    assert (joined["user_in_text"] == "trace").sum() > 1000


def test_split_tracebacks_are_consecutive_fragments(joined):
    fragments = joined[joined["fragment_of"] != ""]
    assert fragments["fragment_of"].nunique() >= 10
    for first, group in fragments.groupby("fragment_of"):
        assert group["insert_id"].iloc[0] == first and group["statement"].nunique() == 1
        assert group["instance"].nunique() == 1 and group["log_name"].nunique() == 1
        assert group["has_text"].all() and (group["severity"] == "DEFAULT").all()
        assert group["message"].iloc[0].startswith("Error handling request req_")
        assert group["message"].iloc[1] == "Traceback (most recent call last):"
        assert group["timestamp"].iloc[-1] - group["timestamp"].iloc[0] < pd.Timedelta(milliseconds=1)
        same_instance = joined[joined["instance"] == group["instance"].iloc[0]]
        positions = same_instance.index.get_indexer(group.index)
        assert (positions == range(positions[0], positions[0] + len(group))).all()


def test_whole_tracebacks_have_no_severity_and_vary(joined):
    tb = joined[joined["statement"] == "asyncpg_interface_error"]
    assert len(tb) >= 20 and (tb["severity"] == "DEFAULT").all()
    assert tb["message"].str.endswith("another operation is in progress").all()
    assert tb["message"].str.contains("During handling of the above exception").any()
    assert tb["message"].str.startswith("Exception in ASGI application\n").any()
    assert tb["message"].str.contains("netra_backend/app/db/").all()
    assert tb["message"].nunique() >= 5


def _revisions(joined, statement):
    return set(joined.loc[joined["statement"] == statement, "revision"])


def test_deploy_story(joined):
    assert _revisions(joined, "thread_id_mismatch") == {REV["00121-qzx"]}  # fixed by 00122
    assert _revisions(joined, "redis_ping_failed") == set(REV.values())  # the fix was not deployed
    assert _revisions(joined, "startup_readiness_failed") == {REV["00123-vtm"]}  # new
    assert _revisions(joined, "asyncpg_interface_error") == {REV["00121-qzx"], REV["00123-vtm"]}  # regressed
    deploys = joined[joined["statement"] == "deploy_replace_service"]
    assert len(deploys) == 2 and (deploys["severity"] == "NOTICE").all()


def test_race_chain_cascade_every_three_minutes(joined):
    chain = ["ws_state_error", "ws_race_condition", "ws_routing_failed_connection", "ws_routing_failed_user",
             "ws_connection_handler_error"]
    rows = joined[joined["statement"].isin(chain)]
    per_trace = rows.groupby("trace")
    assert per_trace.ngroups >= 100
    for _, group in per_trace:
        assert group["statement"].tolist() == chain
        assert group["timestamp"].iloc[-1] - group["timestamp"].iloc[0] < pd.Timedelta(seconds=1)
        assert group["instance"].nunique() == 1
    starts = rows[rows["statement"] == chain[0]]
    gaps = starts.groupby("instance")["timestamp"].diff().dropna().dt.total_seconds()
    assert gaps.median() == pytest.approx(180, abs=2)
    assert starts["message"].str.contains(r"ws_10146348_\d{10}_[0-9a-f]{8}").all()


def test_periodic_redis_on_two_clocks(joined):
    redis = joined[(joined["statement"] == "redis_ping_failed") & (joined["revision"] == REV["00122-lbw"])]
    assert redis["instance"].nunique() == 2
    gaps = redis.groupby("instance")["timestamp"].diff().dropna().dt.total_seconds()
    assert gaps.between(27, 33).mean() > 0.95


def test_burst_of_manager_limits(joined):
    burst = joined[joined["statement"] == "ws_hard_limit"]
    assert len(burst) >= 50
    assert burst["timestamp"].max() - burst["timestamp"].min() <= pd.Timedelta(minutes=5)
    factory = joined[joined["statement"] == "ws_factory_error"]
    assert (factory["severity"] == "CRITICAL").all()


def test_hostile_and_near_duplicate_messages(joined):
    messages = set(joined["message"])
    assert "Invalid thread title rejected: <script>alert('xss')</script>" in messages
    assert "Invalid thread title rejected: <img src=x onerror=alert(1)>" in messages
    assert any("|" in m and "`" in m for m in messages)
    assert {"Connection closed by client", "Connection closed by server"} <= messages
    invalid = joined.loc[joined["statement"] == "ws_invalid_user_id", "user"]
    assert invalid.str.fullmatch(r"\d{21}").any() and invalid.str.startswith("e2e-").any()
