"""One real-browser test: Debian's Chromium driven by Playwright against `streamlit run app.py`
on the demo portfolio (a copy of the session's build). It visits every page, saves a screenshot of
each to tests/artifacts/ and uploads a file. CI installs Chromium and sets PMO_REQUIRE_BROWSER=1, so there it never skips."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from builders import app_page, app_run, copy_db, debian_chromium, idle, need_chromium, settle, streamlit_app
from conftest import ROOT

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "tests" / "artifacts"
HOSTILE_NAME = "see https://evil.example/x, www.evil.example or pm@evil.example.csv"


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_build):
    """The app on a copy of the session's demo portfolio (built once, the way the first start builds
    it; tests/test_first_start.py drives the first start itself)."""
    yield from _serve(tmp_path_factory, copy_db(demo_build.db, tmp_path_factory.mktemp("browser") / "portfolio.duckdb"))


@pytest.fixture(scope="module")
def partial_server(tmp_path_factory):
    """A partial portfolio: a register, one project with a plan lacking % complete, a Jira export
    without points and a budget-only workbook, plus finance for unregistered projects."""
    from test_partial_portfolios import SAMPLES, _mixed

    from loaders.ingest import ingest_path
    from store import Store

    db = tmp_path_factory.mktemp("partial") / "partial.duckdb"
    store = Store(db)
    _mixed(store)
    ingest_path(store, SAMPLES / "finance_budget_vs_actual_long_2026-10-31.csv")
    store.write_upload(  # an upload whose file name holds a URL, a www. address and an e-mail
        source="register",
        fmt="test",
        file_name=HOSTILE_NAME,
        sha256="hostile",
        project_id=None,
        as_of=dt.date(2026, 11, 21),
        tables={},
        problems=pd.DataFrame(columns=["row_number", "column_name", "value", "severity", "message"]),
        rows_loaded=0,
        rows_rejected=0,
    )
    yield from _serve(tmp_path_factory, db, usage_stats_flag=False)  # the app as configured


def _serve(tmp_path_factory, db: Path, **kwargs):
    need_chromium()
    log = tmp_path_factory.mktemp("log") / "streamlit.log"
    with streamlit_app(db, log, env={"PMO_DEMO": "1"}, **kwargs) as url:
        yield url, db


@pytest.fixture(scope="module")
def browser():
    with debian_chromium() as b:
        yield b


def test_every_page_renders_on_the_demo_portfolio_and_an_upload_lands(server, browser):
    url, db = server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = app_page(browser, viewport={"width": 1440, "height": 1500})
    errors, requests, hrefs = [], [], []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url, timeout=60_000)
    page.wait_for_selector("h1:has-text('Portfolio overview')", timeout=120_000)
    settle(page)
    assert db.exists()
    links = page.locator('[data-testid="stSidebarNavLink"]')
    titles = [links.nth(i).inner_text().strip() for i in range(links.count())]
    assert len(titles) >= 2, titles
    for i, title in enumerate(titles):
        with app_run(page):
            page.locator('[data-testid="stSidebarNavLink"]').nth(i).click()
        assert page.locator('[data-testid="stException"]').count() == 0, f"{title}: exception on the page"
        page.wait_for_load_state("networkidle")  # a populated page's charts and grids have fetched what they ask for
        hrefs += [a.get_attribute("href") or "" for a in page.query_selector_all("a")]
        page.screenshot(path=str(ARTIFACTS / f"page_{i}.png"))
    outside = sorted({u for u in requests if not u.startswith(url) and not u.startswith("data:")})
    assert outside == [], outside  # no font, icon, map tile or analytics from the internet
    assert not [h for h in hrefs if h.startswith(("http://", "https://")) and not h.startswith(url)], hrefs
    # Upload a sample file on the data page.
    with app_run(page):
        page.locator('[data-testid="stSidebarNavLink"]', has_text="Uploads").click()
    sample = next(Path(ROOT / "data" / "samples").glob("*register*"))
    with app_run(page):
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(sample))
    store_button = page.get_by_role("button", name="Store", exact=True)  # the preview: nothing stored yet
    store_button.wait_for(timeout=60_000)
    idle(page)
    store_button.click()  # stores, then reruns the page (st.rerun) to show what was stored
    page.wait_for_selector('[data-testid="stAlert"]', timeout=60_000)
    idle(page)
    alert = page.locator('[data-testid="stAlert"]').first.inner_text()
    assert sample.name in alert and ("rows loaded" in alert or "already stored" in alert), alert
    page.screenshot(path=str(ARTIFACTS / "upload.png"))
    assert errors == []


def test_every_page_renders_on_a_partial_portfolio(partial_server, browser):
    """Every page of a partial portfolio in Chromium, the app run as configured: no exception, no
    'None'; every request goes to the app's own address (no font, icon or analytics from the
    internet); an uploaded file name holding https://, www. and an e-mail address shows as text,
    never as a link."""
    url, _ = partial_server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = app_page(browser, viewport={"width": 1440, "height": 1500})
    errors, requests, hrefs = [], [], []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url, timeout=60_000)
    page.wait_for_selector("h1:has-text('Portfolio overview')", timeout=60_000)
    settle(page)
    table = page.locator('[data-testid="stDataFrame"]').first.inner_text()
    assert "None" not in page.locator('[data-testid="stMain"]').inner_text()
    assert "Unknown" in page.locator('[data-testid="stMetric"]').all_inner_texts()[3]
    links = page.locator('[data-testid="stSidebarNavLink"]')
    for i in range(links.count()):
        with app_run(page):
            links.nth(i).click()
        assert page.locator('[data-testid="stException"]').count() == 0, f"page {i}: exception"
        page.wait_for_load_state("networkidle")  # what the page asked for has been fetched
        hrefs += [a.get_attribute("href") or "" for a in page.query_selector_all("a")]
        page.screenshot(path=str(ARTIFACTS / f"partial_page_{i}.png"))
    assert errors == [], (errors, table)
    with app_run(page):
        page.locator('[data-testid="stSidebarNavLink"]', has_text="Uploads").click()
    # the name shows, as text (the data grid's hidden accessibility cell holds it too: the visible one)
    page.locator("text=evil.example/x >> visible=true").first.wait_for(timeout=60_000)
    hrefs += [a.get_attribute("href") or "" for a in page.query_selector_all("a")]
    outside = sorted({u for u in requests if not u.startswith(url) and not u.startswith("data:")})
    assert len(requests) > 10 and outside == []
    assert not [h for h in hrefs if "evil" in h and not h.startswith("#")]  # a heading's own anchor is fine
