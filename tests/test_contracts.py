"""Contract registers: the real registers load with their README totals; layouts the loader must
recognise (header below a title, two-row headers, month columns, totals rows, multi-line vendor
cells, values as text, several projects per contract)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
import xlsxwriter

from loaders.base import Refused
from loaders.contracts import parse, register_key
from loaders.detect import detect
from loaders.ingest import ingest_bytes

PO_TRACKER = "contracts/01_agency-PO-tracker_campaign-POs_monthly-invoices_GBP-EUR_multisheet.xlsx"
OTTAWA = "contracts/02_city-ottawa-contracts-disclosure_PO_dept_vendor-multiline_4455rows.xlsx"
MATRIX = "contracts/04_es_procurement-matrix-per-WBS_tipo-modalidad_budget_two-row-header.xlsx"


def workbook(sheets: dict[str, list[list]]) -> bytes:
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), wb.add_format({"num_format": "d"}))
                elif value is not None:
                    ws.write(r, c, value)
    wb.close()
    return buffer.getvalue()


def problems_text(parsed) -> str:
    return "\n".join(p.message for p in parsed.problems)


@pytest.mark.real_exports
def test_ottawa_register_loads_4455_contracts_with_the_readme_sum(real_exports):
    data = (real_exports / OTTAWA).read_bytes()
    assert detect(data, OTTAWA).__name__ == "loaders.contracts"
    parsed = parse(data, OTTAWA)
    contracts = parsed.tables["contracts"]
    assert len(contracts) == 4455 and parsed.rows_loaded == 4455 and parsed.rows_rejected == 0
    assert contracts.value.sum() == pytest.approx(1_895_219_962.18, abs=0.01)
    assert contracts.value.min() == 25_000.00 and contracts.value.max() == pytest.approx(161_350_528.35)
    assert contracts.contract_id.is_unique
    first = contracts.iloc[0]
    assert (first.contract_id, first.po_number, first.vendor) == ("45082129", "45082129", "JENKINS RTS LLC")
    assert first.vendor_raw == "JENKINS RTS LLC\nSAN MARTIN CA"
    assert json.loads(first.extra)["vendor_city"] == "SAN MARTIN CA"
    assert json.loads(first.extra)["department"] == "AG"
    assert not contracts.vendor.str.contains("\n").any()
    # rows without a PO number (STANDING OFFER 86, N/A 6, PURCHASING CARD 2, VARIOUS 1) and repeated POs are kept
    standing = contracts[contracts.po_number.isna()]
    assert len(standing) == 95 and standing.contract_id.str.startswith("Contracts row ").all()
    assert "761 row(s) repeat a contract or PO number" in problems_text(parsed)
    assert "4455 contract(s) name no currency" in problems_text(parsed)


@pytest.mark.real_exports
def test_spanish_procurement_matrix_ten_lines_and_its_total(real_exports):
    parsed = parse((real_exports / MATRIX).read_bytes(), MATRIX)
    contracts = parsed.tables["contracts"]
    assert len(contracts) == 10 and contracts.value.sum() == 350_000
    assert list(contracts.contract_id[:3]) == ["1", "1.1", "1.1.1"]
    assert set(contracts.project_ids) == {"LTV_str"}  # the "ID:" of the preamble
    first = contracts.iloc[0]
    assert (first.start, first.finish) == (dt.date(2026, 2, 17), dt.date(2026, 3, 15))  # two-row header
    assert first.type == "Servicios de consultoría"
    assert json.loads(first.extra)["method"] == "Contratación directa"
    text = problems_text(parsed)
    assert "Presupuesto Estimado 350,000.00 equals the sum of the lines above it" in text
    assert "sheet Ejemplo is a worked example" in text


@pytest.mark.real_exports
def test_po_tracker_per_sheet_with_gbp_and_eur_apart(real_exports):
    parsed = parse((real_exports / PO_TRACKER).read_bytes(), PO_TRACKER)
    sheets = parsed.meta["sheets"]
    assert list(sheets) == ["F&B UK", "F&B IRE", "Fashion & WFJ UK", "Fashion & WFJ IRE", "2021"]
    assert {name: s["contracts"] for name, s in sheets.items()} == {
        "F&B UK": 20,
        "F&B IRE": 11,
        "Fashion & WFJ UK": 17,
        "Fashion & WFJ IRE": 5,
        "2021": 72,
    }
    assert {name: s["currency"] for name, s in sheets.items()} == {
        "F&B UK": ["GBP"],
        "F&B IRE": ["EUR"],
        "Fashion & WFJ UK": ["GBP"],
        "Fashion & WFJ IRE": ["EUR"],
        "2021": ["GBP"],
    }
    contracts, invoices = parsed.tables["contracts"], parsed.tables["contract_invoices"]
    assert contracts.groupby("currency").size().to_dict() == {"EUR": 16, "GBP": 109}
    assert sheets["2021"]["value"] == {"GBP": pytest.approx(26_464_903.77)}
    # Σ the 2021 sheet's "Invoice Val £"/"Val £" cells (19,001,767.75 as numbers) + '*190498.51' written as text
    assert sheets["2021"]["invoiced_monthly"] == pytest.approx(19_192_266.26)
    # F&B UK: the invoice totals are blank, so net billable + commission + levy (Bleu H1, May and June)
    assert sheets["F&B UK"]["invoiced_monthly"] == pytest.approx(882_000)
    bleu = contracts[(contracts.sheet == "F&B UK") & (contracts.description == "Bleu H1")].contract_id.iloc[0]
    by_month = invoices[invoices.contract_id == bleu].set_index("period").amount.to_dict()
    assert by_month == {dt.date(2024, 5, 1): 192_000, dt.date(2024, 6, 1): 690_000}
    assert set(invoices.currency) == {"GBP"}
    # a campaign's Total PO Value written on one of its channel rows still belongs to it
    eyewear = contracts[contracts.description == "Eyewear H1"]
    assert eyewear.value.tolist() == [202_385.92]
    text = problems_text(parsed)
    assert "PO Value 6,840,683.00 differs from the sum of the lines above it (10,054,633.43)" in text
    assert "month columns without a year were read as 2021, from the sheet's name 2021" in text


def test_register_below_a_title_with_two_row_header_months_and_text_values():
    rows = [
        ["Vendor contracts — IT", None],
        [],
        ["Contract No", "Supplier", "Project", "Contract value", "Term", None, "Status", "Jan-26", "Feb-26"],
        [None, None, None, None, "Start", "End", None, None, None],
        [
            "C-1",
            "Microsoft Azure\nRedmond WA",
            "CRM-UPGRADE, PORTAL-V2",
            "€ 120.000,00",
            dt.date(2026, 1, 1),
            dt.date(2026, 12, 31),
            "Active",
            10_000,
            "20.000,00",
        ],
        ["C-2", "Accenture", "CRM-UPGRADE", 50_000, "15/01/2026", "30/06/2026", "Active", None, 5_000],
        ["Total", None, None, "170.000", None, None, None, None, None],
    ]
    parsed = parse(workbook({"IT": rows}), "it_contracts_2026-02-28.xlsx")
    contracts, invoices = parsed.tables["contracts"], parsed.tables["contract_invoices"]
    assert list(contracts.contract_id) == ["C-1", "C-2"]
    assert list(contracts.value) == [120_000, 50_000]
    assert list(contracts.vendor) == ["Microsoft Azure", "Accenture"]
    assert list(contracts.project_ids) == ["CRM-UPGRADE,PORTAL-V2", "CRM-UPGRADE"]
    assert list(contracts.finish) == [dt.date(2026, 12, 31), dt.date(2026, 6, 30)]
    assert list(contracts.start) == [dt.date(2026, 1, 1), dt.date(2026, 1, 15)]
    assert set(contracts.project_id) == {register_key("it_contracts_2026-02-28.xlsx")} == {"contracts:it-contracts"}
    assert invoices.sort_values(["contract_id", "period"])[["contract_id", "amount"]].values.tolist() == [
        ["C-1", 10_000],
        ["C-1", 20_000],
        ["C-2", 5_000],
    ]
    assert "equals the sum of the lines above it" in problems_text(parsed)


def test_a_csv_register_in_french_with_text_amounts():
    data = (
        "Numéro de contrat;Fournisseur;Projet;Montant;Facturé;Date de début;Date de fin;Statut\n"
        "CT-7;Sopra Steria;CRM-UPGRADE;1 250 000,00 €;250 000,00;01/02/2026;31/01/2027;Actif\n"
        "CT-8;Capgemini;LOYALTY;80 000;;15/03/2026;14/03/2027;Actif\n"
    ).encode()
    assert detect(data, "contrats.csv").__name__ == "loaders.contracts"
    contracts = parse(data, "contrats.csv").tables["contracts"]
    assert list(contracts.contract_id) == ["CT-7", "CT-8"]
    assert list(contracts.value) == [1_250_000, 80_000]
    assert contracts.invoiced.iloc[0] == 250_000 and contracts.invoiced.isna().iloc[1]
    assert list(contracts.start) == [dt.date(2026, 2, 1), dt.date(2026, 3, 15)]
    assert list(contracts.status) == ["Actif", "Actif"]
    assert contracts.currency.iloc[0] == "EUR" and contracts.currency.isna().iloc[1]  # the € in CT-7's amount


def test_a_row_with_amounts_and_nothing_above_it_is_rejected_and_said():
    rows = [["PO Number", "Vendor", "PO Value", "Invoiced"], [None, None, 5_000, None], ["P-1", "Acme", 100, 10]]
    parsed = parse(workbook({"POs": rows}), "pos.xlsx")
    assert parsed.rows_rejected == 1 and len(parsed.tables["contracts"]) == 1
    assert any(p.severity == "error" and p.row_number == 2 for p in parsed.problems)


def test_a_workbook_without_a_contract_table_is_refused():
    with pytest.raises(Refused, match="no sheet holds a contract register"):
        parse(workbook({"Notes": [["Title"], ["nothing here", 3]]}), "notes.xlsx")


def test_a_newer_upload_of_the_same_register_supersedes_it(store):
    def register(value):
        return workbook({"S": [["PO Number", "Vendor", "PO Value"], ["P-1", "Acme", value]]})

    assert ingest_bytes(store, register(100), "pos_2026-01-31.xlsx").status == "stored"
    assert ingest_bytes(store, register(250), "pos_2026-02-28.xlsx").status == "stored"
    assert store.contract_registers(dt.date(2026, 1, 31))["contracts"].value.tolist() == [100]
    assert store.contract_registers(dt.date(2026, 3, 1))["contracts"].value.tolist() == [250]
    assert store.projects().empty  # a register is not a project
