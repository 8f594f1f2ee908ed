"""The CLI's batch ingest (:mod:`loaders.batch`): files parsed several at a time and stored in the
order given give exactly what a one-by-one ingest gives: the same lines, the same uploads."""

from __future__ import annotations

import json

import pytest
from builders import SAMPLES, cli

from loaders import __main__ as loaders_cli
from store import Store


@pytest.fixture
def batch(real_exports, tmp_path):
    """A mixed weekly batch: the samples (register first), real exports (one refused, one that
    needs a column mapping), a file given twice, a garbage file and a missing path."""
    garbage = tmp_path / "notes.csv"
    garbage.write_bytes(b"\x00\x01 not an export\n")
    samples = sorted(SAMPLES.iterdir(), key=lambda p: "register" not in p.name)
    return [
        *samples,
        real_exports / "jira" / "01_cloud_allfields_en_2025-26_3storypointfields_team.csv",
        real_exports / "jira" / "09_cloud_allfields_pl-localized_EXCEL-MANGLED_semicolons.csv",
        real_exports / "finance" / "m02_sap-cji3_de_xlsx_wbs-objekt_kostenart_wert-bwaehr.xlsx",
        samples[1],
        garbage,
        tmp_path / "missing.xml",
    ]


def _uploads(db) -> list[dict]:
    listed = json.loads(cli(loaders_cli.main, "uploads", "--db", db, "--json").stdout)
    return [{k: v for k, v in row.items() if k != "loaded_at"} for row in listed]


def test_parallel_ingest_prints_and_stores_what_one_by_one_does(batch, tmp_path):
    one, many = tmp_path / "one.duckdb", tmp_path / "many.duckdb"
    sequential = cli(loaders_cli.main, "ingest", *batch, "--db", one, "--jobs", "1", "-v")
    parallel = cli(loaders_cli.main, "ingest", *batch, "--db", many, "--jobs", "3", "-v")
    assert parallel.returncode == sequential.returncode == 1  # the mangled Jira file and the garbage
    assert parallel.stdout == sequential.stdout
    lines = parallel.stdout.splitlines()
    firsts = [ln for ln in lines if not ln.startswith("    ")]
    assert len(firsts) == len(batch)
    assert [ln.split()[0] for ln in firsts].count("STORED") == len(list(SAMPLES.iterdir())) + 2
    assert any("missing.xml" in ln and ln.startswith("REFUSED") for ln in firsts)
    assert any(ln.startswith("SKIPPED") for ln in firsts)  # the file given twice
    assert _uploads(many) == _uploads(one)
    for table in ("tasks", "issues", "budget_lines", "evm_points"):
        query = f"select count(*) from {table}"
        assert Store(many).query(query).iloc[0, 0] == Store(one).query(query).iloc[0, 0] > 0, table


def test_a_finance_file_parsed_ahead_is_parsed_again_when_a_mapping_is_saved_for_its_shape(tmp_path):
    """Finance files are parsed ahead without a mapping; one whose shape has a saved mapping is read
    again with it in its turn, as a one-by-one ingest would, and one the loader cannot decide is
    refused with its question."""
    q1, q2, q3, other = (tmp_path / n for n in ("q1.csv", "q2.csv", "q3.csv", "x.csv"))
    q1.write_bytes(b"Team,Jan-26,Feb-26\nA,1000,2000.5\n")
    q2.write_bytes(b"Team,Jan-26,Feb-26\nA,5000,6000\n")
    q3.write_bytes(b"Team,Jan-26,Feb-26\nA,700,800\n")
    other.write_bytes(b"Kst,Monat,Betrag X\nK1,2026-01,10\n")
    outputs, sums = [], []
    for jobs in ("1", "3"):
        db = tmp_path / f"{jobs}.duckdb"
        assert (
            cli(loaders_cli.main, "ingest", q1, "--db", db, "--map", "measure=actual", "--project", "P1").returncode
            == 0
        )
        result = cli(loaders_cli.main, "ingest", q2, other, q3, "--db", db, "--project", "P1", "--jobs", jobs)
        outputs.append(result.stdout)
        sums.append(Store(db).query("select sum(actual) from budget_lines").iloc[0, 0])
    assert outputs[0] == outputs[1]
    assert [ln.split()[0] for ln in outputs[1].splitlines()] == ["STORED", "REFUSED", "STORED"]
    assert "--map" in outputs[1].splitlines()[1]
    assert sums[0] == sums[1] == 3000.5 + 11000 + 1500


def test_jobs_must_be_a_whole_number():
    result = cli(loaders_cli.main, "ingest", "x.csv", "--jobs", "0")
    assert result.returncode == 2 and "1 or more" in result.stderr
