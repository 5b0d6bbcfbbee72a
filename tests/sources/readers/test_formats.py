"""Every input format on real files, and the same entries read through different formats agree."""

from __future__ import annotations

import pandas as pd
import pytest

import triage
from triage import schema as s

CORE = [s.TIMESTAMP, s.SEVERITY, s.MESSAGE, s.SERVICE, s.REVISION, s.INSERT_ID, s.INSTANCE_ID, s.HTTP_STATUS,
        s.HTTP_METHOD, s.SOURCE_LINE, s.USER_ID]


def _mixed(entry, n=30):
    """Text, structured and request entries, unsorted."""
    out = []
    for i in reversed(range(n)):
        if i % 3 == 0:
            out.append(entry(i, severity="ERROR", textPayload=None,
                             jsonPayload={"message": f"failed for user {i}", "user_id": f"u{i}", "logger": "app",
                                          "logging.googleapis.com/sourceLocation":
                                              {"file": "app.py", "line": str(100 + i), "function": "f"}}))
        elif i % 3 == 1:
            out.append(entry(i, textPayload=None, severity=None,
                             httpRequest={"requestMethod": "POST", "requestUrl": f"https://x.run.app/api/{i}?k=v",
                                          "status": 500 + i % 4, "latency": "0.25s"}))
        else:
            out.append(entry(i))
    return out


def assert_frame_contract(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == list(s.FRAME_DTYPES)
    for name, dtype in s.FRAME_DTYPES.items():
        assert str(frame[name].dtype) == str(dtype), name
    assert isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0
    assert frame[s.TIMESTAMP].dropna().is_monotonic_increasing
    for key in (s.ATTR_REJECTED, s.ATTR_DUPLICATES, s.ATTR_SOURCES, s.ATTR_RECORDS):
        assert key in frame.attrs
    assert list(frame.attrs[s.ATTR_REJECTED].columns) == list(s.REJECTED_COLUMNS)


def test_jsonl(entry, write_jsonl):
    entries = _mixed(entry)
    frame = triage.load(write_jsonl(entries))
    assert_frame_contract(frame)
    assert len(frame) == 30 and frame.attrs[s.ATTR_RECORDS] == 30
    # The raw column is the line as written.
    assert pd.Series(frame[s.RAW]).map(len).gt(0).all()
    assert set(frame[s.SERVICE]) == {"svc0", "svc1", "svc2"}


@pytest.mark.parametrize("name", ["logs.jsonl.gz", "logs.json.gz", "logs.ndjson", "logs.json", "logs.log"])
def test_json_lines_under_any_name(entry, write_jsonl, name):
    frame = triage.load(write_jsonl(_mixed(entry), name))
    assert len(frame) == 30
    assert_frame_contract(frame)


@pytest.mark.parametrize("name", ["export.json", "export.json.gz", "export.txt"])
def test_gcloud_json_array_newest_first_is_sorted(entry, write_array, name):
    frame = triage.load(write_array(_mixed(entry), name))
    assert_frame_contract(frame)
    assert len(frame) == 30
    assert frame[s.INSERT_ID].tolist() == [f"id{i:06d}" for i in range(30)]


def test_single_object_and_api_response(entry, tmp_path):
    one = tmp_path / "one.json"
    one.write_text(pd.io.json.ujson_dumps(entry(1), indent=2))
    assert triage.load(one)[s.INSERT_ID].tolist() == ["id000001"]
    listing = tmp_path / "list.json"
    listing.write_text(pd.io.json.ujson_dumps({"entries": [entry(2), entry(1)], "nextPageToken": "t"}))
    assert triage.load(listing)[s.INSERT_ID].tolist() == ["id000001", "id000002"]


def _logs_explorer_csv(entries, path):
    """Flattened with dotted column names, as Logs Explorer's download (pandas' own flattening, not ours)."""
    pd.json_normalize(entries).to_csv(path, index=False)
    return path


def test_same_entries_through_array_jsonl_and_csv_agree(entry, write_jsonl, write_array, tmp_path):
    entries = _mixed(entry)
    frames = [
        triage.load(write_array(entries)),
        triage.load(write_jsonl(entries)),
        triage.load(_logs_explorer_csv(entries, tmp_path / "download.csv")),
    ]
    for frame in frames:
        assert_frame_contract(frame)
    for other in frames[1:]:
        pd.testing.assert_frame_equal(frames[0][CORE], other[CORE])
    assert frames[0][s.HTTP_STATUS].notna().sum() == 10


def test_csv_liberal_headers(tmp_path):
    path = tmp_path / "bq.csv"
    path.write_text(
        "timestamp,severity,json_payload.message,resource.labels.service_name,http_request.request_method,"
        "http_request.status,labels.instanceId,jsonPayload\n"
        '2025-09-09T01:00:00Z,ERROR,"boom, again",api,GET,503,i-1,\n'
        '2025-09-09T01:00:01Z,WARNING,,api,,,i-2,"{""message"": ""from object"", ""user_id"": ""u9""}"\n'
    )
    frame = triage.load(path)
    assert frame[s.MESSAGE].tolist() == ["boom, again", "from object"]
    assert frame[s.HTTP_METHOD].tolist()[0] == "GET" and frame[s.HTTP_STATUS].tolist()[0] == 503
    assert frame[s.INSTANCE_ID].tolist() == ["i-1", "i-2"]
    assert frame[s.USER_ID].tolist()[1] == "u9"


def test_frame_written_as_csv_reads_back(entry, write_jsonl, tmp_path):
    frame = triage.load(write_jsonl(_mixed(entry)))
    path = tmp_path / "frame.csv"
    frame.drop(columns=[s.RAW]).to_csv(path, index=False)
    again = triage.load(path)
    pd.testing.assert_frame_equal(frame[CORE], again[CORE])


TEXT_LOG = """\
INFO:     Started server process [1]
INFO:     127.0.0.1:5000 - "GET /api/items?page=2 HTTP/1.1" 404 Not Found
ERROR:app.db:connection refused
Traceback (most recent call last):
  File "/app/db.py", line 12, in connect
    sock.connect(addr)
ConnectionRefusedError: [Errno 111] Connection refused
"""

TIMESTAMPED_LOG = """\
2025-09-09 01:33:32,726 ERROR [netra.ws] WebSocket error: Invalid user_id format
2025-09-09 01:33:33,001 - app.cache - WARNING - cache miss storm
[2025-09-09 01:33:34,500] ERROR in views: flask failed
2025-09-09T01:33:35.250Z info plain iso line
2025-09-09T03:33:36+02:00 DEBUG offset line
"""


def test_text_python_and_uvicorn(tmp_path):
    path = tmp_path / "app.log"
    path.write_text(TEXT_LOG)
    frame = triage.load(path)
    assert_frame_contract(frame)
    assert frame[s.SEVERITY].tolist() == ["INFO", "INFO", "ERROR"]
    assert frame[s.MESSAGE].tolist()[:2] == ["Started server process [1]", "GET /api/items 404"]
    assert frame[s.HTTP_URL].tolist()[1] == "/api/items?page=2"
    assert frame[s.HTTP_STATUS].tolist()[1] == 404
    error = frame.iloc[2]
    assert error[s.LOGGER] == "app.db"
    assert error[s.MESSAGE].startswith("connection refused\nTraceback (most recent call last):")
    assert error[s.MESSAGE].endswith("ConnectionRefusedError: [Errno 111] Connection refused")
    assert frame.attrs[s.ATTR_RECORDS] == 3


def test_text_timestamped_formats(tmp_path):
    path = tmp_path / "service.txt"
    path.write_text(TIMESTAMPED_LOG)
    frame = triage.load(path)
    assert_frame_contract(frame)
    assert frame[s.SEVERITY].tolist() == ["ERROR", "WARNING", "ERROR", "INFO", "DEBUG"]
    assert frame[s.LOGGER].tolist()[:3] == ["netra.ws", "app.cache", "views"]
    assert frame[s.MESSAGE].tolist() == ["WebSocket error: Invalid user_id format", "cache miss storm",
                                         "flask failed", "plain iso line", "offset line"]
    expected = pd.to_datetime(["2025-09-09 01:33:32.726", "2025-09-09 01:33:33.001", "2025-09-09 01:33:34.5",
                               "2025-09-09 01:33:35.25", "2025-09-09 01:33:36"], utc=True, format="ISO8601")
    assert frame[s.TIMESTAMP].tolist() == list(expected)


def test_text_custom_pattern(tmp_path):
    path = tmp_path / "custom.log"
    path.write_text("2025-09-09T01:00:00Z <error> worker-3 | job 42 failed\n  detail line\n"
                    "2025-09-09T01:00:01Z <info> worker-1 | ok\n")
    pattern = r"(?P<timestamp>\S+) <(?P<severity>\w+)> (?P<service>[\w-]+) \| (?P<message>.*)"
    frame = triage.load(path, pattern=pattern)
    assert_frame_contract(frame)
    assert frame[s.SEVERITY].tolist() == ["ERROR", "INFO"]
    assert frame[s.SERVICE].tolist() == ["worker-3", "worker-1"]
    assert frame[s.MESSAGE].tolist() == ["job 42 failed\n  detail line", "ok"]


def test_text_custom_pattern_that_does_not_fit(tmp_path):
    path = tmp_path / "custom.log"
    path.write_text("1757381612 <E> worker-3 | job 42 failed\n")
    with pytest.raises(triage.LoadError, match=r"custom.log:1: line does not match pattern"):
        triage.load(path, pattern=r"(?P<timestamp>\d{4}-\S+) (?P<message>.*)")
    with pytest.raises(triage.LoadError, match=r"custom.log:1: severity: unknown severity 'E'"):
        triage.load(path, pattern=r"(?P<epoch>\d+) <(?P<severity>\w)> (?P<message>.*)")


def test_format_override(entry, write_jsonl, tmp_path):
    path = write_jsonl(_mixed(entry), "export.data")
    assert len(triage.load(path, format="jsonl")) == 30
    with pytest.raises(ValueError, match="format must be one of"):
        triage.load(path, format="xml")
    text = tmp_path / "notes.csv"
    text.write_text("ERROR:app:not really a csv\n")
    assert triage.load(text, format="text")[s.MESSAGE].tolist() == ["not really a csv"]
