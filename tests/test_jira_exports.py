"""Issue 13, Jira side: the HTML export's "Generated at" footer as the as-of date, the header found
below preamble rows in Excel re-saves, on files built in the real formats."""

import datetime as dt

from msproject_files import xlsx

from loaders import jira

HEADER = ["Issue key", "Issue id", "Issue Type", "Summary", "Status", "Created", "Updated", "Resolved"]
ROWS = [
    ["DEMO-1", "10001", "Story", "First", "Done", "01/Mar/24 9:00 AM", "02/Mar/24 10:00 AM", "02/Mar/24 10:00 AM"],
    ["DEMO-2", "10002", "Bug", "Second", "To Do", "01/Mar/24 9:30 AM", "03/Mar/24 11:00 AM", ""],
]
FOOTER = "Generated at Mon Mar 04 09:12:45 UTC 2024 by Jane Doe using JIRA 8.20.1#820001-sha1:0a1b2c."


def _html() -> bytes:
    head = "".join(f"<th>{h}</th>" for h in HEADER)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in ROWS)
    return (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">'
        '<head><title>Your Company JIRA</title><META HTTP-EQUIV="Content-Type" Content="application/vnd.ms-excel; '
        'charset=UTF-8"></head><body><table><tr><td>Your Company JIRA</td></tr></table>'
        f'<table id="issuetable" border="1"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        f'<table border="1"><tr><td colspan="8"><font size="1">{FOOTER}</font></td></tr></table></body></html>'
    ).encode()


def test_html_export_generated_at_is_the_as_of_date():
    parsed = jira.parse(_html(), "SearchRequest.xls")
    assert parsed.format == "Jira HTML .xls"
    assert parsed.as_of == dt.date(2024, 3, 4)  # not the latest Updated (3 March)
    assert parsed.meta["generated_at"] == "2024-03-04T09:12:45"
    assert any("generated at 2024-03-04 09:12" in p.message for p in parsed.problems)


def test_excel_resave_with_the_header_on_row_4_and_the_footer():
    preamble = [["Your Company JIRA"], ["Displaying 2 issues at 04/Mar/24 9:12 AM."], []]
    data = xlsx({"general_report": [*preamble, HEADER, *ROWS, [], [FOOTER]]})
    parsed = jira.parse(data, "SearchRequest.xlsx")
    issues = parsed.tables["issues"]
    assert list(issues["issue_key"]) == ["DEMO-1", "DEMO-2"]  # the footer is not an issue
    assert parsed.rows_rejected == 0
    assert parsed.as_of == dt.date(2024, 3, 4)


def test_csv_without_footer_keeps_the_latest_updated():
    text = ",".join(HEADER) + "\n" + "\n".join(",".join(r) for r in ROWS) + "\n"
    parsed = jira.parse(text.encode(), "jira.csv")
    assert parsed.as_of == dt.date(2024, 3, 3) and "generated_at" not in parsed.meta


def test_german_server_export_fixture_generated_at(real_exports):
    data = (real_exports / "jira" / "13_html-disguised-xls_de-localized_2016.xls").read_bytes()
    parsed = jira.parse(data, "JIRA.xls")
    assert parsed.as_of == dt.date(2016, 12, 1)  # "Erstellt am Thu Dec 01 10:59:18 CET 2016 … mit JIRA 7.0.0"
