"""Delivery metrics on the real export corpus (../shared/fixtures/jira, facts in its README).

The oracle for sprint facts is computed here straight from the raw CSV with the csv module
(positional Sprint columns, last non-empty value = latest sprint), independently of the loader.
"""

import collections
import csv
import io

import pytest

from loaders.ingest import ingest_bytes
from metrics import delivery as dl

pytestmark = pytest.mark.real_exports


def ingest(store, folder, name):
    report = ingest_bytes(store, (folder / "jira" / name).read_bytes(), name)
    assert report.status == "stored", report.message
    return report.project_id


def raw_sprints(folder, name, key_header):
    """{issue key: [sprints in file order]} and the rows, read positionally from the raw CSV."""
    text = (folder / "jira" / name).read_bytes().decode("utf-8-sig")
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    header = rows[0]
    cols = [i for i, h in enumerate(header) if h == "Sprint"]
    key = header.index(key_header)
    return {r[key]: [r[i] for i in cols if i < len(r) and r[i]] for r in rows[1:]}, header, rows[1:]


def test_cloud_export_completed_per_last_sprint_matches_the_raw_file(store, real_exports):
    name = "01_cloud_allfields_en_2025-26_3storypointfields_team.csv"
    pid = ingest(store, real_exports, name)
    sprints, header, rows = raw_sprints(real_exports, name, "Issue key")
    assert sum(1 for s in sprints.values() if s) == 7  # README: 7 issues in a sprint
    cat, sp, key = header.index("Status Category"), header.index("Custom field (Story point estimate)"), 1
    oracle = collections.defaultdict(lambda: [0, 0.0])
    for r in rows:
        s = sprints[r[key]]
        if s and r[cat] == "Done":
            oracle[s[-1]][0] += 1
            oracle[s[-1]][1] += float(r[sp] or 0)
    assert dict(oracle) == {"IMPS - Service Tickets 1": [3, 7.0], "IMPS - Service Tickets 2": [3, 7.0]}
    report = dl.report(store, pid)
    got = {v["sprint"]: [v["completed_issues"], v["completed_points"]] for v in report["velocity"]}
    assert got == dict(oracle)
    planned = {v["sprint"]: v["planned_points"] for v in report["velocity"]}
    assert planned == {"IMPS - Service Tickets 1": 7.0, "IMPS - Service Tickets 2": 10.0}
    # 14 of 58 issues estimated: falls back to counts and says so
    assert report["unit"] == "issues" and any("Only 14 of" in n for n in report["notes"])


def test_spanish_export_issues_per_last_sprint(store, real_exports):
    name = "02_cloud_allfields_es-localized_crlf.csv"
    pid = ingest(store, real_exports, name)
    d = dl.dashboard(store, pid)
    per_last = dl.last_sprints(d.members).value_counts().to_dict()
    assert per_last == {"Sprint 1": 83, "Sprint 2": 12, "Sprint 3": 11}  # README
    assert d.carry_over["issues_in_sprints"] == 106 and d.carry_over["memberships"] == 106
    assert list(d.velocity["sprint"]) == ["Sprint 1", "Sprint 2", "Sprint 3"]


def test_legacy_export_memberships_and_carry_over(store, real_exports):
    name = "04_allfields_en_2017-18_8sprint-cols_parentid_components.csv"
    pid = ingest(store, real_exports, name)
    sprints, _, _ = raw_sprints(real_exports, name, "Issue key")
    in_sprint = {k: s for k, s in sprints.items() if s}
    assert len(in_sprint) == 74 and sum(len(s) for s in in_sprint.values()) == 246  # README
    d = dl.dashboard(store, pid)
    assert d.carry_over["issues_in_sprints"] == 74 and d.carry_over["memberships"] == 246
    last = dl.last_sprints(d.members)
    assert last.to_dict() == {k: s[-1] for k, s in in_sprint.items()}
    raw_last = collections.Counter(s[-1] for s in in_sprint.values())
    v = d.velocity.set_index("sprint")
    # every issue is counted once, in its last sprint: completed ≤ issues whose last sprint it is
    for sprint, n in raw_last.items():
        assert v.loc[sprint, "completed_issues"] <= n
    # carry-over per issue = memberships - 1
    assert sum(len(s) - 1 for s in in_sprint.values()) == 246 - 74
    # sprints of one track come out in calendar order
    snap = [s for s in v.index if s.startswith("SNAP ")]
    assert snap.index("SNAP October 2017") < snap.index("SNAP November 2017") < snap.index("SNAP February 2018")
    cal = d.calendar.set_index("sprint")
    assert cal["start"].notna().all() and (cal["finish"] >= cal["start"]).all()


def test_kanban_export_gets_throughput_and_a_forecast(store, real_exports):
    pid = ingest(store, real_exports, "12_cloud_allfields_en_kanban_no-sprint_pt-content_219rows.csv")
    report = dl.report(store, pid)
    assert report["velocity"] == []
    assert sum(t["issues"] for t in report["throughput"]) > 0
    assert report["lead_time_days"]["n"] > 0 and report["lead_time_days"]["p50"] <= report["lead_time_days"]["p95"]
    fc = report["forecast"]
    assert fc["unit"] == "issues" and fc["remaining_issues"] > 0
    assert fc["p50"] is not None and fc["p50"] <= fc["p85"] <= fc["p95"]
    assert any("no story points" in n for n in report["notes"])


def test_german_html_export_story_points_and_sprints(store, real_exports):
    pid = ingest(store, real_exports, "13_html-disguised-xls_de-localized_2016.xls")
    d = dl.dashboard(store, pid)
    assert d.carry_over["issues_in_sprints"] == 36  # README
    raw_points = d.items["story_points"]
    assert raw_points.notna().sum() == 17 and raw_points.sum() == pytest.approx(28.6)  # README
    # counted points never exceed the raw sum (sub-tasks do not double count)
    assert d.items["points"].sum() <= 28.6 + 1e-9


def test_spanish_export_has_no_done_issue_and_the_forecast_says_why(store, real_exports):
    """Fixture 02 holds no finished work: the raw file's `Categoría de estado` is only `Por hacer`
    (93) or `En curso` (13) and `Resuelta` is empty on every row, so zero Done is the truth."""
    name = "02_cloud_allfields_es-localized_crlf.csv"
    _, header, rows = raw_sprints(real_exports, name, "Clave de incidencia")
    cat, resolved = header.index("Categoría de estado"), header.index("Resuelta")
    assert collections.Counter(r[cat] for r in rows) == {"Por hacer": 93, "En curso": 13}
    assert not any(r[resolved] for r in rows)
    pid = ingest(store, real_exports, name)
    d = dl.dashboard(store, pid)
    assert d.items["status_category"].value_counts().to_dict() == {"To Do": 93, "In Progress": 13}
    assert not d.items["is_done"].any() and d.throughput.empty and d.lead_percentiles["n"] == 0
    assert d.velocity["completed_issues"].sum() == 0
    assert d.forecast["p50"] is None and d.forecast["remaining_issues"] == 35
    assert d.forecast["reason"].startswith("no issue is done yet")
