"""Delivery metrics on hand-built frames and a hand-built snapshot sequence."""

import datetime as dt
import hashlib
import json

import pandas as pd
import pytest

from loaders import jira
from loaders.jira.vocabulary import issue_kind
from metrics import MetricsError
from metrics import delivery as dl

D = dt.date
AS_OF = D(2026, 3, 1)  # a Sunday


def issue(key, sp=None, cat="To Do", created="2026-01-05", resolved=None, sprints=(), **extra):
    row = {
        "issue_key": key,
        "issue_type": extra.pop("issue_type", "Story"),
        "is_subtask": extra.pop("is_subtask", None),
        "status": extra.pop("status", {"Done": "Done", "In Progress": "In Progress"}.get(cat, "Open")),
        "status_category": cat,
        "created": pd.Timestamp(created),
        "updated": pd.Timestamp(resolved or created),
        "resolved": pd.Timestamp(resolved) if resolved else pd.NaT,
        "story_points": sp,
        "parent_key": extra.pop("parent_key", None),
        "epic_key": extra.pop("epic_key", None),
        "fix_versions": extra.pop("fix_versions", None),
        "sprint": sprints[-1] if sprints else None,
        "sprint_count": len(sprints),
        "team": extra.pop("team", None),
        "summary": f"summary {key}",
        "assignee": None,
    }
    row["issue_kind"] = issue_kind(row["issue_type"], bool(row["is_subtask"]))  # as the Jira loader stores it
    row["_sprints"] = list(sprints)
    return row


def frames(rows):
    issues = pd.DataFrame(rows)
    sprints = pd.DataFrame(
        [{"issue_key": r["issue_key"], "sprint": s, "position": i} for r in rows for i, s in enumerate(r["_sprints"])],
        columns=["issue_key", "sprint", "position"],
    )
    return issues.drop(columns="_sprints"), sprints


SCRUM = [
    issue("P-1", 3, "Done", "2026-01-02", "2026-01-14", ["Sprint 1"]),
    issue("P-2", 5, "Done", "2026-01-02", "2026-01-27", ["Sprint 1", "Sprint 2"]),
    issue("P-3", 2, "Done", "2026-01-03", "2026-01-28", ["Sprint 2"]),
    issue("P-4", 8, "In Progress", "2026-01-03", None, ["Sprint 1", "Sprint 2", "Sprint 10"]),
    issue("P-5", 1, "Done", "2026-01-20", "2026-02-10", ["Sprint 10"]),
    issue("P-6", None, "To Do", "2026-02-01"),
    # a sub-task with points under a parent that has points: never double counted
    issue("P-7", 2, "Done", "2026-01-04", "2026-01-12", ["Sprint 1"], issue_type="Sub-task", parent_key="P-1"),
    # a sub-task whose parent has no points: its points count, it is not an item
    issue("P-8", 1, "Done", "2026-02-02", "2026-02-09", ["Sprint 10"], issue_type="Subtarea", parent_key="P-6"),
    issue("P-9", 13, "To Do", "2026-01-01", issue_type="Epic"),
]


def test_prepare_subtask_and_epic_rules():
    items = dl.prepare(frames(SCRUM)[0])
    by = items.set_index("issue_key")
    assert by.loc["P-7", "is_subtask"] and not by.loc["P-7", "is_item"] and by.loc["P-7", "points"] == 0
    assert by.loc["P-8", "is_subtask"] and not by.loc["P-8", "is_item"] and by.loc["P-8", "points"] == 1
    assert by.loc["P-9", "is_epic"] and not by.loc["P-9", "is_item"] and by.loc["P-9", "points"] == 0
    assert by.loc["P-6", "points"] == 0 and not by.loc["P-6", "estimated"]
    assert items["points"].sum() == 3 + 5 + 2 + 8 + 1 + 1
    assert by.loc["P-1", "done_at"] == pd.Timestamp("2026-01-14")
    assert by.loc["P-4", "in_progress"] and not by.loc["P-4", "is_done"]


def test_orphan_subtask_is_an_item():
    items = dl.prepare(
        pd.DataFrame([issue("X-2", 3, "Done", resolved="2026-01-10", issue_type="Sub-task", parent_key="X-1")])
    )
    assert items["is_item"].iloc[0] and items["points"].iloc[0] == 3


def test_done_statuses_override_category():
    rows = [issue("A-1", 1, "In Progress", status="Ready for release"), issue("A-2", 1, "Done", status="Won't do")]
    items = dl.prepare(pd.DataFrame(rows), done_statuses=["ready for release"])
    assert list(items["is_done"]) == [True, False]


def test_sprint_order_uses_membership_order_and_natural_names():
    _, sprints = frames(SCRUM)
    assert dl.sprint_order(sprints) == ["Sprint 1", "Sprint 2", "Sprint 10"]
    # membership order beats names
    odd = pd.DataFrame({"issue_key": ["a", "a"], "sprint": ["Zeta", "Alpha"], "position": [0, 1]})
    assert dl.sprint_order(odd) == ["Zeta", "Alpha"]


def test_velocity_completed_by_last_sprint_planned_and_carry_over():
    issues, sprints = frames(SCRUM)
    items = dl.prepare(issues)
    members = dl.memberships(items, sprints)
    v = dl.velocity(items, members, as_of=AS_OF).set_index("sprint")
    assert list(v.index) == ["Sprint 1", "Sprint 2", "Sprint 10"]
    # Sprint 1: only P-1 finished there (P-2 finished in Sprint 2); P-7 is a sub-task of P-1 (0 points)
    assert v.loc["Sprint 1", "completed_points"] == 3 and v.loc["Sprint 1", "completed_issues"] == 1
    assert v.loc["Sprint 2", "completed_points"] == 5 + 2 and v.loc["Sprint 2", "completed_issues"] == 2
    assert v.loc["Sprint 10", "completed_points"] == 1 + 1 and v.loc["Sprint 10", "completed_issues"] == 1
    # planned (approx.) = every item listing the sprint
    assert v.loc["Sprint 1", "planned_points"] == 3 + 5 + 8 and v.loc["Sprint 1", "planned_issues"] == 3
    assert v.loc["Sprint 1", "carried_over_issues"] == 2  # P-2 and P-4 moved on
    assert v.loc["Sprint 2", "carried_over_issues"] == 1
    # Sprint 10 still holds unfinished P-4: not closed, so not in the rolling average
    assert list(v["closed"]) == [True, True, False]
    assert v.loc["Sprint 2", "rolling_points"] == pytest.approx(5.0)
    c = dl.carry_over(items, members)
    assert c["memberships"] == 10 and c["carry_overs"] == 1 + 2 and c["carried_over_issues"] == 2
    assert c["issues_in_sprints"] == 7


def test_kanban_has_no_velocity_but_throughput_and_forecast():
    rows = [issue(f"K-{i}", None, "Done", "2026-01-05", f"2026-01-{5 + 2 * i:02d}") for i in range(10)]
    rows += [issue(f"K-{i}", None, "To Do", "2026-02-01") for i in range(10, 16)]
    issues, sprints = frames(rows)
    items = dl.prepare(issues)
    members = dl.memberships(items, sprints)
    assert dl.velocity(items, members).empty
    assert dl.infer_sprint_calendar(items, members, AS_OF).empty
    unit, note = dl.choose_unit(items)
    assert unit == "issues" and "no story points" in note
    t = dl.weekly_throughput(items, AS_OF)
    assert t["issues"].sum() == 10 and t["points"].sum() == 0
    assert t["week"].iloc[0] == D(2026, 1, 5) and t["week"].iloc[-1] == D(2026, 2, 23)
    f = dl.forecast(items, AS_OF, unit)
    assert f["remaining_issues"] == 6 and f["p50"] is not None and f["p50"] > AS_OF


def test_unit_falls_back_to_counts_when_few_points():
    rows = [issue("A-1", 3), issue("A-2"), issue("A-3"), issue("A-4")]
    unit, note = dl.choose_unit(dl.prepare(pd.DataFrame(rows)))
    assert unit == "issues" and "Only 1 of 4" in note
    unit, note = dl.choose_unit(dl.prepare(pd.DataFrame(rows[:2])))
    assert unit == "points" and note is None


def test_throughput_weeks_lead_time_wip_and_flow():
    issues, _ = frames(SCRUM)
    items = dl.prepare(issues)
    t = dl.weekly_throughput(items, AS_OF).set_index("week")
    assert t.loc[D(2026, 1, 12), "issues"] == 1 and t.loc[D(2026, 1, 12), "points"] == 3  # P-1 (+P-7 sub-task: 0)
    assert t.loc[D(2026, 1, 26), "issues"] == 2 and t.loc[D(2026, 1, 26), "points"] == 7
    assert t.loc[D(2026, 2, 9), "issues"] == 1 and t.loc[D(2026, 2, 9), "points"] == 2  # P-5 + P-8's point
    assert t["complete"].all()  # as_of is a Sunday
    lead = dl.lead_times(items, AS_OF)
    assert sorted(lead["lead_time_days"]) == [12.0, 21.0, 25.0, 25.0]
    pct = dl.lead_time_percentiles(lead)
    assert pct["p50"] == 23.0 and pct["n"] == 4 and pct["p95"] == 25.0
    assert dl.lead_time_percentiles(lead.iloc[0:0]) == {"p50": None, "p85": None, "p95": None, "mean": None, "n": 0}
    wip = dl.wip_now(items, AS_OF)
    assert list(wip["issue_key"]) == ["P-4"] and wip["age_days"].iloc[0] == (AS_OF - D(2026, 1, 3)).days
    flow = dl.created_vs_resolved(items, AS_OF)
    assert flow["created"].sum() == 6 and flow["resolved"].sum() == 4 and flow["open"].iloc[-1] == 2


def test_as_of_hides_later_completions():
    items = dl.prepare(frames(SCRUM)[0])
    early = D(2026, 1, 20)
    assert dl.weekly_throughput(items, early)["issues"].sum() == 1
    assert len(dl.lead_times(items, early)) == 1


def test_inferred_calendar_from_resolution_dates():
    issues, sprints = frames(SCRUM)
    items = dl.prepare(issues)
    members = dl.memberships(items, sprints)
    cal = dl.infer_sprint_calendar(items, members, AS_OF).set_index("sprint")
    assert cal.loc["Sprint 1", "finish"] == D(2026, 1, 14)
    assert cal.loc["Sprint 2", "start"] == D(2026, 1, 15) and cal.loc["Sprint 2", "finish"] == D(2026, 1, 28)
    assert cal.loc["Sprint 10", "start"] == D(2026, 1, 29)
    # cadence 14 days: Sprint 1 starts 13 days before its finish but not after its first completion (Jan 12)
    assert cal.loc["Sprint 1", "start"] == D(2026, 1, 1)
    assert cal.loc["Sprint 10", "finish"] >= D(2026, 2, 11)
    assert set(cal["origin"]) == {"inferred"}


def test_user_edits_are_marked_and_override_inferred():
    issues, sprints = frames(SCRUM)
    items = dl.prepare(issues)
    inferred = dl.infer_sprint_calendar(items, dl.memberships(items, sprints), AS_OF)
    edited = inferred.copy()
    edited.loc[0, "start"] = D(2026, 1, 5)
    edited.loc[1, "goal"] = "  "  # an emptied cell is no edit
    marked = dl.mark_user_edits(edited, inferred)
    assert list(marked["origin"]) == ["user", "inferred", "inferred"]
    assert dl.calendar_problems(edited) == []
    edited.loc[2, "finish"] = D(2026, 1, 1)
    assert dl.calendar_problems(edited) == ["Sprint 10: the finish 2026-01-01 is before the start 2026-01-29."]
    merged = dl.merge_calendar(inferred, marked)
    assert merged.set_index("sprint").loc["Sprint 1", "start"] == D(2026, 1, 5)
    assert list(merged["sprint"]) == ["Sprint 1", "Sprint 2", "Sprint 10"]


def test_burn_approx_from_created_and_resolved():
    items = dl.prepare(frames(SCRUM)[0])
    burn = dl.burn_approx(items, "points", D(2026, 1, 1), AS_OF).set_index("date")
    assert burn.loc[D(2026, 1, 1), "scope"] == 0 + 0  # P-9 epic: 0 points
    assert burn.loc[D(2026, 1, 3), "scope"] == 3 + 5 + 2 + 8
    assert burn.loc[AS_OF, "scope"] == 20 and burn.loc[AS_OF, "done"] == 12 and burn.loc[AS_OF, "remaining"] == 8
    assert not burn["exact"].any()
    assert (burn["remaining"] >= 0).all()


def test_burn_exact_scope_added_removed_and_reestimated():
    def snap(day, rows):
        f = pd.DataFrame(rows).drop(columns="_sprints")
        return f.assign(snapshot_as_of=pd.Timestamp(day))

    history = pd.concat(
        [
            snap(
                "2026-02-02",
                [
                    issue("S-1", 3, sprints=["Sprint 5"]),
                    issue("S-2", 5, sprints=["Sprint 5"]),
                    issue("S-3", 2, sprints=["Sprint 5"]),
                ],
            ),
            # S-1 done, S-4 (8) added mid-sprint, S-3 removed from the sprint (moved to backlog)
            snap(
                "2026-02-06",
                [
                    issue("S-1", 3, "Done", resolved="2026-02-05", sprints=["Sprint 5"]),
                    issue("S-2", 5, sprints=["Sprint 5"]),
                    issue("S-3", 2),
                    issue("S-4", 8, created="2026-02-04", sprints=["Sprint 5"]),
                ],
            ),
            # S-2 re-estimated 5 -> 3 and done; S-4 deleted from Jira entirely
            snap(
                "2026-02-13",
                [
                    issue("S-1", 3, "Done", resolved="2026-02-05", sprints=["Sprint 5"]),
                    issue("S-2", 3, "Done", resolved="2026-02-12", sprints=["Sprint 5"]),
                    issue("S-3", 2),
                ],
            ),
        ]
    )
    burn = dl.burn_exact(history, "points", lambda f: f["sprint"].astype("str").eq("Sprint 5"))
    assert list(burn["date"]) == [D(2026, 2, 2), D(2026, 2, 6), D(2026, 2, 13)]
    assert list(burn["scope"]) == [10, 16, 6]
    assert list(burn["done"]) == [0, 3, 6]
    assert list(burn["remaining"]) == [10, 13, 0]
    assert list(burn["added"]) == [0, 8, 0]
    assert list(burn["removed"]) == [0, 2, 8]
    assert list(burn["reestimated"]) == [0, 0, -2]
    assert list(burn["scope_change"]) == [0, 6, -10]
    # scope accounting closes: scope_t = scope_{t-1} + scope_change_t
    assert (burn["scope"].diff().fillna(0) == burn["scope_change"]).all()
    counts = dl.burn_exact(history, "issues", lambda f: f["sprint"].astype("str").eq("Sprint 5"))
    assert list(counts["scope"]) == [3, 3, 2] and list(counts["added"]) == [0, 1, 0]


def test_a_history_is_judged_snapshot_by_snapshot():
    """prepare, the epic scope, burn_exact and forecast_history take a whole history at once, and
    each row is judged within its own snapshot: a sub-task's parent (and its points) and an epic's
    children are those of the same snapshot, never of another one."""
    first = [
        issue("E-1", issue_type="Epic"),
        issue("A-1", 5, epic_key="E-1"),  # A-1 carries points and is the epic's child...
        issue("A-2", 3, issue_type="Sub-task", parent_key="A-1"),  # ...so A-2's points do not count
        issue("B-1", 2, "Done", resolved="2026-01-20"),
    ]
    second = [
        issue("E-1", issue_type="Epic"),
        issue("A-1", None),  # A-1 lost its estimate and left the epic: A-2's points count, outside it
        issue("A-2", 3, issue_type="Sub-task", parent_key="A-1"),
        issue("B-1", 2, "Done", resolved="2026-01-20"),
        issue("B-2", 1, "Done", resolved="2026-02-03", epic_key="E-1"),
    ]
    days = [pd.Timestamp("2026-01-26"), pd.Timestamp("2026-02-09")]
    snaps = [frames(rows)[0].assign(snapshot_as_of=day) for rows, day in zip([first, second], days, strict=True)]
    history = pd.concat(snaps, ignore_index=True)
    together = dl.prepare(history)
    apart = pd.concat([dl.prepare(s) for s in snaps], ignore_index=True)
    pd.testing.assert_frame_equal(together, apart)
    assert list(together["points"]) == [0, 5, 0, 2, 0, 0, 3, 2, 1]
    in_epic = dl.scope_mask(together, "epic", "E-1")
    assert list(together.loc[in_epic, "issue_key"]) == ["A-1", "A-2", "B-2"]  # A-2 only while A-1 was a child
    burn = dl.burn_exact(history, "points", lambda f: dl.scope_mask(f, "epic", "E-1"))
    assert list(burn["scope"]) == [5, 1] and list(burn["done"]) == [0, 1]
    assert list(burn["removed"]) == [0, 5] and list(burn["added"]) == [0, 1]
    whole = dl.burn_exact(history, "points")
    assert list(whole["scope"]) == [7, 6] and list(whole["added"]) == [0, 4] and list(whole["reestimated"]) == [0, -5]
    past = dl.forecast_history(history, "points", "epic", "E-1")
    assert list(past["remaining"]) == [5, 0]
    assert past["actual_finish"].iloc[0] == days[1].date()
    for day, snap in zip(days, snaps, strict=True):  # each row is the forecast that snapshot alone gives
        items = dl.prepare(snap)
        alone = dl.forecast(items, day.date(), "points", dl.scope_mask(items, "epic", "E-1"))
        row = past[past["snapshot_as_of"] == day.date()].iloc[0]
        assert (row["remaining"], row["p50"], row["p85"], row["p95"]) == (
            alone["remaining_points"],
            alone["p50"],
            alone["p85"],
            alone["p95"],
        )


def test_a_history_without_issue_keys_is_prepared():
    """Rows without an issue key (a damaged export) have no parent to look up, in one snapshot or many."""
    rows = pd.DataFrame({"issue_key": [None, None], "parent_key": [None, "A"], "story_points": [1.0, 2.0]})
    for frame in (rows, rows.assign(snapshot_as_of=pd.Timestamp("2026-01-05"))):
        items = dl.prepare(frame)
        assert list(items["points"]) == [1.0, 2.0] and items["is_item"].all()


def test_cone_runs_from_done_now_to_scope_at_each_percentile():
    burn = pd.DataFrame({"date": [D(2026, 2, 1), AS_OF], "scope": [10.0, 20.0], "done": [2.0, 8.0]})
    fc = {"p50": D(2026, 4, 1), "p85": D(2026, 4, 20), "p95": D(2026, 5, 1)}
    c = dl.cone(burn, fc, AS_OF)
    lines = c[c["percentile"] != "range"]
    assert set(lines["percentile"]) == {"P50", "P85", "P95"}
    assert lines.loc[lines["date"] == AS_OF, "value"].eq(8.0).all()
    assert lines.loc[lines["date"] == D(2026, 5, 1), "value"].iloc[0] == 20.0
    area = c[c["percentile"] == "range"].set_index("date")
    assert (area["low"] <= area["high"]).all() and area.loc[D(2026, 4, 1), "high"] == 20.0
    assert dl.cone(burn, {"p50": None}, AS_OF).empty


def test_scope_filters_version_and_epic():
    rows = [
        issue("E-1", issue_type="Epic"),
        issue("A-1", 2, epic_key="E-1", fix_versions="1.0, 2.0"),
        issue("A-2", 3, parent_key="E-1", fix_versions="2.0"),
        issue("A-3", 1, issue_type="Sub-task", parent_key="A-2"),
        issue("A-4", 5),
    ]
    items = dl.prepare(pd.DataFrame(rows))
    opts = dl.scope_options(items)
    assert opts == {"version": ["1.0", "2.0"], "epic": ["E-1"]}
    assert list(items.loc[dl.scope_mask(items, "version", "2.0"), "issue_key"]) == ["A-1", "A-2"]
    assert list(items.loc[dl.scope_mask(items, "epic", "E-1"), "issue_key"]) == ["A-1", "A-2", "A-3"]
    left = dl.remaining_scope(items, dl.scope_mask(items, "epic", "E-1"))
    assert left == {"remaining_points": 5.0, "remaining_issues": 2, "unestimated_issues": 0}


# -- through the store ---------------------------------------------------------------------------


def write_jira(store, project, day, rows):
    issues, sprints = frames(rows)
    issues = issues.assign(project_id=project)
    sprints = sprints.assign(project_id=project)
    payload = json.dumps([str(day), issues.astype(str).values.tolist()]).encode()
    store.write_upload(
        source="jira",
        fmt="test",
        file_name=f"{project}-{day}.csv",
        sha256=hashlib.sha256(payload).hexdigest(),
        project_id=project,
        as_of=day,
        tables={"issues": issues, "issue_sprints": sprints},
        problems=pd.DataFrame(columns=["row_number", "column_name", "value", "severity", "message"]),
        rows_loaded=len(issues),
        rows_rejected=0,
    )


def test_report_json_shape_and_cli(store, capsys):
    write_jira(store, "ALPHA", AS_OF, SCRUM)
    r = dl.report(store, "ALPHA")
    assert r["project_id"] == "ALPHA" and r["as_of"] == AS_OF and r["unit"] == "points"
    assert [v["sprint"] for v in r["velocity"]] == ["Sprint 1", "Sprint 2", "Sprint 10"]
    assert r["velocity"][1]["closed"] is True and r["velocity"][1]["completed_points"] > 0
    assert r["velocity"][1]["planned_points_approximate"] is True
    assert {"sprint", "completed_points", "completed_issues", "planned_points"} <= set(r["velocity"][0])
    assert {"week", "issues", "points"} <= set(r["throughput"][0])
    assert r["lead_time_days"]["p50"] == 23.0
    fc = r["forecast"]
    assert fc["remaining_points"] == 8 and fc["remaining_issues"] == 2
    assert fc["p50"] is not None and fc["p50"] <= fc["p85"] <= fc["p95"]
    assert dl.report(store, "ALPHA") == r  # seeded: reproducible
    from metrics.__main__ import main

    assert main(["delivery", "--project", "ALPHA", "--db", store.path, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["forecast"]["p85"] == fc["p85"].isoformat()
    with pytest.raises(MetricsError):
        dl.report(store, "NOPE")
    with pytest.raises(MetricsError):
        dl.report(store, "ALPHA", as_of=D(2025, 1, 1))


def test_exact_sprint_burndown_and_forecast_history_through_store(store):
    base = [
        issue("S-1", 3, sprints=["Sprint 5"]),
        issue("S-2", 5, sprints=["Sprint 5"]),
        issue("S-3", 2, sprints=["Sprint 5"]),
    ]
    write_jira(store, "BETA", D(2026, 2, 2), base)
    write_jira(
        store,
        "BETA",
        D(2026, 2, 6),
        [
            issue("S-1", 3, "Done", resolved="2026-02-05", sprints=["Sprint 5"]),
            issue("S-2", 5, sprints=["Sprint 5"]),
            issue("S-3", 2),
            issue("S-4", 8, created="2026-02-04", sprints=["Sprint 5"]),
        ],
    )
    write_jira(
        store,
        "BETA",
        D(2026, 2, 13),
        [
            issue("S-1", 3, "Done", resolved="2026-02-05", sprints=["Sprint 5"]),
            issue("S-2", 5, "Done", resolved="2026-02-12", sprints=["Sprint 5"]),
            issue("S-3", 2),
            issue("S-4", 8, "Done", created="2026-02-04", resolved="2026-02-13", sprints=["Sprint 5"]),
        ],
    )
    d = dl.dashboard(store, "BETA", D(2026, 2, 13))
    assert d.snapshots == 3
    burn, caption = dl.sprint_burndown(d, "Sprint 5")
    assert caption.startswith("Exact")
    assert list(burn["remaining"]) == [10, 13, 0]
    assert list(burn["added"]) == [0, 8, 0] and list(burn["removed"]) == [0, 2, 0]
    up, cone, fc, cap = dl.burnup(d)
    assert cap.startswith("Exact") and list(up["scope"]) == [10, 18, 18]
    assert fc["remaining_points"] == 2
    assert cone.empty == (fc["p50"] is None)
    assert cone["value"].dropna().le(18).all() and cone["high"].dropna().le(18).all()  # never above the scope
    # as of an earlier date, only the first snapshot exists: approximate
    early = dl.dashboard(store, "BETA", D(2026, 2, 3))
    assert early.snapshots == 1 and dl.burnup(early)[3].startswith("Approximate")
    hist = dl.forecast_history(d.history, "points")
    assert list(hist["snapshot_as_of"]) == [D(2026, 2, 2), D(2026, 2, 6), D(2026, 2, 13)]
    assert list(hist["remaining"]) == [10, 15, 2]
    assert hist.equals(dl.forecast_history(d.history, "points"))


def test_sprint_calendar_roundtrip_through_store(store):
    write_jira(store, "GAMMA", AS_OF, SCRUM)
    cal, inferred = dl.sprint_calendar(store, "GAMMA", AS_OF)
    assert list(cal["sprint"]) == ["Sprint 1", "Sprint 2", "Sprint 10"]
    edited = cal.copy()
    edited.loc[2, "finish"] = D(2026, 2, 25)
    edited.loc[2, "goal"] = "Ship it"
    saved = dl.save_sprint_calendar(store, "GAMMA", edited, inferred)
    assert list(saved["origin"]) == ["inferred", "inferred", "user"]
    cal2, _ = dl.sprint_calendar(store, "GAMMA", AS_OF)
    row = cal2.set_index("sprint").loc["Sprint 10"]
    assert row["finish"] == D(2026, 2, 25) and row["goal"] == "Ship it" and row["origin"] == "user"
    d = dl.dashboard(store, "GAMMA", AS_OF)
    assert d.velocity.set_index("sprint").loc["Sprint 10", "closed"]  # finish 25 Feb < as_of
    burn, caption = dl.sprint_burndown(d, "Sprint 10")
    assert caption.startswith("Approximate") and "entered by the user" in caption
    assert burn["date"].iloc[-1] == D(2026, 2, 25)


def test_team_filter_and_kanban_dashboard(store):
    rows = [
        issue(f"K-{i}", None, "Done", "2026-01-05", f"2026-01-{5 + 2 * i:02d}", team="Blue" if i % 2 else "Red")
        for i in range(10)
    ] + [issue("K-99", None, "In Progress", "2026-02-20", team="Red")]
    write_jira(store, "KAN", AS_OF, rows)
    d = dl.dashboard(store, "KAN")
    assert d.teams == ["Blue", "Red"] and d.velocity.empty and d.unit == "issues"
    assert any("no story points" in n for n in d.notes) and any("Kanban" in n for n in d.notes)
    assert d.forecast["remaining_issues"] == 1 and d.forecast["p50"] is not None
    red = dl.dashboard(store, "KAN", team="Red")
    assert red.throughput["issues"].sum() == 5 and len(red.wip) == 1


def test_as_of_after_the_snapshot_measures_at_the_snapshot_date(store):
    """The sidebar as-of only chooses the snapshot: weeks after it are not zero-throughput weeks."""
    write_jira(store, "LATE", AS_OF, SCRUM)
    at_snap = dl.dashboard(store, "LATE", AS_OF)
    later = dl.dashboard(store, "LATE", AS_OF + dt.timedelta(weeks=6))
    assert later.snapshot_as_of == AS_OF and later.as_of == AS_OF + dt.timedelta(weeks=6)
    assert later.forecast == at_snap.forecast and later.forecast["p50"] is not None
    pd.testing.assert_frame_equal(later.wip, at_snap.wip)
    pd.testing.assert_frame_equal(later.throughput, at_snap.throughput)
    pd.testing.assert_frame_equal(later.flow, at_snap.flow)
    pd.testing.assert_frame_equal(later.velocity, at_snap.velocity)
    assert dl.burnup(later)[2] == dl.burnup(at_snap)[2]
    assert later.measured_as_of == AS_OF == at_snap.measured_as_of
    assert any("measured at the snapshot date" in n for n in later.notes)
    r = dl.report(store, "LATE", as_of=AS_OF + dt.timedelta(weeks=6))
    assert r["measured_as_of"] == AS_OF and r["forecast"]["p85"] == at_snap.forecast["p85"]


def test_recent_velocity_and_status_options():
    items = dl.prepare(frames(SCRUM)[0])
    members = dl.memberships(items, frames(SCRUM)[1])
    vel = dl.velocity(items, members, dl.sprint_order(members))
    closed = vel[vel["closed"]]
    assert list(closed["sprint"]) == ["Sprint 1", "Sprint 2"]
    assert dl.recent_velocity(vel, "points") == pytest.approx(closed["completed_points"].astype(float).mean())
    assert dl.recent_velocity(vel, "issues") == pytest.approx(closed["completed_issues"].astype(float).tail(3).mean())
    assert dl.recent_velocity(vel, "points") == closed["rolling_points"].iloc[-1]  # the chart's line, one definition
    assert dl.recent_velocity(vel.assign(closed=False), "points") is None
    assert dl.recent_velocity(vel.iloc[0:0], "points") is None
    assert dl.status_options(items) == ["Done", "In Progress", "Open"]


def test_sprint_burndown_baseline_on_or_before_start_plus_snapshots_inside_the_window(store):
    """Weekly snapshots on Fridays, sprint 14-27 Nov: the snapshot of 13 Nov (planned, nothing done)
    is the baseline, 20 Nov is inside the window; 27 Nov closes it. An issue carried over to the next
    sprint still counts as unfinished scope of this one. A sprint listed in one snapshot only, with
    a baseline that does not list it yet, is approximate and the caption says exactly why."""
    s11 = ["Sprint 10", "Sprint 11"]
    write_jira(store, "CRM", D(2026, 11, 6), [issue("C-1", 5, "In Progress", sprints=["Sprint 10"])])
    write_jira(
        store,
        "CRM",
        D(2026, 11, 13),
        [
            issue("C-1", 5, "Done", resolved="2026-11-12", sprints=["Sprint 10"]),
            issue("C-2", 3, sprints=["Sprint 11"]),
            issue("C-3", 8, sprints=["Sprint 11"]),
            issue("C-4", 2, sprints=["Sprint 12"]),
        ],
    )
    write_jira(
        store,
        "CRM",
        D(2026, 11, 20),
        [
            issue("C-1", 5, "Done", resolved="2026-11-12", sprints=["Sprint 10"]),
            issue("C-2", 3, "Done", resolved="2026-11-18", sprints=["Sprint 11"]),
            issue("C-3", 8, sprints=["Sprint 11"]),
            issue("C-5", 1, created="2026-11-17", sprints=["Sprint 11"]),
            issue("C-4", 2, sprints=["Sprint 12"]),
        ],
    )
    write_jira(
        store,
        "CRM",
        D(2026, 11, 27),
        [
            issue("C-1", 5, "Done", resolved="2026-11-12", sprints=["Sprint 10"]),
            issue("C-2", 3, "Done", resolved="2026-11-18", sprints=["Sprint 11"]),
            issue("C-3", 8, "In Progress", sprints=[*s11, "Sprint 12"]),
            issue("C-5", 1, "Done", created="2026-11-17", resolved="2026-11-24", sprints=["Sprint 11"]),
            issue("C-4", 2, sprints=["Sprint 12"]),
        ],
    )
    assert dl.sprint_snapshots([D(2026, 11, d) for d in (6, 13, 20, 27)], D(2026, 11, 14), D(2026, 11, 27)) == [
        D(2026, 11, 13),
        D(2026, 11, 20),
        D(2026, 11, 27),
    ]
    d = dl.dashboard(store, "CRM", D(2026, 11, 27))
    d.calendar = pd.DataFrame(
        {
            "sprint": ["Sprint 10", "Sprint 11", "Sprint 12"],
            "start": [D(2026, 10, 31), D(2026, 11, 14), D(2026, 11, 28)],
            "finish": [D(2026, 11, 13), D(2026, 11, 27), D(2026, 12, 11)],
            "goal": None,
            "origin": "user",
        }
    )
    burn, caption = dl.sprint_burndown(d, "Sprint 11")
    assert caption.startswith("Exact: 3 snapshots (13 Nov 2026, 20 Nov 2026, 27 Nov 2026)") and "baseline" in caption
    assert list(burn["date"]) == [D(2026, 11, 13), D(2026, 11, 20), D(2026, 11, 27)]
    assert list(burn["scope"]) == [11, 12, 12] and list(burn["done"]) == [0, 3, 4]
    assert list(burn["remaining"]) == [11, 9, 8]  # C-3 carried over: still unfinished scope of Sprint 11
    assert list(burn["added"]) == [0, 1, 0] and burn["exact"].all()
    # as of 20 Nov: baseline + one snapshot inside the window is already exact
    d20 = dl.dashboard(store, "CRM", D(2026, 11, 20))
    d20.calendar = d.calendar
    burn, caption = dl.sprint_burndown(d20, "Sprint 11")
    assert caption.startswith("Exact: 2 snapshots") and list(burn["remaining"]) == [11, 9]
    # Sprint 12 is listed from 13 Nov, long before it starts: baseline 27 Nov, nothing inside yet
    burn, caption = dl.sprint_burndown(d, "Sprint 12")
    assert caption.startswith("Approximate (only the snapshot of 27 Nov 2026 lists this sprint")
    # a sprint planned only after the baseline snapshot and seen once inside the window: approximate, and why
    sh = d20.sprint_history
    d20.sprint_history = sh[
        ~(sh["snapshot_as_of"].astype(str).str.startswith("2026-11-13") & sh["sprint"].eq("Sprint 11"))
    ]
    burn, caption = dl.sprint_burndown(d20, "Sprint 11")
    assert caption.startswith(
        "Approximate (only the snapshot of 20 Nov 2026 lists this sprint; the baseline snapshot of 13 Nov 2026"
    )
    assert not burn["exact"].any()


def test_default_sprint_needs_two_days_of_data_in_the_open_sprint(store):
    write_jira(
        store,
        "CRM",
        D(2026, 11, 20),
        [issue("C-1", 5, "Done", resolved="2026-11-12", sprints=["Sprint 10"]), issue("C-2", 3, sprints=["Sprint 11"])],
    )
    d = dl.dashboard(store, "CRM", D(2026, 11, 20))
    cal = pd.DataFrame(
        {
            "sprint": ["Sprint 10", "Sprint 11"],
            "start": [D(2026, 10, 31), D(2026, 11, 14)],
            "finish": [D(2026, 11, 13), D(2026, 11, 27)],
            "goal": None,
            "origin": "user",
        }
    )
    d.calendar = cal
    assert list(d.velocity["closed"]) == [True, False]
    assert dl.default_sprint(d) == "Sprint 11"  # 7 days of data
    d.calendar = cal.assign(start=[D(2026, 10, 31), D(2026, 11, 20)])
    assert dl.default_sprint(d) == "Sprint 10"  # started today: 1 day
    d.calendar = cal.assign(start=[D(2026, 10, 31), D(2026, 11, 19)])
    assert dl.default_sprint(d) == "Sprint 11"  # 2 days


def test_a_localized_epic_is_a_container_not_a_13_point_work_item():
    """The loader decides the kind (``Épique`` is an epic); the metrics use it and count no points for it."""
    csv = (
        "Résumé,Clé de ticket,Type de ticket,État,Catégorie d'état,Points d'histoire,Création\n"
        "Le programme,FR-1,Épique,À faire,À faire,13,01/Jan/26 9:00 AM\n"
        "Une histoire,FR-2,Story,Terminé,Terminé,3,02/Jan/26 9:00 AM\n"
        "Un bogue,FR-3,Bogue,À faire,À faire,2,03/Jan/26 9:00 AM\n"
    ).encode()
    issues = jira.parse(csv, "fr.csv").tables["issues"]
    assert issues.set_index("issue_key")["issue_kind"].to_dict() == {"FR-1": "epic", "FR-2": "item", "FR-3": "bug"}
    items = dl.prepare(issues).set_index("issue_key")
    assert items.loc["FR-1", "is_epic"] and not items.loc["FR-1", "is_item"] and items.loc["FR-1", "points"] == 0
    assert items["is_item"].sum() == 2 and items["points"].sum() == 5


def _open_seen_loop(history_issues: pd.DataFrame) -> dict:
    """The reference: the per-issue Python loop the vectorised version replaced."""
    out: dict = {}
    h = history_issues.dropna(subset=["sprint"])
    cat = h["status_category"].astype("str").str.casefold()
    h = h.assign(undone=~cat.eq("done").fillna(False).astype(bool))
    for _, g in h.sort_values("snapshot_as_of").groupby("issue_key"):
        seq = list(zip(g["snapshot_as_of"], g["sprint"].astype(str), g["undone"], strict=True))
        for i, (when, sprint, undone) in enumerate(seq):
            if undone and any(s != sprint for _, s, _ in seq[i + 1 :]):
                day = pd.Timestamp(when).date()
                out[sprint] = max(out.get(sprint, day), day)
    return out


@pytest.mark.parametrize("seed", range(40))
def test_sprints_seen_open_before_moving_match_the_per_issue_loop(seed):
    """Random snapshot histories (issues moving between sprints, reopening, missing sprints,
    duplicate rows on one date): the vectorised reading equals the loop it replaced."""
    import numpy as np

    from metrics.delivery.calendar import _seen_open_before_moving

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 120))
    sprints = np.array(["S1", "S2", "S3", "S4", None], dtype=object)
    frame = pd.DataFrame(
        {
            "issue_key": rng.choice([f"K-{i}" for i in range(12)] + [None], n),
            "snapshot_as_of": pd.Timestamp("2026-01-02") + pd.to_timedelta(7 * rng.integers(0, 8, n), unit="D"),
            "sprint": rng.choice(sprints, n, p=[0.3, 0.25, 0.2, 0.15, 0.1]),
            "status_category": rng.choice(["To Do", "In Progress", "Done", "done", None], n),
        }
    )
    assert _seen_open_before_moving(frame) == _open_seen_loop(frame)


def test_a_sprint_is_seen_open_until_its_unfinished_issue_moves_on():
    from metrics.delivery.calendar import _seen_open_before_moving

    d = pd.Timestamp
    frame = pd.DataFrame(
        {
            "issue_key": ["A", "A", "A", "B", "B"],
            "snapshot_as_of": [d("2026-01-02"), d("2026-01-09"), d("2026-01-16"), d("2026-01-02"), d("2026-01-09")],
            "sprint": ["S1", "S1", "S2", "S1", "S1"],
            "status_category": ["To Do", "In Progress", "In Progress", "To Do", "Done"],
        }
    )
    # A was open in S1 on the 2nd and the 9th and then moved to S2; B never left S1.
    assert _seen_open_before_moving(frame) == {"S1": dt.date(2026, 1, 9)}
    assert _seen_open_before_moving(frame.iloc[:0]) == {} and _seen_open_before_moving(None) == {}
