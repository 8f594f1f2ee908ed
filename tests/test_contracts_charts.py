"""charts.contracts through to_dict(): titles with units, tooltips, status colours only for status."""

from __future__ import annotations

from charts import STATUS_COLORS
from charts.contracts import run_out, vendor_spend
from metrics.contracts import alias_frame, aliases_from, build_report, headline, page_tables
from tests.test_contracts_metrics import AS_OF, AZURE, FAST, FAST_INVOICES, FINANCE, contracts_frame, invoices_frame


def tables(aliases=None):
    rows = contracts_frame(FAST, *AZURE.to_dict("records"))
    report = build_report(rows, invoices_frame("C-FAST", FAST_INVOICES), FINANCE, aliases or {}, AS_OF)
    return report, page_tables(report, "USD")


def test_vendor_spend_shows_value_against_invoiced_in_one_currency():
    _, t = tables()
    spec = vendor_spend(t["vendors"], "USD").to_dict()
    assert spec["title"] == "Spend by vendor against contract value (USD)"
    assert spec["encoding"]["x"]["title"] == "Amount (USD)"
    assert spec["encoding"]["y"]["sort"] == ["Microsoft Azure", "Kyndryl", "Azure"]  # largest value first
    assert {t["title"] for t in spec["encoding"]["tooltip"]} >= {"Vendor", "Amount (USD)", "Remaining (USD)"}
    assert not set(spec["encoding"]["color"]["scale"]["range"]) & set(STATUS_COLORS.values())
    many = t["vendors"].loc[t["vendors"].index.repeat(10)].assign(vendor=[f"V{i}" for i in range(30)])
    assert "top 15 of 30 vendors" in vendor_spend(many, "USD").to_dict()["title"]


def test_run_out_marks_the_month_the_money_runs_out_in_its_status_colour():
    report, t = tables()
    spec = run_out(t["at_risk"], report.as_of, "USD").to_dict()
    layers = spec["layer"]
    dataset = next(iter(spec["datasets"].values()))
    runs_out = {row["contract_id"]: row["runs_out"][:10] for row in dataset}
    # AZ-1: 110,000 left at 30,000 a month of finance actuals = 3.67 months: 31 July + 2/3 of August
    assert runs_out == {"C-FAST": "2026-07-16", "AZ-1": "2026-08-21"}
    point = next(layer for layer in layers if layer["mark"]["type"] == "circle")
    assert point["encoding"]["color"]["scale"]["range"] == [STATUS_COLORS["red"], STATUS_COLORS["amber"]]
    assert "Money runs out" in {t["title"] for t in point["encoding"]["tooltip"]}


def test_headline_counts_the_risks():
    _, t = tables()
    top = headline(t)
    assert (top["contracts"], top["at_risk"], top["exhausted_before_end"]) == (3, 2, 2)
    assert top["value"] == 330_000 and top["at_risk_text"] == "2 run out early"


def test_scope_keeps_the_projects_contracts_and_their_finance_actuals():
    rows = contracts_frame(FAST, *AZURE.to_dict("records"))
    aliases = {"Azure": "Microsoft Azure"}
    report = build_report(rows, invoices_frame("X", {}), FINANCE, aliases, AS_OF, ("PORTAL-V2",))
    assert [c.contract_id for c in report.contracts] == ["AZ-2"]
    (vendor,) = report.vendors
    assert (vendor.vendor, vendor.finance_actual) == ("Microsoft Azure", 4_000)


def test_alias_editor_rows_are_checked():
    edited = alias_frame({"Azure": "Microsoft Azure"})
    edited.loc[len(edited)] = ["  AWS  ", "Amazon Web Services"]
    edited.loc[len(edited)] = ["", ""]
    assert aliases_from(edited) == ({"Azure": "Microsoft Azure", "AWS": "Amazon Web Services"}, [])
    edited.loc[len(edited)] = ["azure", "Azure"]
    edited.loc[len(edited)] = ["Dell", None]
    mapping, problems = aliases_from(edited)
    assert mapping == {"Azure": "Microsoft Azure", "AWS": "Amazon Web Services"}
    assert problems == ["'azure' is mapped to itself.", "'Dell' needs both an alias and the vendor name it stands for."]
