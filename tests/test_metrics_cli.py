"""The metrics CLI: JSON shapes of DESIGN.md §4 and plain errors, on the sample exports."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from types import SimpleNamespace

import pytest
from conftest import ROOT

from metrics import budget
from metrics.__main__ import main, to_jsonable
from store import Store


@pytest.fixture(scope="module")
def db(samples_db):
    return samples_db  # every sample, built once per session; these tests only read


def run(*args):
    """The CLI in-process (what ``python -m metrics ARGS`` prints and returns)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse refusing an argument
            code = exit_.code
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


def run_module(*args):
    return subprocess.run([sys.executable, "-m", "metrics", *args], cwd=ROOT, capture_output=True, text=True)


def test_portfolio_json_has_the_contract_keys(db):
    result = run("portfolio", "--db", str(db), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    keys = {
        "project_id",
        "name",
        "program",
        "status",
        "reasons",
        "spi",
        "cpi",
        "spi_t",
        "bac",
        "ev",
        "ac",
        "eac",
        "budget_variance_pct",
        "confidence",
    }
    assert data["as_of"] == "2026-11-20"
    assert keys <= set(data["projects"][0])
    assert {p["status"] for p in data["projects"]} <= {"green", "amber", "red", "unknown"}
    one = run("portfolio", "--project", "CORE-LEDGER", "--db", str(db), "--json")
    assert [p["project_id"] for p in json.loads(one.stdout)["projects"]] == ["CORE-LEDGER"]


def test_budget_takes_a_fiscal_year_start(db):
    april = json.loads(run("budget", "--fy-start-month", "4", "--db", str(db), "--json").stdout)
    january = json.loads(run("budget", "--db", str(db), "--json").stdout)
    assert april["projects"][0]["ytd_budget"] != january["projects"][0]["ytd_budget"]
    expected = budget.report(Store(db), fy_start_month=4)
    assert april == json.loads(json.dumps(to_jsonable(expected), ensure_ascii=False))


def test_unknown_project_is_a_plain_error(db):
    result = run_module("evm", "--project", "NOPE", "--db", str(db), "--json")
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    bad_date = run("portfolio", "--as-of", "31/12/2026", "--db", str(db))
    assert bad_date.returncode == 2 and "is not a date like 2026-03-31" in bad_date.stderr
