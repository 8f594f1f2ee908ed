"""'What changed' between two dates: risks escalated, the snapshots each side reads, partial
portfolios, and the view-model the Overview and the project page show (views/changes.py)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from conftest import ROOT

from loaders.ingest import ingest_bytes, ingest_path
from metrics.changes import Changes, changes_since, compare, risks_escalated
from views import changes as view

SAMPLES = ROOT / "data" / "samples"
THEN, NOW = dt.date(2026, 11, 6), dt.date(2026, 11, 20)
REGISTER = b"Risk ID,Title,Likelihood,Impact,Owner,Status,Due date\n"


def _register(*lines: str) -> bytes:
    return REGISTER + "\n".join(lines).encode() + b"\n"


def _escalated(*keys):
    return pd.DataFrame(
        [
            {"project_id": p, "risk_id": r, "title": f"{r} title", "score": s, "owner": "Ana", "why": "w"}
            for p, r, s in keys
        ]
    )


def test_risks_escalated_are_those_escalated_now_and_not_then():
    then = _escalated(("A", "R1", 25), ("A", "R2", 20))
    now = _escalated(("A", "R1", 25), ("A", "R3", 16), ("B", "R2", 20), ("A", "R4", 21))
    out = risks_escalated(then, now)
    # R1 was already escalated; R2 of project B is another risk than R2 of A; highest score first
    assert out[["project_id", "risk_id"]].values.tolist() == [["A", "R4"], ["B", "R2"], ["A", "R3"]]
    assert risks_escalated(pd.DataFrame(), now).shape[0] == 4  # nothing then: every escalation is new
    assert risks_escalated(then, pd.DataFrame()).empty  # de-escalated or closed: not "escalated"
    assert list(risks_escalated(None, None).columns) == ["project_id", "risk_id", "title", "score", "owner", "why"]


def test_changes_since_reads_escalations_at_both_dates_from_the_registers(store):
    first = _register("R1,Vendor late,Medium,High,Ana,Open,2026-12-31", "R2,Data migration,Low,Low,Ben,Open,")
    second = _register(
        "R1,Vendor late,High,High,Ana,Open,2026-12-31",  # 5 × 5 = 25: at the threshold now
        "R2,Data migration,Low,Low,Ben,Closed,",
        "R3,SAP interface,Medium,Medium,Cy,Open,2026-11-01",  # new and overdue
    )
    for data, day in ((first, THEN), (second, NOW)):
        assert ingest_bytes(store, data, "apollo.csv", project_id="APOLLO", as_of=day).status == "stored"
    changes = changes_since(store, THEN, NOW)
    assert changes.escalated_risks[["risk_id", "score"]].values.tolist() == [["R1", 25.0], ["R3", 9.0]]
    assert "at or above the escalation threshold 20" in changes.escalated_risks.why.iloc[0]
    assert (changes.since_snapshot, changes.until_snapshot) == (THEN, NOW)
    # a week later with no new register: the same escalations are not "escalated since"
    assert changes_since(store, NOW, NOW + dt.timedelta(days=7)).escalated_risks.empty
    # the project filter narrows every part
    assert changes_since(store, THEN, NOW, ["OTHER"]).escalated_risks.empty


def test_no_data_at_the_compare_date_is_said_not_guessed(store):
    assert ingest_path(store, SAMPLES / "PAY_jira_2026-11-20.csv").ok  # only Jira
    changes = changes_since(store, dt.date(2026, 1, 1), NOW)
    assert changes.since_snapshot is None and changes.until_snapshot == NOW
    assert "no data at that date" in view.caption(changes)
    assert view.kpi_deltas(changes, str) == {}  # no delta against nothing
    assert changes.escalated_risks.empty and changes.slipped_milestones.empty


@pytest.mark.parametrize("sample", ["PAY_jira_2026-11-20.csv", "finance_budget_vs_actual_long_2026-10-31.csv"])
def test_partial_portfolios_compare_without_error(store, sample):
    assert ingest_path(store, SAMPLES / sample).ok
    latest = store.latest_as_of()
    changes = changes_since(store, latest - dt.timedelta(days=7), latest)
    assert isinstance(changes, Changes)
    assert view.caption(changes)
    for table in (view.status_table, view.reasons_table, view.risks_table, view.slips_table):
        assert isinstance(table(changes), pd.DataFrame)


def _frame(rows):
    return pd.DataFrame(rows, columns=["project_id", "name", "status", "reasons", "currency", "bac", "pv", "ev", "ac"])


def _changes(before, after, since_snapshot=THEN):
    empty = pd.DataFrame()
    return compare(before, after, empty, empty, THEN, NOW, since_snapshot=since_snapshot, until_snapshot=NOW)


def test_kpi_tiles_colour_their_delta_by_what_is_good():
    before = _frame([["A", "A", "green", [], "USD", 100.0, 50.0, 50.0, 50.0]])
    after = _frame([["A", "A", "red", ["CPI 0.50 is below the red threshold 0.90."], "USD", 100.0, 60.0, 55.0, 110.0]])
    tiles = view.kpi_deltas(_changes(before, after), lambda v: f"{v:,.0f}")
    assert tiles["red"] == {
        "delta": "+1",
        "delta_color": "inverse",
        "delta_arrow": "auto",
        "before": "0 on 06 Nov 2026",
    }
    assert tiles["green"]["delta"] == "-1" and tiles["green"]["delta_color"] == "normal"
    # CPI = ΣEV/ΣAC: 50/50 = 1.00 then, 55/110 = 0.50 now; up is good, so a fall shows red ("normal")
    assert tiles["cpi"]["delta"] == "-0.50" and tiles["cpi"]["delta_color"] == "normal"
    # SPI = ΣEV/ΣPV: 50/50 = 1.00, 55/60 = 0.92
    assert tiles["spi"]["delta"] == "-0.08"
    # EAC = ΣBAC/CPI: 100 then, 200 now; up is bad
    assert tiles["eac"]["delta"] == "+100" and tiles["eac"]["delta_color"] == "inverse"
    assert tiles["bac"] == {"delta": "0", "delta_color": "off", "delta_arrow": "off", "before": "100 on 06 Nov 2026"}
    assert tiles["amber"]["delta_color"] == "off"


def test_problem_and_caption_name_the_dates():
    assert view.default_compare(NOW) == dt.date(2026, 11, 13)
    assert view.problem(NOW, NOW).startswith("The compare-with date (20 Nov 2026) is not before")
    assert view.problem(THEN, NOW) is None
    assert view.problem(None, None) and view.problem(None, NOW)
    changes = _changes(_frame([]), _frame([]))
    assert "newest 06 Nov 2026" in view.caption(changes) and "newest 20 Nov 2026" in view.caption(changes)
    same = compare(
        _frame([]), _frame([]), pd.DataFrame(), pd.DataFrame(), THEN, NOW, since_snapshot=NOW, until_snapshot=NOW
    )
    assert "same snapshots" in view.caption(same)


def test_headline_counts_each_kind_of_change():
    before = _frame([["A", "A", "amber", [], "USD", None, None, None, None]])
    after = _frame([["A", "A", "red", ["SPI 0.80 is below the red threshold 0.90."], "USD", None, None, None, None]])
    line = view.headline(_changes(before, after))
    assert line.startswith("1 status change(s) (1 worse, 0 better) · 1 new red/amber reason(s) · 0 risk(s)")


def test_headline_names_projects_first_judged_or_no_longer_judged():
    before = _frame([["A", "A", "green", [], "USD", None, None, None, None]])
    after = _frame(
        [
            [
                "A",
                "A",
                "unknown",
                ["Health unknown on or before the as-of date: no plan yet."],
                "USD",
                None,
                None,
                None,
                None,
            ],
            ["B", "B", "green", [], "USD", None, None, None, None],
        ]
    )
    line = view.headline(_changes(before, after))
    assert line.startswith("2 status change(s) (0 worse, 0 better, 1 first judged, 1 no longer judged) · ")
