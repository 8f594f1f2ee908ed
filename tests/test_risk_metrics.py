"""metrics.risk: trend, escalation rules, opportunities outside exposure, heat map, health inputs,
Jira Risk/Issue rows, and the ``python -m metrics risk`` JSON shape."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from loaders.ingest import ingest_bytes
from loaders.risk.jira_issues import risks_from_issues
from metrics import risk
from metrics.__main__ import main

AS_OF = dt.date(2026, 11, 20)


def frame(*rows, project="P1") -> pd.DataFrame:
    """Rows (risk_id, probability, impact, kind='risk', closed=False, due=None, escalate=False, exposure=None)."""
    out = []
    for row in rows:
        rid, p, i, *rest = row
        kind, closed, due, escalate, exposure = [*rest, *[None] * (5 - len(rest))][:5]
        out.append(
            {
                "project_id": project,
                "risk_id": rid,
                "kind": kind or "risk",
                "title": f"risk {rid}",
                "description": None,
                "category": None,
                "system": None,
                "probability": p,
                "impact": i,
                "score": p * i if p and i else None,
                "exposure": exposure,
                "currency": "EUR",
                "owner": "Ana",
                "status": "Closed" if closed else "Open",
                "is_closed": bool(closed),
                "due": due,
                "escalate": bool(escalate),
                "response": "mitigate",
            }
        )
    return pd.DataFrame(out)


def test_trend_against_the_previous_snapshot():
    previous = frame(("R1", 3, 3), ("R2", 4, 4), ("R3", 2, 2), ("R4", 2, 5))
    current = frame(("R1", 4, 3), ("R2", 3, 4), ("R3", 2, 2), ("R4", 2, 5, "risk", True), ("R5", 1, 1))
    assert risk.trend(current, previous).tolist() == ["up", "down", "same", "closed", "new"]
    assert risk.trend(current, None).eq("new").all()


def test_escalation_rules_each_give_a_sentence_with_numbers():
    before = frame(("R2", 2, 3))
    previous = frame(("R2", 3, 3))
    current = frame(
        ("R1", 4, 5),  # score 20 = threshold
        ("R2", 4, 3),  # 6 -> 9 -> 12: rising twice
        ("R3", 2, 2, "risk", False, dt.date(2026, 11, 1)),  # overdue 19 days
        ("R4", 1, 1, "risk", False, None, True),  # marked
        ("R5", 5, 5, "risk", True),  # closed: never escalated
        ("R6", 4, 4),  # 16: nothing
        ("R7", 5, 5, "opportunity"),  # an opportunity is not a threat
    )
    out = risk.escalations(current, previous, as_of=AS_OF, threshold=20, before=before)
    assert list(out.columns) == ["project_id", "risk_id", "title", "score", "owner", "why"]
    why = dict(zip(out.risk_id, out.why, strict=True))
    assert set(why) == {"R1", "R2", "R3", "R4"}
    assert why["R1"] == "Score 20 (probability 4 × impact 5) is at or above the escalation threshold 20."
    assert why["R2"] == "Score rose twice in a row: 6 → 9 → 12."
    assert why["R3"] == "Due 2026-11-01, 19 days ago, and still open."
    assert why["R4"] == "Marked for escalation in the register."
    assert out.risk_id.iloc[0] == "R1"  # highest score first
    assert set(risk.escalations(current, previous, as_of=AS_OF, threshold=25).risk_id) == {"R3", "R4"}


def test_rising_once_is_not_rising_twice():
    out = risk.escalations(frame(("R2", 4, 3)), frame(("R2", 3, 3)), as_of=AS_OF, before=frame(("R2", 3, 3)))
    assert out.empty


def test_opportunities_are_never_added_to_threat_exposure():
    rows = frame(
        ("R1", 4, 5, "risk", False, None, False, 1000.0),
        ("O1", 4, 4, "opportunity", False, None, False, -5000.0),
        ("R2", 2, 2, "risk", True, None, False, 300.0),
    )
    prepared = risk.prepare(rows, AS_OF)
    s = risk.summary(prepared, risk.escalations(rows, None, as_of=AS_OF))
    assert (s.exposure, s.score_load, s.open_threats, s.opportunities, s.closed) == (1000.0, 20.0, 1, 1, 1)
    history = rows.assign(snapshot_as_of=AS_OF)
    over = risk.exposure_over_time(history)
    assert over.exposure.tolist() == [1000.0] and over.score_load.tolist() == [20.0]
    assert risk.top_risks(rows).risk_id.tolist() == ["R1"]
    assert risk.heatmap(rows)["count"].sum() == 1


def test_heatmap_has_every_cell_and_rounds_half_steps_up():
    grid = risk.heatmap(frame(("R1", 1.5, 4), ("R2", 2, 4), ("R3", 5, 5)))
    assert len(grid) == 25
    counts = {(r.probability, r.impact): r.count for r in grid.itertuples()}
    assert counts[(2, 4)] == 2 and counts[(5, 5)] == 1 and sum(counts.values()) == 3


def test_top_risks_and_health_inputs():
    rows = pd.concat([frame(("R1", 4, 5), ("R2", 5, 5, "risk", True), ("R3", 2, 3)), frame(("X1", 1, 2), project="P2")])
    top = risk.top_risks(rows, n=2)
    assert top.risk_id.tolist() == ["R1", "R3"]
    assert {"owner", "response", "due"} <= set(top.columns)
    health = risk.health_inputs(rows).set_index("project_id")
    assert health.loc["P1"].tolist() == [20, 1] and health.loc["P2"].tolist() == [2, 0]


def test_systems_named_in_the_text_tag_technical_risks():
    rows = frame(("R1", 3, 3), ("R2", 3, 3), ("R3", 3, 3))
    rows["title"] = ["SAP interface may fail", "ISHR system is a black box", "Key person may leave"]
    prepared = risk.prepare(rows, AS_OF)
    assert prepared.system.tolist()[:2] == ["SAP", "ISHR"] and pd.isna(prepared.system.iloc[2])
    assert prepared.technical.tolist() == [True, True, False]


def test_jira_risk_and_issue_types_become_risk_rows():
    issues = pd.DataFrame(
        {
            "project_id": "P1",
            "issue_key": ["PAY-1", "PAY-2", "PAY-3"],
            "issue_type": ["Risk", "Issue", "Story"],
            "summary": ["Vendor API late", "Outage", "Build"],
            "status": ["Open", "Done", "To Do"],
            "status_category": ["To Do", "Done", "To Do"],
            "priority": ["High", "Highest", "Low"],
            "assignee": ["Ana", "Ben", "Cy"],
            "created": pd.Timestamp("2026-10-01"),
            "due": pd.NaT,
            "resolved": pd.NaT,
            "labels": ["escalate", "", ""],
            "components": [None, "Payments", None],
            "snapshot_as_of": AS_OF,
        }
    )
    rows = risks_from_issues(issues)
    assert rows.risk_id.tolist() == ["PAY-1", "PAY-2"] and rows.kind.tolist() == ["risk", "issue"]
    assert rows.impact.tolist() == [4, 5] and pd.isna(rows.score.iloc[0]) and rows.score.iloc[1] == 25
    assert rows.is_closed.tolist() == [False, True] and rows.escalate.tolist() == [True, False]


REGISTER = b"Risk ID,Title,Likelihood,Impact,Owner,Status,Due date\n"


def _csv(*lines: str) -> bytes:
    return REGISTER + "\n".join(lines).encode() + b"\n"


def test_cli_json_shape_with_trend_and_escalations(store, capsys):
    first = _csv("R1,Vendor late,Medium,High,Ana,Open,2026-12-31", "R2,Data migration,Low,Low,Ben,Open,")
    second = _csv(
        "R1,Vendor late,High,High,Ana,Open,2026-12-31",
        "R2,Data migration,Low,Low,Ben,Closed,",
        "R3,SAP interface,Medium,Medium,Cy,Open,2026-11-01",
    )
    for data, day in ((first, dt.date(2026, 11, 6)), (second, AS_OF)):
        assert ingest_bytes(store, data, "apollo.csv", project_id="APOLLO", as_of=day).status == "stored"
    assert main(["risk", "--db", store.path, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"as_of", "risks", "heatmap", "escalations"} and out["as_of"] == "2026-11-20"
    keys = {
        "project_id",
        "risk_id",
        "kind",
        "title",
        "category",
        "probability",
        "impact",
        "score",
        "exposure",
        "currency",
        "owner",
        "status",
        "due",
        "trend",
    }
    assert all(keys <= set(r) for r in out["risks"])
    trends = {r["risk_id"]: r["trend"] for r in out["risks"]}
    assert trends == {"R1": "up", "R2": "closed", "R3": "new"}
    assert len(out["heatmap"]) == 25 and sum(c["count"] for c in out["heatmap"]) == 2
    assert {(e["risk_id"], e["why"]) for e in out["escalations"]} == {
        ("R1", "Score 25 (probability 5 × impact 5) is at or above the escalation threshold 20."),
        ("R3", "Due 2026-11-01, 19 days ago, and still open."),
    }
    assert out["projects"][0]["project_id"] == "APOLLO" and out["projects"][0]["escalations"] == 2
    assert out["portfolio"]["open_threats"] == 2 and out["portfolio"]["overdue"] == 1
    assert main(["risk", "--db", store.path, "--as-of", "2026-11-06", "--json"]) == 0
    earlier = json.loads(capsys.readouterr().out)
    assert {r["trend"] for r in earlier["risks"]} == {"new"} and earlier["escalations"] == []


def test_cli_unknown_project_is_one_sentence(store, capsys):
    store.schema_version()  # an empty database: a missing one is an error of its own (issue 14)
    assert main(["risk", "--project", "NOPE", "--db", store.path, "--json"]) == 1
    assert "no project 'NOPE'" in capsys.readouterr().err


@pytest.mark.parametrize("threshold", [15, 25])
def test_threshold_setting_is_read_from_the_store(store, threshold):
    store.save_settings({risk.SETTING: threshold})
    assert risk.threshold_setting(store) == threshold


def test_an_open_risk_at_the_threshold_makes_the_project_at_least_amber(store):
    from metrics.portfolio import judge, rules
    from metrics.settings import load as load_settings

    data = _csv("R1,Vendor late,High,Medium,Ana,Open,", "R2,Core outage,Very high,Very high,Ben,Closed,")
    assert ingest_bytes(store, data, "apollo.csv", project_id="APOLLO", as_of=AS_OF).status == "stored"
    inputs = risk.health_inputs_at(store, AS_OF)
    values = inputs.set_index("project_id").loc["APOLLO"].to_dict()
    assert values == {"max_open_risk_score": 12.0, "open_risks_at_threshold": 0}  # 4 × 3; the closed 25 not counted
    assert judge({"cpi": 1.0, **values}, rules())[0] == "green"
    status, reasons = judge({"cpi": 1.0, "max_open_risk_score": 20.0}, rules())
    assert status == "amber" and reasons == [
        "Highest open risk score 20 points is at or above the amber threshold 20 points."
    ]
    assert judge({"cpi": 0.5, "max_open_risk_score": 25.0}, rules())[0] == "red"  # never better than the worst rule
    store.save_settings({risk.SETTING: 10})
    assert judge({"cpi": 1.0, **values}, rules(load_settings(store)))[0] == "amber"


def test_registers_without_an_id_column_are_matched_by_title():
    previous = frame(("#1", 2, 2), ("#2", 3, 3))
    previous["title"] = ["Vendor late", "Data quality"]
    current = frame(("#1", 4, 4), ("#2", 2, 2), ("#3", 3, 3))  # a row inserted on top
    current["title"] = ["New one", "Vendor late", "Data quality"]
    assert risk.trend(current, previous).tolist() == ["new", "same", "same"]


def test_escalations_and_top_risks_take_a_bare_frame():
    bare = pd.DataFrame(
        {"project_id": ["P1", "P1"], "risk_id": ["R1", "R2"], "probability": [5, 1], "impact": [4, 1], "score": [20, 1]}
    )
    out = risk.escalations(bare, None, as_of=AS_OF)
    assert out.risk_id.tolist() == ["R1"] and out.why.iloc[0].startswith("Score 20")
    assert risk.top_risks(bare, n=1).risk_id.tolist() == ["R1"]
