"""The conformance corpus: real public log files (``tests/data/real``, provenance in its README) loaded the way
an analyst would, ``load → add_signatures → add_users → summarize``, each checked against the facts read off
the file by hand: how many records, which are rejected, the levels, users, services and messages."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import pandas as pd
import pytest

import triage
from triage import schema as s

REAL = Path(__file__).parents[1] / "data" / "real"


@dataclass
class Facts:
    rows: int
    levels: dict[str, int]
    rejected: int = 0
    users: set[str] = field(default_factory=set)  # the structured user_id column
    services: set[str] = field(default_factory=set)
    messages: tuple[str, ...] = ()  # messages that must be among the frame's
    loggers: set[str] = field(default_factory=set)
    untimed: int = 0  # rows without a timestamp (NaT)
    duplicates: int = 0
    conflicts: int = 0


FACTS = {
    # --- Cloud Logging entries ---------------------------------------------------------------------------
    "cloud_logging/audit_data_access.jsonl": Facts(
        4, {"INFO": 4}, users={"xxx@xxx.xxx"}, services={"compute.googleapis.com"},
        messages=("GetResourceBillingInfo projects/elastic-beats",
                  "beta.compute.instances.aggregatedList projects/elastic-beats/global/instances PERMISSION_DENIED")),
    "cloud_logging/audit_k8s_permission_denied.jsonl": Facts(
        1, {"DEFAULT": 1}, users={"system:anonymous"}, services={"example-cluster"},
        messages=("io.k8s.get HNAP1 PERMISSION_DENIED",)),
    "cloud_logging/audit_pubsub_create_topic.json": Facts(  # a service account: a workload, no user
        1, {"NOTICE": 1},
        messages=("google.pubsub.v1.Publisher.CreateTopic projects/test-project/topics/test-auditlogs-source",)),
    "cloud_logging/audit_service_account_no_email.jsonl": Facts(  # a principalSubject, no email: no user
        1, {"INFO": 1}, messages=("GenerateAccessToken projects/-/serviceAccounts/somenumber",)),
    "cloud_logging/audit_set_iam_policy.jsonl": Facts(  # by a CI service account: no user
        1, {"NOTICE": 1},
        messages=("SetIamPolicy projects/project-id",)),
    "cloud_logging/cloud_run_gunicorn_pasted.json": Facts(  # 8 objects pasted one after another, no severity
        8, {"INFO": 4, "DEBUG": 2, "DEFAULT": 2}, services={"cerberus-backend"},
        messages=("Starting gunicorn 23.0.0", "Booting worker with pid: 2", "Effective config name: production",
                  "Map([<Rule '/static/<filename>' (GET, HEAD, OPTIONS) -> static>,")),
    "cloud_logging/cloud_run_job.json": Facts(
        2, {"DEFAULT": 1, "INFO": 1}, services={"amarriner-gcp-learning-job"},
        messages=("git version 2.47.0", "Container called exit(0).")),
    "cloud_logging/cloudsql_logs_explorer_download.json": Facts(
        4, {"ALERT": 2, "INFO": 2}, services={"yukpo-project:yukpo-postgres", "yukpo-project:yukpo-db"},
        messages=('2026-02-17 16:00:57.681 UTC [133941]: [1-1] db=yukpo_db,user=yukpo_user FATAL:  password '
                  'authentication failed for user "yukpo_user"',)),
    "cloud_logging/dns_queries.jsonl": Facts(
        5, {"INFO": 5},
        messages=("dns_queries protocol=UDP queryName=elastic.co. queryType=A responseCode=NOERROR",
                  "dns_queries protocol=UDP queryName=elastic.co. queryType=MX responseCode=NOERROR")),
    "cloud_logging/firewall_denied.json": Facts(1, {"DEFAULT": 1}),
    "cloud_logging/gke_container.json": Facts(1, {"INFO": 1}, services={"abcghjapp-backend"}),
    "cloud_logging/load_balancer_same_insert_id.jsonl": Facts(  # three requests, one insertId and timestamp
        3, {"INFO": 3}, services={"URL_MAP_NAME"}, conflicts=2, messages=("GET /static/us/three-cats.jpg 304",)),
    # --- Logs Explorer CSV download ------------------------------------------------------------------------
    "csv/logs_explorer_cloud_functions.csv": Facts(
        3, {"INFO": 2, "DEBUG": 1}, services={"checkinmemberv2call"},
        messages=("Callable request verification passed", "POST /checkInMemberV2Call 200",
                  "OPTIONS /checkInMemberV2Call 204")),
    # --- other loggers' JSON lines -------------------------------------------------------------------------
    "jsonl/bunyan_all_levels.log": Facts(  # levels 10..60 (55 between); comment, text and a non-record rejected
        13, {"DEBUG": 2, "INFO": 7, "WARNING": 1, "ERROR": 2, "CRITICAL": 1}, rejected=5, loggers={"myservice"},
        messages=("My message",)),
    "jsonl/bunyan_renovate.log": Facts(
        10, {"DEBUG": 9, "INFO": 1}, loggers={"renovate"}, messages=("Dependency extraction complete",)),
    "jsonl/bunyan_restify_audit.log": Facts(
        3, {"DEBUG": 1, "INFO": 2}, loggers={"amon-master"}, messages=("HeadAgentProbes handled: 200",)),
    "jsonl/ecs_python_logging.json": Facts(
        5, {"DEBUG": 1, "INFO": 1, "WARNING": 1, "ERROR": 1, "CRITICAL": 1},
        messages=("this is a error message num=15",)),
    "jsonl/lnav_levels_ansi.json": Facts(  # DEBUG2..5 are DEBUG; "STATS" is no level: rejected
        12, {"DEBUG": 6, "INFO": 2, "WARNING": 1, "ERROR": 1, "CRITICAL": 2}, rejected=1,
        users={"steve@example.com"}, messages=("Starting up service", "shoot")),
    "jsonl/pino_otel_payment.log": Facts(1, {"INFO": 1}, messages=("Charge request received.",)),
    "jsonl/pino_prisma_error.log": Facts(
        10, {"DEBUG": 4, "INFO": 5, "ERROR": 1}, loggers={"metrika-backend"},
        messages=("Unhandled error encountered", "Handling incoming request")),
    "jsonl/zap_kserve_agent.log": Facts(
        7, {"INFO": 7}, loggers={"fallback-logger"}, messages=("Successfully loaded model cifar10",)),
    # --- text logs ---------------------------------------------------------------------------------------
    "text/bracket_level_untimestamped.log": Facts(
        4, {"INFO": 3, "ERROR": 1}, untimed=4, messages=("/healthz not responding", "Running health check...")),
    "text/bracket_level_workflow.log": Facts(
        3, {"INFO": 2, "ERROR": 1}, messages=("Page not found (404): http://artnarrator.com/favicon.ico",)),
    "text/django_python_default_traceback.log": Facts(  # 81 lines, no timestamp: one record
        1, {"ERROR": 1}, untimed=1, loggers={"django.request"}),
    "text/glog.log": Facts(7, {"INFO": 4, "WARNING": 1, "ERROR": 2}, untimed=7,
                           messages=("Log every 3, iteration 19", "log_if this")),
    "text/glog_triton.log": Facts(6, {"INFO": 6}, untimed=6, messages=("loading: cifar10:1",)),
    "text/gunicorn_access.log": Facts(7, {"DEFAULT": 7}, untimed=7),
    "text/gunicorn_error_worker_boot.log": Facts(  # a cut traceback (no time, no level), then gunicorn's lines
        11, {"DEFAULT": 1, "INFO": 7, "ERROR": 3}, untimed=1,
        messages=("Reason: Worker failed to boot.", "Starting gunicorn 23.0.0",
                  "Worker (pid:110670) exited with code 3")),
    "text/java_logback.log": Facts(
        20, {"INFO": 20}, messages=("Started FarmApplication in 13.531 seconds (process running for 16.066)",)),
    "text/python_dashes_analyze.log": Facts(
        11, {"INFO": 11}, loggers={"__main__"},
        messages=("Sending request to OpenAI ChatCompletion API...",)),
    "text/python_logging_lnav.log": Facts(
        5, {"DEBUG": 1, "INFO": 1, "WARNING": 1, "ERROR": 2},
        messages=("info message:\nprocessing started -- log_example.py",)),
    "text/stderr_traceback_untimestamped.log": Facts(2, {"DEFAULT": 2}, untimed=2, messages=("=== STDOUT ===",)),
}


def _load(name: str) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rejects and insertId conflicts are asserted below
        return triage.load(REAL / name, errors="report")


def test_every_file_has_its_facts_and_its_provenance():
    # signatures/ holds the hand-labelled signature corpus (its own test, tests/signatures/test_real_corpus.py)
    files = {str(p.relative_to(REAL)) for p in REAL.glob("*/*") if p.parent.name != "signatures"}
    assert files == set(FACTS)
    readme = (REAL / "README.md").read_text()
    assert all(f"| `{name}` |" in readme for name in files)
    assert len(files) >= 30


@pytest.mark.parametrize("name", sorted(FACTS))
def test_real_file(name):
    facts = FACTS[name]
    frame = _load(name)
    attrs = frame.attrs
    assert len(frame) + len(attrs[s.ATTR_REJECTED]) + attrs[s.ATTR_DUPLICATES] + attrs[s.ATTR_FRAGMENTS] \
        == attrs[s.ATTR_RECORDS]
    assert (len(frame), len(attrs[s.ATTR_REJECTED])) == (facts.rows, facts.rejected)
    assert (attrs[s.ATTR_DUPLICATES], attrs[s.ATTR_ID_CONFLICTS]) == (facts.duplicates, facts.conflicts)
    levels = frame[s.SEVERITY].astype(str).value_counts().to_dict()
    assert levels == facts.levels
    assert set(frame[s.USER_ID].dropna()) == facts.users
    assert set(frame[s.SERVICE].dropna()) == facts.services
    assert set(facts.messages) <= set(frame[s.MESSAGE])
    assert facts.loggers <= set(frame[s.LOGGER].dropna())
    assert int(frame[s.TIMESTAMP].isna().sum()) == facts.untimed
    assert not frame[s.MESSAGE].str.contains("\x1b", regex=False).any()

    frame = triage.add_users(triage.add_signatures(frame))
    summary = triage.summarize(frame)
    assert summary[s.COUNT].sum() == len(frame)
    # a signature seen only without a timestamp is first and last seen NaT
    timed = frame.dropna(subset=[s.TIMESTAMP])[s.SIGNATURE].unique()
    by_sig = summary.set_index(s.SIGNATURE)
    assert by_sig.loc[~by_sig.index.isin(timed), s.FIRST_SEEN].isna().all()
    assert by_sig.loc[by_sig.index.isin(timed), s.FIRST_SEEN].notna().all()


# --- what each item of the issue is about, on the file of that kind ------------------------------------------

def test_a_level_written_in_the_text_is_the_entrys_when_it_has_none():
    frame = _load("cloud_logging/cloud_run_gunicorn_pasted.json")
    row = frame[frame[s.MESSAGE] == "Starting gunicorn 23.0.0"].iloc[0]
    assert row[s.SEVERITY] == "INFO"
    assert orjson.loads(row[s.RAW])["textPayload"] == "[2025-08-19 20:57:37 +0000] [1] [INFO] Starting gunicorn 23.0.0"
    text = _load("text/gunicorn_error_worker_boot.log")
    errors = text[text[s.SEVERITY] == "ERROR"][s.MESSAGE].tolist()
    assert errors == ["Worker (pid:110670) exited with code 3", "Shutting down: Master",
                      "Reason: Worker failed to boot."]
    stated = text[s.RAW].map(lambda raw: "[ERROR]" in orjson.loads(raw)["text"])
    assert (text.loc[stated, s.SEVERITY] == "ERROR").all() and stated.sum() == 3


def test_an_entrys_own_severity_wins_over_its_text():
    entries = [{"timestamp": "2025-08-19T20:57:37Z", "severity": "WARNING",
                "textPayload": "[2025-08-19 20:57:37 +0000] [1] [ERROR] Worker timeout"}]
    row = triage.sources._frame.collector.frame_from_entries(entries, source="x").iloc[0]
    assert (row[s.SEVERITY], row[s.MESSAGE]) == ("WARNING", entries[0]["textPayload"])


def test_logs_explorer_csv_cells_lose_the_spreadsheet_apostrophe():
    frame = _load("csv/logs_explorer_cloud_functions.csv").sort_values(s.INSERT_ID).reset_index(drop=True)
    for column in (s.REVISION, s.TRACE, s.LOG_NAME, s.HTTP_URL, s.TIMESTAMP):
        assert not frame[column].astype(str).str.startswith("'").any(), column
    assert set(frame[s.REVISION]) == {"checkinmemberv2call-00237-pej"}
    assert frame[s.TIMESTAMP].tolist()[0] == pd.Timestamp("2026-03-30T12:58:48.028137Z")
    raw = orjson.loads(frame[s.RAW].iloc[1])  # the stdout entry with labels written as 'labels."a-b"
    assert raw["labels"]["deployment-callable"] == "true"
    assert not any(key.startswith("'") for key in raw.get("jsonPayload", {}))


def test_pasted_logentry_objects_are_each_a_record():
    frame = _load("cloud_logging/cloud_run_gunicorn_pasted.json")
    assert frame.attrs[s.ATTR_RECORDS] == 8
    assert frame[s.INSERT_ID].is_unique


def test_pino_and_zap_times_and_levels_by_their_own_definitions():
    pino = _load("jsonl/pino_prisma_error.log")
    assert pino[s.TIMESTAMP].iloc[0] == pd.Timestamp(1764448460806, unit="ms", tz="UTC")
    assert pino.loc[pino[s.MESSAGE] == "Unhandled error encountered", s.SEVERITY].tolist() == ["ERROR"]
    zap = _load("jsonl/zap_kserve_agent.log")
    assert zap[s.TIMESTAMP].iloc[0] == pd.Timestamp("2021-05-22T20:59:08.938490Z")
    assert (zap[s.SOURCE_FILE].iloc[0], zap[s.SOURCE_LINE].iloc[0]) == ("agent/watcher.go", 173)
    bunyan = _load("jsonl/bunyan_all_levels.log")
    by_time = bunyan.set_index(s.TIMESTAMP)[s.SEVERITY].astype(str)
    assert by_time[pd.Timestamp("2012-02-08T22:56:56.856Z")] == "CRITICAL"  # 60: fatal
    assert by_time[pd.Timestamp("2012-02-08T22:56:50.856Z")] == "DEBUG"  # 10: trace


def test_untimestamped_tracebacks_are_joined():
    django = _load("text/django_python_default_traceback.log")
    message = django[s.MESSAGE].iloc[0]
    assert message.startswith("Internal Server Error: /admin/login/\nTraceback (most recent call last):")
    assert message.endswith("django.db.utils.OperationalError: no such table: auth_user")
    assert message.count("\n") == 80
    cut = _load("text/gunicorn_error_worker_boot.log")
    first = cut[cut[s.TIMESTAMP].isna()][s.MESSAGE].iloc[0]
    assert first.endswith("RuntimeError: OPENAI_API_KEY not set in environment/.env file")


def test_ansi_colour_leaves_the_message_and_stays_in_raw():
    frame = _load("jsonl/lnav_levels_ansi.json")
    row = frame[frame[s.MESSAGE] == "Starting up service"].iloc[0]
    assert "\x1b[0;32m" in orjson.loads(row[s.RAW])["msg"]


def test_insert_id_conflicts_are_kept_and_reported():
    with pytest.warns(UserWarning, match=r"2 entries share insertId and timestamp .*load_balancer_same_insert_id"):
        frame = triage.load(REAL / "cloud_logging/load_balancer_same_insert_id.jsonl")
    assert sorted(frame[s.HTTP_URL]) == ["http://81.2.69.193/static/us/three-cats.jpg",
                                         "http://81.2.69.193:8080/static/us/three-cats.jpg",
                                         "http://pictures.example.com/static/us/three-cats.jpg"]
    path = REAL / "cloud_logging/dns_queries.jsonl"
    twice = triage.load([path, path])  # an overlapping export: the same entries again are dropped
    assert (len(twice), twice.attrs[s.ATTR_DUPLICATES], twice.attrs[s.ATTR_ID_CONFLICTS]) == (5, 5, 0)


def test_the_warning_names_a_record_as_the_load_error_does():
    path = REAL / "jsonl/lnav_levels_ansi.json"
    with pytest.raises(triage.LoadError) as raised:
        triage.load(path)
    with pytest.warns(UserWarning) as caught:
        triage.load(path, errors="report")
    assert f"(first: {raised.value})" in str(caught[0].message)
    assert str(raised.value).startswith(f"{path}:9: ")  # JSON Lines: the line number
