"""loaders.risk on the real registers in fixtures/risk (counts and scale facts from its README)
and on small registers that pin each scale kind's reading onto 1–5."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import Workbook

from loaders.base import Refused, Sample
from loaders.detect import detect
from loaders.ingest import ingest_bytes
from loaders.risk import parse, sniff, text_id
from loaders.risk.scales import level_of, percent_of

# file -> (entries, kinds) as counted in fixtures/README.md
FIXTURES = {
    "01_en_words-HML_rank_status-prose_xlsx.xlsx": (5, {"risk": 5}),
    "03_en-pt_X-mark-matrix_VL-VH_two-row-header.xlsx": (6, {"risk": 6}),
    "05_en_money-impact_EV_proximity_dates_sheet-named-Issue-Register.xlsx": (3, {"risk": 3}),
    "06_en_1-5-with-half-steps_score_preamble-cell.xlsx": (7, {"risk": 6, "opportunity": 1}),
    "08_en_letters-L-M-H_preamble.xlsx": (10, {"risk": 10}),
    "10_en_numeric-LxS_roman-numeral-class_residual.xlsx": (15, {"risk": 15}),
    "11_en_apple-numbers-export_summary-sheet-first_1-5.xlsx": (9, {"risk": 9}),
    "14_en_RAID-4-sheets_typos-HIgh-progeress.xlsx": (16, {"risk": 4, "assumption": 3, "issue": 4, "dependency": 5}),
    "16_es_A-M-B-letters_two-row-header_preamble-es-dates.xlsx": (10, {"risk": 10}),
    "20_en_csv_words-HML_numeric-score_severity.csv": (13, {"risk": 13}),
}


def _read(real_exports, name):
    data = (real_exports / "risk" / name).read_bytes()
    return data, parse(data, name)


@pytest.mark.real_exports
@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_every_real_register_loads_with_its_readme_count(real_exports, name):
    data, parsed = _read(real_exports, name)
    count, kinds = FIXTURES[name]
    risks = parsed.tables["risks"]
    assert len(risks) == count
    assert risks.kind.value_counts().to_dict() == kinds
    assert detect(data, name).__name__ == "loaders.risk"
    assert risks.title.notna().all()
    scored = risks.dropna(subset=["score"])
    assert ((scored.probability >= 1) & (scored.probability <= 5) & (scored.impact >= 1) & (scored.impact <= 5)).all()
    assert (scored.score == scored.probability * scored.impact).all()
    infos = [p.message for p in parsed.problems if p.severity == "info"]
    assert any("read as" in m for m in infos)  # every scale stated
    assert len(infos) == len(set(infos))  # once


@pytest.mark.real_exports
def test_words_with_a_prose_impact_keep_the_row_and_say_so(real_exports):
    _, parsed = _read(real_exports, "01_en_words-HML_rank_status-prose_xlsx.xlsx")
    risks = parsed.tables["risks"].set_index("risk_id")
    assert risks.loc["R1", ["probability", "impact", "score"]].tolist() == [5, 5, 25]
    assert pd_isna(risks.loc["R2", "impact"]) and risks.loc["R2", "impact_raw"].startswith("Medium at the beginning")
    warning = [p for p in parsed.problems if p.severity == "warning"]
    assert len(warning) == 1 and warning[0].row_number == 3


def pd_isna(value) -> bool:
    return value is None or value != value


@pytest.mark.real_exports
def test_x_marks_under_level_columns_are_positions(real_exports):
    _, parsed = _read(real_exports, "03_en-pt_X-mark-matrix_VL-VH_two-row-header.xlsx")
    risks = parsed.tables["risks"]
    assert risks.probability_raw.tolist() == ["M", "VL", "VL", "H", "L", "L"]
    assert risks.probability.tolist() == [3, 1, 1, 4, 2, 2]
    assert risks.impact.tolist() == [2, 4, 4, 2, 3, 3]
    assert risks.owner.tolist()[:2] == ["Tech Tics", "Client"]


@pytest.mark.real_exports
def test_money_impact_and_percent_bands_give_money_exposure(real_exports):
    _, parsed = _read(real_exports, "05_en_money-impact_EV_proximity_dates_sheet-named-Issue-Register.xlsx")
    risks = parsed.tables["risks"]
    assert risks.risk_id.tolist() == ["1", "2", "3"]
    assert risks.probability.tolist() == [5, 4, 4]  # 87.5 %, 62.5 %, 62.5 %
    assert risks.impact.tolist() == [4, 5, 4]  # fifths of the largest, 20,000
    assert risks.exposure.tolist() == pytest.approx([0.875 * 15000, 0.625 * 20000, 0.625 * 15000])
    assert parsed.meta["skipped"] == {"numbered": 3}
    assert str(risks.raised.iloc[0]) == "2022-11-08"


@pytest.mark.real_exports
def test_half_steps_are_kept_and_the_opportunity_is_apart(real_exports):
    _, parsed = _read(real_exports, "06_en_1-5-with-half-steps_score_preamble-cell.xlsx")
    risks = parsed.tables["risks"]
    assert risks.probability.tolist() == [3, 2, 1.5, 2.5, 1, 1.5, 4]
    assert risks.score.tolist() == [15, 6, 6, 5, 3, 2.25, 16]
    opportunity = risks[risks.kind == "opportunity"].iloc[0]
    assert opportunity.risk_id == "7" and opportunity.impact == 4 and opportunity.impact_raw == "-4"
    assert parsed.meta["skipped"] == {"total": 1, "legend": 6}
    assert risks[risks.kind == "risk"].score.sum() == 37.25  # the file's total 21.25 nets the opportunity's −16


@pytest.mark.real_exports
def test_letters_and_a_column_called_impact_that_is_not_one(real_exports):
    _, letters = _read(real_exports, "08_en_letters-L-M-H_preamble.xlsx")
    assert letters.tables["risks"].probability.value_counts().to_dict() == {1.0: 8, 3.0: 2}
    assert letters.project_name == "FIT 3140 Assignment 2"
    _, roman = _read(real_exports, "10_en_numeric-LxS_roman-numeral-class_residual.xlsx")
    risks = roman.tables["risks"]
    assert (risks.probability.min(), risks.probability.max()) == (1, 3)
    assert (risks.impact.min(), risks.impact.max()) == (2, 5)  # Severity, not the Roman-numeral Impact
    assert risks.impact_raw.iloc[0] == "2"
    assert '"Impact": "IV"' in risks.extra.iloc[0] and '"New Likelihood": "2"' in risks.extra.iloc[0]


@pytest.mark.real_exports
def test_sheet_picked_by_header_and_instruction_row_skipped(real_exports):
    _, parsed = _read(real_exports, "11_en_apple-numbers-export_summary-sheet-first_1-5.xlsx")
    risks = parsed.tables["risks"]
    assert set(risks.sheet) == {"Risk Register"}
    assert parsed.meta["skipped"] == {"instruction": 1}
    assert risks.score.tolist() == [20, 20, 16, 15, 15, 12, 12, 9, 6]


@pytest.mark.real_exports
def test_raid_log_reads_each_sheet_as_its_kind(real_exports):
    _, parsed = _read(real_exports, "14_en_RAID-4-sheets_typos-HIgh-progeress.xlsx")
    risks = parsed.tables["risks"].set_index("risk_id")
    assert risks.loc["R4", "impact"] == 5  # 'HIgh'
    assert risks.loc["I2", "status"] == "In progeress" and not risks.loc["I2", "is_closed"]
    assert risks.loc["I4", ["probability", "impact", "score"]].tolist() == [5, 5, 25]  # an issue has happened
    assert risks[risks.kind == "dependency"].is_closed.sum() == 4
    assert risks.loc["A1", "sheet"] == "Assumptions"


@pytest.mark.real_exports
def test_spanish_letters_and_english_words_with_score_and_band(real_exports):
    _, spanish = _read(real_exports, "16_es_A-M-B-letters_two-row-header_preamble-es-dates.xlsx")
    risks = spanish.tables["risks"]
    assert risks.risk_id.tolist() == [str(n) for n in range(1, 11)]
    assert risks.impact_raw.iloc[0] == "M" and risks.probability_raw.iloc[0] == "A"
    assert (risks.probability.iloc[0], risks.impact.iloc[0]) == (5, 3)
    assert risks.category.iloc[0] == "Técnico" and risks.owner.iloc[0] == "Data Analyst"
    assert any("'A' read as 5 of 5" in p.message for p in spanish.problems)
    _, words = _read(real_exports, "20_en_csv_words-HML_numeric-score_severity.csv")
    risks = words.tables["risks"]
    assert risks.impact_raw.iloc[0] == "High"  # the Impact column, not the Severity band
    assert '"Score": "16"' in risks.extra.iloc[0]


@pytest.mark.real_exports
def test_real_registers_ingest_as_risk_snapshots(real_exports, store):
    for name, (count, _) in FIXTURES.items():
        report = ingest_bytes(
            store,
            (real_exports / "risk" / name).read_bytes(),
            name,
            project_id="P1",
            as_of=__import__("datetime").date(2026, 11, 20),
        )
        assert report.status == "stored" and report.rows_loaded == count, report.message


def _xlsx(rows, sheet="Risks") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["Low", "Medium", "High"], [1, 3, 5]),
        (["Very low", "Low", "Medium", "High", "Very high"], [1, 2, 3, 4, 5]),
        (["Rare", "Unlikely", "Possible", "Likely", "Almost certain"], [1, 2, 3, 4, 5]),
        (["L", "M", "H"], [1, 3, 5]),
        (["B", "M", "A"], [1, 3, 5]),
        (["Bassa", "Media", "Alta"], [1, 3, 5]),
        (["Faible", "Moyen", "Élevé"], [1, 3, 5]),
        (["Niedrig", "Mittel", "Hoch"], [1, 3, 5]),
        ([1, 2.5, 5], [1, 2.5, 5]),
        (["10%", "40%", "90%"], [2, 3, 5]),
        ([0.05, 0.6, 0.95], [1, 4, 5]),
        (["0% to 5%", "25% to 50%", "75% to 100%"], [1, 3, 5]),
    ],
)
def test_each_probability_scale_kind_reads_onto_1_to_5(values, expected):
    rows = [["ID", "Title", "Probability", "Impact"]] + [[f"R{k}", f"risk {k}", v, 3] for k, v in enumerate(values)]
    parsed = parse(_xlsx(rows), "register.xlsx")
    assert parsed.tables["risks"].probability.tolist() == expected
    assert sum("Probability" in p.message for p in parsed.problems if p.severity == "info") == 1


def test_money_impact_is_fifths_of_the_largest_and_a_1_to_10_scale_is_halved():
    rows = [
        ["ID", "Risk", "Likelihood (1-10)", "Cost impact (EUR)"],
        ["1", "a", 10, 100000],
        ["2", "b", 4, 20000],
        ["3", "c", 1, 50000],
    ]
    risks = parse(_xlsx(rows), "r.xlsx").tables["risks"]
    assert risks.probability.tolist() == [5, 2, 1]  # levels 10, 4 and 1 of 10
    assert risks.impact.tolist() == [5, 1, 3]
    assert risks.currency.tolist() == ["EUR"] * 3
    assert risks.exposure.tolist() == pytest.approx([85_000, 4_000, 2_500])  # level-band midpoints 85 %, 20 %, 5 %


def test_ids_stay_text_and_csv_headers_are_found_below_a_preamble():
    csv = b"Project: Apollo\n\nRisk ID,Risk title,Likelihood,Severity,Owner,Status,Due date\n" + (
        b"0001,Vendor late,High,High,Ana,Open,2026-10-01\n0002,Old risk,Low,Low,Ben,Closed,\n,,,,,,\nTotal,,,,,,\n"
    )
    parsed = parse(csv, "apollo.csv")
    risks = parsed.tables["risks"]
    assert risks.risk_id.tolist() == ["0001", "0002"]
    assert risks.is_closed.tolist() == [False, True]
    assert str(risks.due.iloc[0]) == "2026-10-01"
    assert parsed.project_name == "Apollo" and parsed.meta["skipped"] == {"total": 1}
    assert text_id(12.0) == "12" and text_id("007") == "007"


def test_a_1_to_3_scale_and_us_dates_decided_per_column():
    rows = [
        ["ID", "Risk", "Likelihood (1-3)", "Impact (1-3)", "Due"],
        ["1", "a", 1, 3, "11/25/2026"],
        ["2", "b", 2, 2, "01/05/2027"],
    ]
    parsed = parse(_xlsx(rows), "r.xlsx")
    risks = parsed.tables["risks"]
    assert risks.probability.tolist() == [1, 3] and risks.impact.tolist() == [5, 3]
    assert [str(d) for d in risks.due] == ["2026-11-25", "2027-01-05"]  # 25 cannot be a month: month first


def test_marked_for_escalation_and_a_threat_opportunity_column():
    rows = [
        ["Ref", "Description", "P", "I", "T/O", "Escalate?"],
        ["R1", "a", 4, 5, "T", "Yes"],
        ["R2", "b", 3, 3, "O", ""],
    ]
    risks = parse(_xlsx(rows), "r.xlsx").tables["risks"]
    assert risks.kind.tolist() == ["risk", "opportunity"]
    assert risks.escalate.tolist() == [True, False]


def test_a_workbook_without_a_register_is_not_a_risk_file_and_is_refused():
    data = _xlsx([["Name", "Amount"], ["x", 1]], sheet="Sheet1")
    assert not sniff(Sample(data, "x.xlsx"))
    with pytest.raises(Refused, match="no sheet holds a risk register"):
        parse(data, "x.xlsx")


def test_level_and_percent_helpers():
    assert [level_of(i, 3) for i in (1, 2, 3)] == [1, 3, 5]
    assert [level_of(i, 4) for i in (1, 2, 3, 4)] == [1, 2, 4, 5]
    assert percent_of("50% to 75%") == 62.5 and percent_of(0.3) == 30 and percent_of("High") is None


def test_lists_beside_the_table_and_numbered_rows_are_counted_once_per_reason():
    rows = [
        ["ID", "Risk", "Probability", "Impact", "", "Lists"],
        ["1", "a", 2, 3, "", "High"],
        ["2", "", "", "", "", ""],
        ["3", "", "", "", "", ""],
        ["4", "", "", "", "", ""],
        ["", "", "", "", "High", ""],
    ]
    parsed = parse(_xlsx(rows), "r.xlsx")
    assert len(parsed.tables["risks"]) == 1
    assert parsed.meta["skipped"] == {"numbered": 3, "beside": 1}
    messages = [p.message for p in parsed.problems]
    assert "rows 3–5: an empty numbered row, skipped (3 rows)." in messages


def test_cells_nothing_reads_are_counted_never_dropped_silently():
    """A comma inside an unquoted exposure ('4,500') pushes R2's cells one column right: read as
    they stand it would be an open risk scored 1,000. It is rejected with an error naming the row;
    R3 stops short of the header (a warning); a legend beside a workbook's table sits under no
    header (a warning naming the column and rows). The other rows load as written."""
    data = (
        b"ID,Title,Exposure,Probability,Impact,Status\n"
        b"R1,Vendor late,1000,2,4,Open\nR2,Outage,4,500,4,5,Closed\nR3,Short,300,3,3\n"
    )
    parsed = parse(data, "raid.csv")
    errors = [p for p in parsed.problems if p.severity == "error"]
    assert [p.row_number for p in errors] == [3] and errors[0].message.startswith(
        "row 3 has 7 cells but the header names 6: probably a delimiter inside an unquoted cell"
    )
    assert parsed.rows_rejected == 1
    risks = parsed.tables["risks"].set_index("risk_id")
    assert risks.index.tolist() == ["R1", "R3"]
    assert (risks.loc["R1", "probability"], risks.loc["R1", "impact"], risks.loc["R1", "status"]) == (2, 4, "Open")
    short = [p for p in parsed.problems if "fewer cells than the header" in p.message]
    assert len(short) == 1 and short[0].message.startswith("row 4: fewer cells than the header's 6 named columns")

    wb = Workbook()
    ws = wb.active
    ws.append(["ID", "Title", "Probability", "Impact", None, None])
    ws.append(["R1", "Vendor late", 3, 4, None, "1 = Rare"])
    ws.append(["R2", "Outage", 2, 5, None, "5 = Almost certain"])
    buffer = io.BytesIO()
    wb.save(buffer)
    parsed = parse(buffer.getvalue(), "raid.xlsx")
    legend = [p for p in parsed.problems if p.column_name == "F"]
    assert len(legend) == 1 and "its 2 filled cell(s) (rows 2–3) were not read" in legend[0].message
    assert len(parsed.tables["risks"]) == 2 and parsed.rows_rejected == 0


def test_a_level_past_the_scales_top_is_never_read_and_bare_percentages_are_percentages():
    """A 1–5 column is never re-read as 1–10 (halving every score) for one typo, and no level ever
    passes 5, so a score stays within 1–25: the typo is a warning and left empty. Chances written
    as 10, 35, 80 (no % sign; at least 4 in 5 of them within 0–100) are percentages, read through
    the percent bands."""
    typo = [["ID", "Title", "Probability (1-5)", "Impact"]] + [
        [f"R{k}", f"risk {k}", v, 3] for k, v in enumerate([2, 4, 5, 50])
    ]
    parsed = parse(_xlsx(typo), "register.xlsx")
    risks = parsed.tables["risks"]
    assert risks.probability.tolist()[:3] == [2, 4, 5] and pd.isna(risks.probability.iloc[3])
    assert risks.score.max() <= 25
    assert [p.message for p in parsed.problems if p.severity == "warning"] == [
        "row 5: 50 is above the top of the scale 1–5; probability left empty, so the entry has no score."
    ]
    unnamed = [["ID", "Title", "Probability", "Impact"]] + [
        [f"R{k}", f"risk {k}", v, 3] for k, v in enumerate([2, 4, 5, 3, 50])
    ]  # no range in the header: 4 in 5 values on 1–5 say the scale, the 50 is the typo
    risks = parse(_xlsx(unnamed), "register.xlsx").tables["risks"]
    assert risks.probability.tolist()[:4] == [2, 4, 5, 3] and pd.isna(risks.probability.iloc[4])
    impacts = [["ID", "Title", "Probability", "Impact"]] + [
        [f"R{k}", f"risk {k}", 3, v] for k, v in enumerate([2, 4, 5, 3, 50])
    ]  # not money: one typo of 50 must not make every other impact 1 of 5 "in fifths of 50"
    risks = parse(_xlsx(impacts), "register.xlsx").tables["risks"]
    assert risks.impact.tolist()[:4] == [2, 4, 5, 3] and pd.isna(risks.impact.iloc[4])
    assert risks.exposure.isna().all()
    chances = [["ID", "Title", "Probability", "Impact"]] + [
        [f"R{k}", f"risk {k}", str(v), 3] for k, v in enumerate([10, 35, 80, 60, 150])
    ]
    parsed = parse(_xlsx(chances), "register.xlsx")
    assert parsed.tables["risks"].probability.tolist()[:3] == [2, 3, 5]  # the bands of 10 %, 35 % and 80 %
    assert any("without a % sign read as percentages" in p.message for p in parsed.problems)
    assert any("'150' is not a percentage from 0 to 100" in p.message for p in parsed.problems)
