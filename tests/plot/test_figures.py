"""Chart content: counts, markers, colours and escaping, checked on a hand-built frame with known answers."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

import triage
import triage.analysis
import triage.plot as tp
from tests.support.figures import raw_markup, strings
from tests.support.frames import TINY_T0 as T0
from tests.support.frames import XSS
from triage import schema as s


def hand_built_chains(frame: pd.DataFrame) -> pd.DataFrame:
    """A ``cascades`` output (documented shape) over the tiny frame's signatures, with known links."""
    templates = frame.drop_duplicates(s.SIGNATURE).set_index(s.SIGNATURE)[s.TEMPLATE]
    chains = [("sig-user", "sig-timeout", "sig-xss"), ("sig-user", "sig-heartbeat"), ("sig-timeout", "sig-xss")]
    return pd.DataFrame({
        s.CHAIN: chains, s.CHAIN_TEMPLATES: [tuple(templates[c] for c in chain) for chain in chains],
        s.OCCURRENCES: [4, 2, 1], s.FIRST_SIGNATURE: [c[0] for c in chains],
        s.DESCRIPTION: ["user → timeout → xss", "user → heartbeat", "timeout → xss"],
        "traces": [["t1"], ["t2"], ["t3"]],
    })


def bars(fig):
    return [t for t in fig.data if t.type == "bar"]


# --- frequency -----------------------------------------------------------------------------------------------------

def baseline(fig):
    return [t for t in fig.data if t.meta == "other"]


def test_frequency_counts_add_up_to_the_rows(tiny_frame):
    fig = tp.frequency(tiny_frame)
    (other,) = baseline(fig)
    assert sum(sum(t.y) for t in bars(fig)) + sum(other.y) == len(tiny_frame)
    per_signature = {t.meta: sum(t.y) for t in bars(fig)}
    assert per_signature == tiny_frame[s.SIGNATURE].value_counts().drop("sig-health").to_dict()


def test_frequency_defaults_to_the_problems_by_priority_with_healthy_traffic_as_one_grey_line(tiny_frame):
    from triage.analysis.problems import problem_signatures

    fig = tp.frequency(tiny_frame)
    # The busiest signature is a healthy health check: it is no series of its own, only part of the grey baseline.
    assert tiny_frame[s.SIGNATURE].value_counts().index[0] == "sig-health"
    assert [t.meta for t in bars(fig)] == problem_signatures(tiny_frame)
    (other,) = baseline(fig)
    assert other.type == "scatter" and other.yaxis == "y2" and other.line.color == "#b0b0b0"
    assert sum(other.y) == (tiny_frame[s.SIGNATURE] == "sig-health").sum()


def test_frequency_top_n_gathers_the_rest_as_other(tiny_frame):
    from triage.analysis.problems import problem_signatures

    first_two = problem_signatures(tiny_frame)[:2]
    fig = tp.frequency(tiny_frame, top=2)
    assert [t.meta for t in bars(fig)] == first_two
    (other,) = baseline(fig)
    assert sum(other.y) == (~tiny_frame[s.SIGNATURE].isin(first_two)).sum()


def test_frequency_marks_one_vline_per_revision_switch(tiny_frame):
    fig = tp.frequency(tiny_frame)
    deploys = [shape for shape in fig.layout.shapes if shape.name == "deploy"]
    assert len(deploys) == 1  # api-00001 -> api-00002 at minute 30
    switch = tiny_frame.loc[tiny_frame[s.REVISION] == "api-00002-def", s.TIMESTAMP].min()
    assert pd.Timestamp(deploys[0].x0) == switch.tz_localize(None)
    labels = [a.text for a in fig.layout.annotations if a.name == "deploy"]
    assert labels == ["deploy 00002-def"]  # the short revision: the part that tells revisions apart


def test_frequency_without_a_switch_draws_no_deploy(tiny_frame):
    one = tiny_frame[tiny_frame[s.REVISION] == "api-00001-abc"]
    assert not [sh for sh in tp.frequency(one).layout.shapes if sh.name == "deploy"]


def test_frequency_burst_marker_sits_on_the_burst_bucket(tiny_frame):
    fig = tp.frequency(tiny_frame)
    timeline = triage.analysis.timeline(tiny_frame, freq="1min", by=s.SIGNATURE)
    expected = timeline[timeline[s.BURST].astype(bool)]
    marks = [(t.meta, pd.Timestamp(x)) for t in fig.data if t.name == "burst" for x in t.x]
    assert sorted(marks) == sorted(
        (sig, pd.Timestamp(b).tz_localize(None)) for sig, b in zip(expected[s.SIGNATURE], expected[s.BUCKET]))
    assert ("sig-timeout", (T0 + pd.Timedelta(minutes=40)).tz_localize(None)) in marks
    burst = next(t for t in fig.data if t.name == "burst" and t.meta == "sig-timeout")
    # stacked: the marker sits on top of the whole stack in that bucket
    at_40 = (T0 + pd.Timedelta(minutes=40)).tz_localize(None)
    stack = sum(y for t in bars(fig) for x, y in zip(t.x, t.y) if pd.Timestamp(x) == at_40)
    assert list(burst.y) == [stack]


def test_frequency_facets_one_panel_per_signature(tiny_frame):
    fig = tp.frequency(tiny_frame, facet=True, top=2)
    axes = {t.yaxis for t in bars(fig)}
    assert len(axes) == 3
    assert len([sh for sh in fig.layout.shapes if sh.name == "deploy"]) == 3  # the switch, in each panel


def test_frequency_explicit_signatures_and_no_other(tiny_frame):
    fig = tp.frequency(tiny_frame, signatures=["sig-user"], other=False)
    assert [t.meta for t in bars(fig)] == ["sig-user"]
    assert sum(bars(fig)[0].y) == 9


# --- colours, escaping, hover, legend -------------------------------------------------------------------------------

def test_colours_come_from_the_signature_not_the_order(tiny_frame):
    fig = tp.frequency(tiny_frame)
    colours = {t.meta: t.marker.color for t in bars(fig)}
    reordered = tp.frequency(tiny_frame, signatures=list(reversed(list(colours))))
    assert {t.meta: t.marker.color for t in bars(reordered)} == colours
    users = tp.users(tiny_frame)
    drawn = {t.meta for t in users.data}
    assert {t.meta: t.marker.color for t in users.data} == {k: v for k, v in colours.items() if k in drawn}
    assert all(colours[sig] == tp.signature_color(sig) for sig in colours)
    # a fixed function of the id: known value, independent of process (no Python hash randomisation)
    assert tp.signature_color("sig-heartbeat") == tp.PALETTE[int.from_bytes(
        __import__("hashlib").sha256(b"sig-heartbeat").digest()[:4], "big") % len(tp.PALETTE)]


CHARTS = {
    "frequency": lambda f: tp.frequency(f),
    "frequency-facet": lambda f: tp.frequency(f, facet=True),
    "severity": lambda f: tp.severity(f),
    "users": lambda f: tp.users(f),
    "heatmap": lambda f: tp.users(f, kind="heatmap"),
    "periodicity": lambda f: tp.periodicity(f, signatures=["sig-heartbeat", "sig-xss"]),
    "revisions": lambda f: tp.revisions(f),
    "cascade": lambda f: tp.cascade(hand_built_chains(f)),
    "summary_table": lambda f: tp.summary_table(f),
}


@pytest.mark.parametrize("name", list(CHARTS))
def test_every_chart_escapes_log_text(tiny_frame, name):
    fig = CHARTS[name](tiny_frame)
    assert isinstance(fig, go.Figure)
    assert raw_markup(fig) == []
    if name != "severity":  # the one chart without log text
        assert any("&lt;img src=x onerror=alert(1)&gt;" in x for x in strings(fig)), "the payload shows as text"


@pytest.mark.parametrize("name", list(CHARTS))
def test_every_chart_shares_the_look(tiny_frame, name):
    fig = CHARTS[name](tiny_frame)
    assert fig.layout.template.layout.paper_bgcolor == "white"  # plotly_white
    assert "Inter" in fig.layout.font.family
    assert fig.layout.title.text


def test_titles_are_escaped(tiny_frame):
    fig = tp.severity(tiny_frame, title=XSS)
    assert fig.layout.title.text == "&lt;img src=x onerror=alert(1)&gt;"


def test_long_templates_are_cut_in_legends_but_whole_in_hover(tiny_frame):
    long = "Connection to <*> failed because " + "x" * 200
    frame = tiny_frame.copy()
    frame[s.TEMPLATE] = frame[s.TEMPLATE].where(frame[s.SIGNATURE] != "sig-user", long)
    trace = next(t for t in bars(tp.frequency(frame)) if t.meta == "sig-user")
    assert len(trace.name) < 60 and trace.name.endswith("…")
    # One hover text per point: plotly.js ignores a single string for a whole trace (the hover showed "-").
    assert set(trace.hovertext) == {
        f"<b>{long.replace('<', '&lt;').replace('>', '&gt;')}</b><br>signature total: 9 events, 3 users"}
    assert len(trace.hovertext) == len(trace.x)
    assert "%{hovertext}" in trace.hovertemplate and "%{y} events" in trace.hovertemplate


# --- severity ------------------------------------------------------------------------------------------------------

def test_severity_counts_each_level(tiny_frame):
    fig = tp.severity(tiny_frame)
    got = {t.meta: sum(t.y) for t in fig.data}
    assert got == {"INFO": 118, "WARNING": 25, "ERROR": 69, "CRITICAL": 2}
    assert [t.meta for t in fig.data] == ["INFO", "WARNING", "ERROR", "CRITICAL"]  # severity order
    assert fig.data[2].marker.color == "#e6550d"


# --- users ---------------------------------------------------------------------------------------------------------

def test_users_bar_counts_distinct_users(tiny_frame):
    fig = tp.users(tiny_frame)
    got = {t.meta: t.x[0] for t in fig.data}
    assert got == {"sig-heartbeat": 0, "sig-timeout": 5, "sig-user": 3, "sig-xss": 1}
    top = next(t for t in fig.data if t.meta == "sig-timeout").customdata[0]
    assert top[1] == 25 and "user-0" in top[2]


def test_users_heatmap_is_user_by_signature(tiny_frame):
    fig = tp.users(tiny_frame, kind="heatmap", top_users=3)
    heat = fig.data[0]
    assert len(heat.y) == 3 and len(heat.x) == 4
    counts = tiny_frame.dropna(subset=[s.USER]).groupby([s.USER, s.SIGNATURE]).size()
    for i, user in enumerate(heat.y):
        for j, sig in enumerate(heat.meta):
            assert heat.z[i][j] == counts.get((user, sig), 0)


def test_users_rejects_unknown_kind(tiny_frame):
    with pytest.raises(ValueError, match="kind"):
        tp.users(tiny_frame, kind="pie")


# --- periodicity -----------------------------------------------------------------------------------------------------

def test_periodicity_histograms_gaps_and_marks_the_period(tiny_frame):
    fig = tp.periodicity(tiny_frame, signatures=["sig-heartbeat", "sig-user"])
    hists = {t.meta: t for t in fig.data}
    assert len(hists["sig-heartbeat"].x) == 59  # 60 events, 59 gaps
    assert sorted(round(x) for x in hists["sig-user"].x) == [420] * 8
    found = triage.analysis.periodicity(tiny_frame).set_index(s.SIGNATURE)
    periods = [sh for sh in fig.layout.shapes if sh.name == "period"]
    expected = [found.at[sig, s.PERIOD_S] for sig in ("sig-heartbeat", "sig-user") if found.at[sig, s.PERIODIC]]
    assert [pytest.approx(sh.x0) for sh in periods] == expected
    assert pytest.approx(60, abs=1) == found.at["sig-heartbeat", s.PERIOD_S]


def test_periodicity_defaults_to_periodic_problem_signatures(tiny_frame):
    from triage.analysis.problems import problem_signatures

    fig = tp.periodicity(tiny_frame)
    found = triage.analysis.periodicity(tiny_frame)
    periodic = set(found.loc[found[s.PERIODIC].astype(bool), s.SIGNATURE])
    assert "sig-health" in periodic  # the health check is clockwork too, but healthy: no panel
    assert [t.meta for t in fig.data] == [sig for sig in problem_signatures(tiny_frame) if sig in periodic]
    assert "sig-heartbeat" in {t.meta for t in fig.data}


# --- revisions -----------------------------------------------------------------------------------------------------

def test_revisions_draw_rates_and_verdicts(tiny_frame):
    comparison = triage.analysis.compare_revisions(tiny_frame)
    fig = tp.revisions(comparison, templates=tiny_frame)
    assert [t.meta for t in fig.data] == ["api-00001-abc", "api-00002-def"]  # oldest first
    shown = {(t.meta, cd[0]): (x, text) for t in fig.data for x, text, cd in zip(t.x, t.text, t.customdata)}
    templates = tiny_frame.drop_duplicates(s.SIGNATURE).set_index(s.SIGNATURE)[s.TEMPLATE]
    assert len(shown) == len(comparison)
    for rec in comparison.to_dict("records"):
        key = (rec[s.REVISION], tp.plotly_text(templates[rec[s.SIGNATURE]], limit=300))
        assert shown[key] == (pytest.approx(rec[s.RATE_PER_MIN]), rec[s.VERDICT])


def test_revisions_from_the_log_frame_equals_from_the_comparison(tiny_frame):
    a = tp.revisions(tiny_frame)
    b = tp.revisions(triage.analysis.compare_revisions(tiny_frame), templates=triage.analysis.summarize(tiny_frame))
    assert [list(t.x) for t in a.data] == [list(t.x) for t in b.data]
    assert [list(t.y) for t in a.data] == [list(t.y) for t in b.data]
    assert "Timeout calling &lt;*&gt; after &lt;*&gt; ms" in a.data[1].y


# --- cascade -------------------------------------------------------------------------------------------------------

def test_cascade_links_follow_the_chains(tiny_frame):
    chains = hand_built_chains(tiny_frame)
    fig = tp.cascade(chains)
    sankey = fig.data[0]
    order = list(sankey.meta)
    expected = sum(int(n) * (len(chain) - 1) for chain, n in zip(chains[s.CHAIN], chains[s.OCCURRENCES]))
    assert sum(sankey.link.value) == expected
    first = order.index(str(chains.sort_values(s.OCCURRENCES).iloc[-1][s.FIRST_SIGNATURE]))
    assert first not in sankey.link.target  # the first domino has nothing before it
    assert sankey.node.x[first] == min(sankey.node.x)  # and is drawn leftmost
    assert all(sankey.node.color[i] == tp.signature_color(sig) for i, sig in enumerate(order))
    links = {(order[a], order[b]): v for a, b, v in zip(sankey.link.source, sankey.link.target, sankey.link.value)}
    assert links == {("sig-user", "sig-timeout"): 4, ("sig-timeout", "sig-xss"): 5, ("sig-user", "sig-heartbeat"): 2}


def test_cascade_of_the_log_frame_runs_cascades(tiny_frame):
    fig = tp.cascade(tiny_frame)
    assert len(triage.analysis.cascades(tiny_frame)) == 0
    assert fig.data == () and [a.name for a in fig.layout.annotations] == ["empty"]  # says so, draws no Sankey


# --- summary table -------------------------------------------------------------------------------------------------

def test_summary_table_rows_follow_priority(tiny_frame):
    summary = triage.analysis.summarize(tiny_frame)
    fig = tp.summary_table(summary, top=3)
    table = fig.data[0]
    assert list(table.meta) == [str(x) for x in summary[s.SIGNATURE].head(3)]
    columns = [h.replace("<b>", "").replace("</b>", "") for h in table.header.values]
    assert [int(x) for x in table.cells.values[columns.index("events")]] == summary[s.COUNT].head(3).tolist()
    assert list(table.cells.values[columns.index("#")]) == ["1", "2", "3"]  # a rank, not a unitless score
    assert "priority" not in columns


def test_summary_table_shows_short_revisions_whole_services_and_fits_every_row():
    long_service = "netra-backend-staging"
    revisions = ", ".join(f"{long_service}-0012{i}-{c}" for i, c in zip(range(1, 4), ("qzx", "lbw", "vtm")))
    summary = pd.DataFrame({
        s.SIGNATURE: ["a", "b"], s.TEMPLATE: ["x " * 200, "short"], s.COUNT: [3, 1],
        s.FIRST_SEEN: [T0, T0], s.LAST_SEEN: [T0, T0], s.MAX_SEVERITY: ["ERROR", "ERROR"], s.USERS: [1, 0],
        s.USER_SHARE: [1.0, 0.0], s.SERVICES: [long_service, long_service], s.REVISIONS: [revisions, revisions],
        s.PERIOD_S: [float("nan")] * 2, s.INCIDENTS: [1, 1], s.SAMPLE: ["x", "y"], s.PRIORITY: [2.0, 1.0],
        s.PRIORITY_REASON: ["new", "old"]})
    fig = tp.summary_table(summary)
    table = fig.data[0]
    columns = [h.replace("<b>", "").replace("</b>", "") for h in table.header.values]
    assert table.cells.values[columns.index("revisions")][0] == "00121-qzx, 00122-lbw, 00123-vtm"
    assert table.cells.values[columns.index("services")][0] == long_service
    # 200 words of template wrap over several lines: the figure is tall enough for them and the last row
    assert fig.layout.height >= 150 + 15 * (400 // 60)
