"""The explorer's widgets, driven the way the browser drives them (setting widget values), no browser."""

from __future__ import annotations

import re

import pytest

from triage import schema as s
from triage.notebook import Explorer, ExplorerModel
from triage.signatures import Rules

from .frames import XSS_IMG, XSS_SCRIPT


@pytest.fixture()
def app(explorer_frame, explorer_facts) -> Explorer:
    return Explorer(ExplorerModel(explorer_frame, facts=explorer_facts))


def _selected_trace(app: Explorer):
    return app.figure.data[1]


def test_severity_filter_changes_table_and_list(app):
    assert "Request: GET" in app.table.value
    app.severity.value = "ERROR"
    assert "Request: GET" not in app.table.value
    assert [value for _, value in app.select.options] == ["00000000a001"]
    assert app.status.value.startswith("8 of 14 entries")


def test_selecting_a_signature_draws_its_timeline_and_details(app):
    assert len(_selected_trace(app).y) == 0
    app.select.value = "00000000a001"
    assert sum(_selected_trace(app).y) == 8
    assert sum(app.figure.data[0].y) == 14
    assert "Redis ping test failed" in app.figure.layout.title.text
    assert "every ~30 s" in app.header.value and "unchanged" in app.header.value
    assert "backend-2" in app.verdict_panel.value and "same rate as backend-1" in app.verdict_panel.value
    assert "Invalid thread title rejected" in app.cascade_panel.value  # the next domino
    assert "u1" in app.users_panel.value
    assert "triage-selected" in app.table.value
    # Narrowing the filters redraws the selected signature's timeline.
    app.revisions.value = ("backend-2",)
    assert sum(_selected_trace(app).y) == 3


def test_log_text_is_escaped_everywhere(app):
    app.choose("00000000b002")
    panels = [app.table.value, app.header.value, app.params_panel.value, app.samples_panel.value,
              app.cascade_panel.value, app.figure.layout.title.text]
    for html in panels:
        assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in app.params_panel.value
    assert "&lt;img src=x onerror=alert(1)&gt;" in app.samples_panel.value
    # Option labels are rendered as text by the Select widget; they carry the template verbatim.
    assert any("Invalid thread title rejected: <*>" in label for label, _ in app.select.options)
    assert XSS_SCRIPT not in app.table.value and XSS_IMG not in app.table.value


def test_sort_controls_reorder_the_table(app):
    order = lambda: [value for _, value in app.select.options]  # noqa: E731
    # Opens on priority: the problems (an ERROR, a WARNING) first, the busier healthy request signature last.
    assert app.sort.value == s.PRIORITY
    assert order() == ["00000000a001", "00000000b002", "00000000c003"]
    app.sort.value = s.COUNT
    assert order() == ["00000000a001", "00000000c003", "00000000b002"]
    app.descending.value = False
    assert order() == ["00000000b002", "00000000c003", "00000000a001"]
    app.sort.value = s.TEMPLATE
    assert order() == ["00000000b002", "00000000a001", "00000000c003"]
    assert app.descending.value is False


def test_text_and_time_filters(app):
    app.text.value = "onerror"
    assert [value for _, value in app.select.options] == ["00000000b002"]
    app.text.value = ""
    options = app.time.options
    app.time.value = (options[0][1], options[0][1])  # the first instant only
    assert app.status.value.startswith("1 of 14 entries")


def test_merge_and_split_need_a_selection(app):
    with pytest.raises(ValueError, match="select a signature"):
        app.split()
    app.merge_button.click()
    assert app.rules_status.value.startswith("not written")


def test_merge_and_split_are_appended_to_the_rules_file(explorer_frame, explorer_facts, tmp_path):
    rules_file = tmp_path / "triage-rules.toml"
    app = Explorer(ExplorerModel(explorer_frame, facts=explorer_facts), rules=rules_file)
    app.choose("00000000b002")
    # The "split on" choices are the selected signature's wildcard values.
    values = [value for _, value in app.split_value.options]
    assert (1, XSS_IMG) in values
    app.split_value.value = (1, XSS_IMG)
    app.rule_name.value = "hostile image titles"
    app.split_button.click()
    assert app.rules_status.value == f"split rule 'hostile image titles' appended to {rules_file}"
    app.rule_name.value = "redis and titles"
    app.merge_with.value = ("00000000a001",)
    app.merge_button.click()
    assert app.rules_status.value.startswith("merge rule 'redis and titles' (2 signatures)")

    rules = Rules.load(rules_file).rules
    assert [(r.action, r.name) for r in rules] == [("split", "hostile image titles"), ("merge", "redis and titles")]
    assert rules[1].signatures == ("00000000b002", "00000000a001")
    # The split rule's pattern picks exactly the message with that wildcard value.
    pattern = re.compile(rules[0].message[0])
    hits = [m for m in explorer_frame[s.MESSAGE] if pattern.search(m)]
    assert hits == [f"Invalid thread title rejected: {XSS_IMG}"]


def test_the_current_view_becomes_evidence(app):
    assert app.as_evidence().kind == "filter" and app.as_evidence().reference == "all entries"
    app.severity.value = "WARNING"
    app.users.value = ("u3",)
    app.choose("00000000b002")
    evidence = app.as_evidence("hostile titles")
    assert (evidence.kind, evidence.reference) == ("signature", "00000000b002")
    assert evidence.note == "hostile titles (filters: severity>=WARNING user=u3)"


def test_table_is_paged_and_choose_turns_to_the_page(explorer_frame, explorer_facts):
    import pandas as pd

    from triage.notebook._explorer import PAGE_ROWS

    extra = []
    for i in range(2 * PAGE_ROWS):  # many small signatures
        row = explorer_frame.iloc[0].copy()
        row[s.SIGNATURE], row[s.TEMPLATE] = f"00000000f{i:03d}", f"filler {i} <*>"
        extra.append(row)
    frame = pd.concat([explorer_frame, pd.DataFrame(extra)], ignore_index=True).sort_values(s.TIMESTAMP)
    app = Explorer(ExplorerModel(frame, facts=explorer_facts, max_rows=None))
    assert app.table.value.count("<tr class=") == PAGE_ROWS and len(app.select.options) == PAGE_ROWS
    assert app.page_label.value == f"signatures 1–{PAGE_ROWS} of {2 * PAGE_ROWS + 3}"
    last = app.model.table(limit=None)[s.SIGNATURE].iloc[-1]
    app.choose(last)
    assert app.page == 2 and app.select.value == last and "triage-selected" in app.table.value
    app.turn(-1)
    assert app.page == 1 and app.previous.disabled is False


def test_detail_links_the_signature_to_logs_explorer_and_shows_key_fields_first(app):
    from triage.postmortem import query_of, signature_filter

    app.choose("00000000a001")
    href = re.search(r'class="triage-logs-link" href="([^"]+)"', app.header.value).group(1).replace("&amp;", "&")
    assert query_of(href) == signature_filter(app.model.frame, "00000000a001")
    entry = re.search(r"<pre[^>]*>(.*?)</pre>", app.samples_panel.value, re.S).group(1)
    keys = re.findall(r"^  &quot;(\w+)&quot;:", entry, re.M)
    assert keys[:3] == ["severity", "timestamp", "resource"]
