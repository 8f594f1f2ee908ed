"""metrics.contracts: burn rate and the month the money runs out (golden numbers), finance actuals
matched by vendor and project or PO, vendor aliases, statuses and the CLI's JSON shape."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from metrics import MetricsError
from metrics.__main__ import main
from metrics.contracts import add_months, build_report, load, monthly_burn, vendor_resolver
from tests.test_contracts import workbook

AS_OF = dt.date(2026, 4, 30)


def contracts_frame(*rows: dict) -> pd.DataFrame:
    base = dict(
        contract_id=None,
        vendor=None,
        vendor_raw=None,
        project_ids=None,
        description=None,
        value=None,
        invoiced=None,
        committed=None,
        remaining=None,
        currency="USD",
        start=None,
        finish=None,
        extra=None,
    )
    return pd.DataFrame([{**base, **r} for r in rows])


def invoices_frame(contract_id: str, amounts: dict[dt.date, float]) -> pd.DataFrame:
    rows = [(contract_id, p, a, "USD") for p, a in amounts.items()]
    return pd.DataFrame(rows, columns=["contract_id", "period", "amount", "currency"])


NO_FINANCE = pd.DataFrame(columns=["project_id", "period", "vendor", "actual", "committed", "currency"])
FAST = dict(
    contract_id="C-FAST",
    vendor="Kyndryl",
    project_ids="DC-MIGRATION",
    value=120_000.0,
    start=dt.date(2026, 1, 1),
    finish=dt.date(2026, 12, 31),
)
# May is after the as-of date and does not count
FAST_INVOICES = {
    dt.date(2026, 1, 1): 10_000,
    dt.date(2026, 2, 1): 20_000,
    dt.date(2026, 3, 1): 20_000,
    dt.date(2026, 4, 1): 20_000,
    dt.date(2026, 5, 1): 99_999,
}


def test_a_contract_burning_faster_than_planned_shows_the_month_its_money_runs_out():
    # planned 120,000 over 12 months = 10,000 a month; it invoices 20,000 a month since February
    report = build_report(contracts_frame(FAST), invoices_frame("C-FAST", FAST_INVOICES), NO_FINANCE, {}, AS_OF)
    (c,) = report.contracts
    assert c.invoiced == 70_000 and c.invoiced_source == "monthly invoices"
    assert c.remaining == 50_000
    assert c.monthly_burn == 20_000  # (20,000 + 20,000 + 20,000) / 3
    # 50,000 / 20,000 = 2.5 months after 30 April: 30 June + half of the 31 days to 31 July
    assert c.exhaustion_date == dt.date(2026, 7, 16)
    assert c.expires_in_days == 245
    assert c.status == "exhausted_before_end"
    assert "runs out in Jul 2026, 168 days before the contract ends on 2026-12-31" in c.reason


def test_a_contract_burning_on_plan_is_ok_and_lasts_to_its_end():
    on_plan = {dt.date(2026, m, 1): 10_000 for m in range(1, 5)}
    (c,) = build_report(contracts_frame(FAST), invoices_frame("C-FAST", on_plan), NO_FINANCE, {}, AS_OF).contracts
    assert (c.monthly_burn, c.remaining) == (10_000, 80_000)
    assert c.exhaustion_date == dt.date(2026, 12, 31) and c.status == "ok"


def test_statuses_over_value_expiring_expired():
    rows = contracts_frame(
        dict(contract_id="OVER", value=100.0, invoiced=130.0, finish=dt.date(2026, 12, 31)),
        dict(contract_id="SOON", value=100.0, invoiced=10.0, finish=dt.date(2026, 7, 29)),
        dict(contract_id="LATER", value=100.0, invoiced=10.0, finish=dt.date(2026, 7, 30)),
        dict(contract_id="GONE", value=100.0, invoiced=10.0, finish=dt.date(2026, 4, 29)),
    )
    report = build_report(rows, invoices_frame("X", {}), NO_FINANCE, {}, AS_OF)
    status = {c.contract_id: (c.status, c.expires_in_days) for c in report.contracts}
    assert status == {
        "OVER": ("over_value", 245),
        "SOON": ("expiring", 90),
        "LATER": ("ok", 91),
        "GONE": ("expired", -1),
    }
    assert [c.contract_id for c in report.contracts][:2] == ["OVER", "SOON"]  # at risk first
    over = next(c for c in report.contracts if c.contract_id == "OVER")
    assert over.remaining == -30 and "30 USD over the contract value 100 USD" in over.reason


def test_burn_averages_the_last_three_months_with_spend():
    series = pd.Series(
        {dt.date(2026, 1, 1): 90.0, dt.date(2026, 2, 1): 0.0, dt.date(2026, 3, 1): 30.0, dt.date(2026, 4, 1): 60.0}
    )
    assert monthly_burn(series) == 60.0  # Jan, Mar, Apr: (90 + 30 + 60) / 3
    assert monthly_burn(series.iloc[2:]) == 45.0
    assert monthly_burn(pd.Series(dtype=float)) is None
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)


FINANCE = pd.DataFrame(
    [
        ("DC-MIGRATION", dt.date(2026, 1, 1), "Microsoft Azure", 30_000.0, None),
        ("DC-MIGRATION", dt.date(2026, 2, 1), "Microsoft Azure", 30_000.0, None),
        ("DC-MIGRATION", dt.date(2026, 3, 1), "microsoft  azure", 30_000.0, None),
        ("DC-MIGRATION", dt.date(2026, 5, 1), "Microsoft Azure", None, 25_000.0),
        ("PORTAL-V2", dt.date(2026, 3, 1), "Azure", 4_000.0, None),
        ("LOYALTY", dt.date(2026, 3, 1), "Azure", 1_000.0, None),
    ],
    columns=["project_id", "period", "vendor", "actual", "committed"],
).assign(currency="USD")
AZURE = contracts_frame(
    dict(
        contract_id="AZ-1",
        vendor="Microsoft Azure",
        project_ids="DC-MIGRATION",
        value=200_000.0,
        start=dt.date(2026, 1, 1),
        finish=dt.date(2026, 12, 31),
    ),
    dict(contract_id="AZ-2", vendor="Azure", project_ids="PORTAL-V2", value=10_000.0),
)


def test_invoiced_from_finance_actuals_matched_by_vendor_and_project():
    report = build_report(AZURE, invoices_frame("X", {}), FINANCE, {}, AS_OF)
    az1, az2 = sorted(report.contracts, key=lambda c: c.contract_id)
    assert (az1.invoiced, az1.invoiced_source, az1.committed) == (90_000, "finance actuals", 25_000)
    assert az1.monthly_burn == 30_000 and az1.exhaustion_date == add_months(AS_OF, 110_000 / 30_000)
    assert az2.invoiced == 4_000  # PORTAL-V2's Azure line, not LOYALTY's
    assert len(report.vendors) == 2  # without an alias "Azure" is another vendor


def test_aliases_merge_vendors_across_projects():
    aliases = {"Azure": "Microsoft Azure", "MSFT Azure": "Microsoft Azure"}
    assert vendor_resolver(aliases)(" azure ") == "Microsoft Azure"
    report = build_report(AZURE, invoices_frame("X", {}), FINANCE, aliases, AS_OF)
    (vendor,) = report.vendors
    assert vendor.vendor == "Microsoft Azure" and vendor.contracts == 2
    assert vendor.project_ids == ("DC-MIGRATION", "PORTAL-V2")
    assert (vendor.value, vendor.invoiced) == (210_000, 94_000)
    assert vendor.finance_actual == 95_000  # every Azure actual, LOYALTY's too


def test_two_contracts_on_the_same_finance_lines_are_told_they_share_them():
    twin = dict(AZURE.iloc[0].to_dict(), contract_id="AZ-1b")
    rows = contracts_frame(AZURE.iloc[0].to_dict(), twin)
    sources = {
        c.contract_id: c.invoiced_source
        for c in build_report(rows, invoices_frame("X", {}), FINANCE, {}, AS_OF).contracts
    }
    assert sources == {
        "AZ-1": "finance actuals (shared by 2 contracts)",
        "AZ-1b": "finance actuals (shared by 2 contracts)",
    }


def test_finance_lines_matched_by_po_number():
    finance = FINANCE.assign(vendor="Someone else", po_number=["PO-9", None, None, None, None, None])
    rows = contracts_frame(dict(contract_id="PO-9", po_number="PO-9", vendor="Microsoft Azure", value=50_000.0))
    (c,) = build_report(rows, invoices_frame("X", {}), finance, {}, AS_OF).contracts
    assert (c.invoiced, c.invoiced_source) == (30_000, "finance actuals")


def po_register(*invoices: int) -> bytes:
    """A PO register with P-1, Kyndryl's 120,000 for DC-MIGRATION over 2026, invoicing ``invoices``
    from January 2026 on."""
    months = ["Jan-26", "Feb-26", "Mar-26", "Apr-26"][: len(invoices)]
    rows = [
        ["PO Number", "Vendor", "Project", "PO Value", "Start", "End", *months],
        ["P-1", "Kyndryl", "DC-MIGRATION", 120_000, dt.date(2026, 1, 1), dt.date(2026, 12, 31), *invoices],
    ]
    return workbook({"POs": rows})


def test_cli_contracts_json(store, capsys):
    from loaders.ingest import ingest_bytes

    assert ingest_bytes(store, po_register(10_000, 20_000, 20_000, 20_000), "pos.xlsx", as_of=AS_OF).status == "stored"
    assert main(["contracts", "--db", store.path, "--as-of", "2026-04-30", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["as_of"] == "2026-04-30"
    (c,) = out["contracts"]
    keys = [
        "contract_id",
        "vendor",
        "project_ids",
        "value",
        "currency",
        "start",
        "end",
        "invoiced",
        "committed",
        "remaining",
        "monthly_burn",
        "exhaustion_date",
        "expires_in_days",
        "status",
    ]
    assert set(keys) <= set(c)
    assert (c["contract_id"], c["project_ids"], c["start"], c["end"]) == (
        "P-1",
        ["DC-MIGRATION"],
        "2026-01-01",
        "2026-12-31",
    )
    assert (c["invoiced"], c["remaining"], c["monthly_burn"]) == (70_000, 50_000, 20_000)
    assert (c["exhaustion_date"], c["status"]) == ("2026-07-16", "exhausted_before_end")
    assert out["vendors"][0]["vendor"] == "Kyndryl"
    assert main(["contracts", "--db", store.path, "--project", "NOPE", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["contracts"] == []


def test_no_register_is_a_plain_error(store):
    with pytest.raises(MetricsError, match="no contract register"):
        load(store)


def test_the_same_contract_number_in_two_registers_keeps_its_own_invoices(store):
    from loaders.ingest import ingest_bytes

    def register(amount):
        return workbook({"POs": [["PO Number", "Vendor", "PO Value", "Jan-26"], ["P-1", "Acme", 1_000, amount]]})

    assert ingest_bytes(store, register(100), "uk_pos.xlsx", as_of=AS_OF).status == "stored"
    assert ingest_bytes(store, register(300), "ie_pos.xlsx", as_of=AS_OF).status == "stored"
    assert sorted(c.invoiced for c in load(store, AS_OF).contracts) == [100, 300]


def test_a_contract_register_is_not_a_project_of_the_portfolio(store):
    """The register's upload key names the file (``contracts:…``), not a project: the Overview, the
    pack and ``metrics portfolio`` list only the projects its contracts name."""
    from loaders.ingest import ingest_bytes
    from metrics.portfolio import portfolio_frame

    assert ingest_bytes(store, po_register(10_000), "pos.xlsx", as_of=AS_OF).status == "stored"
    assert not [p for p in portfolio_frame(store, AS_OF).project_id if p.startswith("contracts:") or p == ""]
