"""Hostile uploads, built at test time: every one ends in a clear refusal or a correct load, the
process that asked survives, and nothing is stored from a refused file (loaders.precheck,
loaders.sandbox, the problem cap in loaders.ingest)."""

from __future__ import annotations

import ctypes
import io
import os
import random
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from loaders import ingest, precheck, sandbox
from loaders.base import Parsed, Problem
from loaders.errors import NeedsMapping, Refused
from loaders.ingest import cap_problems, ingest_bytes, parse_file
from store import Store

ROOT = Path(__file__).resolve().parent.parent
JIRA_HEADER = "Summary,Issue key,Issue id,Issue Type,Status,Created,Updated,Resolved,Custom field (Story Points)\n"


def jira_csv(rows: int, bad_every: int = 0) -> bytes:
    """A Jira CSV of ``rows`` issues; every ``bad_every``-th row has a wrong number of cells."""
    lines = [JIRA_HEADER]
    for n in range(1, rows + 1):
        if bad_every and n % bad_every == 0:
            lines.append(f"broken {n},ABC-{n}\n")
        else:
            lines.append(
                f"Story {n},ABC-{n},{10000 + n},Story,Done,01/Mar/26 9:00 AM,05/Mar/26 9:00 AM,05/Mar/26 9:00 AM,3\n"
            )
    return "".join(lines).encode()


def xlsx(write) -> bytes:
    buf = io.BytesIO()
    workbook = xlsxwriter.Workbook(buf)
    write(workbook.add_worksheet("Tasks"))
    workbook.close()
    return buf.getvalue()


def far_cell_workbook(keep_dimension: bool = True) -> bytes:
    def write(ws):
        ws.write_row(0, 0, ["ID", "Name", "Start", "Finish"])
        ws.write(1048575, 16383, "x")

    data = xlsx(write)
    if keep_dimension:
        return data
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                body = re.sub(rb"<dimension[^>]*/>", b"", body)
            target.writestr(info, body)
    return out.getvalue()


def zip_with(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, body in members.items():
            target.writestr(name, body)
    return out.getvalue()


def refused(data: bytes, name: str) -> str:
    with pytest.raises(Refused) as err:
        parse_file(data, name)
    message = str(err.value)
    assert message.startswith(name + ":"), message
    assert "Traceback" not in message
    return message


def still_serving() -> None:
    """After a hostile file, the same process parses a good one."""
    parsed = parse_file(jira_csv(3), "good.csv")
    assert parsed.source == "jira" and parsed.rows_loaded > 0


# -- module-level work for the child (pickled by reference) -----------------------------------------


def _allocate(megabytes: int) -> int:
    blocks = [bytearray(2**20) for _ in range(megabytes)]
    return len(blocks)


def _sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "woke"


def _abort() -> None:
    os.abort()


def _segfault() -> None:
    ctypes.string_at(0)


def _needs_mapping() -> None:
    raise NeedsMapping(
        "budget.xlsx: which column is the actual?",
        source="finance",
        shape="Sheet1|Amount|Period",
        columns=["Amount", "Period"],
        roles=("actual", "period"),
        suggested={"period": "Period"},
        preview=[["Amount", "Period"], ["1", "2026-01"]],
    )


def _unpicklable():
    return lambda: None


def _recurse(depth: int = 0):
    return _recurse(depth + 1)


# -- readers that would take the process down ---------------------------------------------------------


def test_a_sheet_declaring_every_cell_is_refused_before_reading():
    message = refused(far_cell_workbook(), "far.xlsx")
    assert "1,048,576 rows × 16,384 columns" in message and "Ctrl+End" in message
    still_serving()


def test_a_far_cell_without_a_declared_dimension_is_contained_by_the_child():
    message = refused(far_cell_workbook(keep_dimension=False), "far-nodim.xlsx")
    assert "memory" in message
    still_serving()


def test_a_child_that_aborts_becomes_a_refusal():
    with pytest.raises(Refused, match=r"x\.xlsx: the reader aborted"):
        sandbox.run(_abort, file_name="x.xlsx")
    still_serving()


def test_a_child_that_crashes_becomes_a_refusal():
    with pytest.raises(Refused, match=r"x\.xml: the reader crashed on this file"):
        sandbox.run(_segfault, file_name="x.xml")
    still_serving()


def test_memory_beyond_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(sandbox, "MEMORY_LIMIT", 64 * 2**20)
    with pytest.raises(Refused, match=r"more than 0\.1 GB of memory"):
        sandbox.run(_allocate, 400, file_name="big.csv")
    assert sandbox.run(_allocate, 8, file_name="small.csv") == 8


def test_time_beyond_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(sandbox, "TIME_LIMIT", 1.0)
    started = time.monotonic()
    with pytest.raises(Refused, match=r"slow\.csv: reading the file took over 1 s"):
        sandbox.run(_sleep, 30, file_name="slow.csv")
    assert time.monotonic() - started < 10
    monkeypatch.setattr(sandbox, "TIME_LIMIT", 60.0)
    assert sandbox.run(_sleep, 0, file_name="fast.csv") == "woke"


def test_deep_recursion_is_a_refusal():
    with pytest.raises(Refused, match="nested too deeply"):
        sandbox.run(_recurse, file_name="deep.xml")


def test_a_loader_question_comes_back_whole():
    with pytest.raises(NeedsMapping) as err:
        sandbox.run(_needs_mapping, file_name="budget.xlsx")
    assert err.value.roles == ("actual", "period") and err.value.suggested == {"period": "Period"}
    assert err.value.preview[1] == ["1", "2026-01"] and str(err.value) == "budget.xlsx: which column is the actual?"


def test_a_result_that_cannot_travel_is_a_refusal():
    with pytest.raises(Refused, match="could not be returned"):
        sandbox.run(_unpicklable, file_name="odd.csv")


def test_in_process_when_not_isolated(monkeypatch):
    monkeypatch.setattr(sandbox, "ISOLATED", False)
    assert sandbox.run(os.getpid, file_name="x") == os.getpid()
    monkeypatch.setattr(sandbox, "ISOLATED", True)
    assert sandbox.run(os.getpid, file_name="x") != os.getpid()


def test_the_script_running_as_main_is_not_run_again_in_the_child(tmp_path, monkeypatch):
    """Under Streamlit ``__main__`` is the page script; a child must parse, not re-run the page."""
    import types

    page = tmp_path / "page.py"
    page.write_text("raise SystemExit('the page ran in the child')\n")
    main = types.ModuleType("__main__")
    main.__file__ = str(page)
    monkeypatch.setitem(sys.modules, "__main__", main)
    parsed = parse_file(jira_csv(3), "jira.csv")
    assert len(parsed.tables["issues"]) == 3
    assert sys.modules["__main__"] is main


# -- zip bombs and oversized archives -----------------------------------------------------------------


def test_a_member_that_expands_a_thousand_times_is_refused():
    bomb = zip_with({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b"\0" * (40 * 2**20)})
    assert len(bomb) < 200_000
    message = refused(bomb, "bomb.xlsx")
    assert "expands" in message and "times" in message
    still_serving()


def test_an_archive_declaring_more_than_the_cap_is_refused(monkeypatch):
    monkeypatch.setattr(precheck, "MAX_UNZIPPED_BYTES", 2**20)
    data = zip_with({"xl/worksheets/sheet1.xml": os.urandom(2 * 2**20)})
    assert "would expand to" in refused(data, "wide.xlsx")


def test_a_damaged_zip_is_refused():
    assert "damaged" in refused(b"PK\x03\x04" + b"\x00" * 200, "broken.xlsx")


def test_a_small_real_workbook_passes_the_checks():
    data = xlsx(lambda ws: ws.write_row(0, 0, ["project_id", "name", "program"]) or ws.write_row(1, 0, ["A", "B", "C"]))
    precheck.check(data, "ok.xlsx")


# -- XML --------------------------------------------------------------------------------------------


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Project xmlns="http://schemas.microsoft.com/project"><Name>&lol3;</Name></Project>"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Project xmlns="http://schemas.microsoft.com/project"><Name>&secret;</Name></Project>"""


@pytest.mark.parametrize(("data", "name"), [(BILLION_LAUGHS, "laughs.xml"), (EXTERNAL, "external.xml")])
def test_xml_declaring_entities_is_refused(data, name):
    assert "declares entities" in refused(data, name)


def test_utf16_xml_declaring_entities_is_refused():
    assert "declares entities" in refused(b"\xff\xfe" + BILLION_LAUGHS.decode().encode("utf-16-le"), "laughs16.xml")


def test_deeply_nested_xml_is_refused_not_fatal():
    deep = b'<?xml version="1.0"?><Project xmlns="http://schemas.microsoft.com/project">' + b"<a>" * 200_000
    refused(deep + b"</a>" * 200_000 + b"</Project>", "deep.xml")
    still_serving()


# -- wide and broken text -------------------------------------------------------------------------------


def test_a_hundred_thousand_columns_are_refused_at_once():
    data = (",".join(f"c{n}" for n in range(100_000)) + "\n" + ",".join("1" * 100_000) + "\n").encode()
    started = time.monotonic()
    message = refused(data, "wide.csv")
    assert "100,000 columns" in message and time.monotonic() - started < 5


def test_semicolon_wide_files_are_refused_too():
    assert "columns" in refused((";".join(["x"] * 20_000) + "\n").encode(), "wide-semicolon.csv")


def test_binary_noise_is_a_refusal():
    refused(random.Random(7).randbytes(50_000), "noise.bin")
    still_serving()


def test_an_empty_file_is_a_refusal():
    refused(b"", "empty.csv")


# -- problem cap ------------------------------------------------------------------------------------


def test_problems_are_capped_with_the_rest_counted():
    problems = [Problem(f"row {n} bad", "error", n) for n in range(5_000)]
    parsed = Parsed("jira", "Jira CSV", {}, problems=problems, rows_rejected=5_000)
    capped = cap_problems(parsed, limit=100)
    assert len(capped.problems) == 100 and capped.rows_rejected == 5_000
    assert capped.problems[-1].message.startswith("4,901 more problems not listed (4,901 error)")
    assert capped.problems[-1].severity == "error"
    assert cap_problems(capped, limit=100) is capped


def test_a_file_with_thousands_of_bad_rows_stores_a_bounded_problem_list(tmp_path):
    store = Store(tmp_path / "cap.duckdb")
    report = ingest_bytes(store, jira_csv(7_500, bad_every=3), "ABC 2026-03-06.csv", project_id="ABC")
    assert report.status == "stored", report.message
    assert report.rows_loaded == 5_000 and report.rows_rejected == 2_500
    stored = store.problems(report.upload_id)
    assert len(stored) <= ingest.MAX_PROBLEMS
    assert "more problems not listed" in stored.iloc[-1]["message"]


# -- the CLI ----------------------------------------------------------------------------------------


def test_the_cli_refuses_a_hostile_workbook_without_a_traceback(tmp_path):
    path = tmp_path / "far.xlsx"
    path.write_bytes(far_cell_workbook(keep_dimension=False))
    good = tmp_path / "ABC 2026-03-06.csv"
    good.write_bytes(jira_csv(5))
    db = tmp_path / "cli.duckdb"
    run = subprocess.run(
        [sys.executable, "-m", "loaders", "ingest", str(path), str(good), "--db", str(db), "--project", "ABC"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "REFUSED" in run.stdout and "far.xlsx" in run.stdout and "STORED" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr and "panicked" not in run.stderr
    assert len(Store(db).uploads()) == 1


# -- SIGKILL mid-ingest: before or after, never torn ----------------------------------------------------


def test_an_ingest_killed_at_any_moment_leaves_the_upload_whole_or_absent(tmp_path):
    files = []
    for week in range(3):
        path = tmp_path / f"ABC 2026-03-{6 + 7 * week:02d}.csv"
        path.write_bytes(jira_csv(3_000 + week))
        files.append(path)
    db = tmp_path / "kill.duckdb"
    command = [sys.executable, "-m", "loaders", "ingest", *map(str, files), "--db", str(db), "--project", "ABC"]

    def start(target: Path) -> tuple[subprocess.Popen, float]:
        """The ingest into ``target`` started, and the seconds until it opened the database (the
        files are parsed first): the kill moments below fall in the writes, not before them."""
        began = time.monotonic()
        process = subprocess.Popen(
            [*command[:-4], "--db", str(target), "--project", "ABC"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        while not target.exists() and process.poll() is None and time.monotonic() - began < 120:
            time.sleep(0.005)
        return process, time.monotonic() - began

    began = time.monotonic()
    process, opened = start(db)
    assert process.wait(timeout=120) == 0
    writing = time.monotonic() - began - opened  # from opening the database to the end
    expected = {f.name: 3_000 + n for n, f in enumerate(files)}
    rng = random.Random(11)
    for round_ in range(5):
        victim = tmp_path / f"kill{round_}.duckdb"
        process, _ = start(victim)
        time.sleep(rng.uniform(0.02, max(0.05, writing)))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        if not victim.exists():
            continue
        store = Store(victim)
        for upload in store.uploads().itertuples():
            rows = store.query("SELECT count(*) AS n FROM issues WHERE upload_id = ?", [upload.upload_id])
            assert rows.n[0] == expected[upload.file_name], f"round {round_}: {upload.file_name} torn"
