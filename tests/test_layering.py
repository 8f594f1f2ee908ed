"""The layering rules of DESIGN.md §2, and the code style, enforced."""

import re
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT


@pytest.mark.parametrize("package", ["metrics", "loaders", "charts", "views", "data"])
def test_core_packages_never_import_streamlit(package):
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / package).rglob("*.py")
        if re.search(r"^\s*(import|from)\s+streamlit", p.read_text(), re.MULTILINE)
    ]
    assert offenders == []


def test_pages_hold_no_sql_or_reshaping():
    pattern = re.compile(r"\b(SELECT|GROUP BY|INSERT INTO)\b|\.groupby\(|\.pivot(_table)?\(|duckdb")
    offenders = [
        f"{p.name}:{n}"
        for p in (ROOT / "app_pages").glob("*.py")
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def _ruff(*args):
    exe = shutil.which("ruff")
    cmd = [exe, *args] if exe else [sys.executable, "-m", "ruff", *args]
    return subprocess.run([*cmd, str(ROOT)], capture_output=True, text=True)


def test_ruff_lint_clean():
    result = _ruff("check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_clean():
    result = _ruff("format", "--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_pages_folder_beside_the_entry_point():
    """Streamlit serves a ``pages/`` folder beside the entry point on its own: on a fresh server a
    first request to /finance ran pages/finance.py without app.py (its automatic page list, the
    narrow layout, no sign-in page). The pages live in ``app_pages/``, reached only through
    ``st.navigation`` in app.py."""
    assert not (ROOT / "pages").exists()
    assert sorted(p.name for p in (ROOT / "app_pages").glob("*.py"))
    app = (ROOT / "app.py").read_text()
    for page in (ROOT / "app_pages").glob("*.py"):
        assert f'"app_pages/{page.name}"' in app, f"{page.name} is not in app.py's navigation"
