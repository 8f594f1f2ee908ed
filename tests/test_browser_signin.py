"""Sign-in through a real OpenID Connect provider (oidc-provider-mock on localhost) in Chromium:
a PM signs in with st.login and sees only their project; signed out, nobody sees data."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request

import pytest
from builders import copy_db
from conftest import ROOT
from test_browser import CHROMIUM, _free_port, _settle, debian_chromium

from store import Store

pytestmark = pytest.mark.browser
ROLES = '[users."hannah@bank.example"]\nrole = "pm"\nprojects = ["CRM-UPGRADE"]\n'


@pytest.fixture(scope="module")
def provider():
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def signin_app(tmp_path_factory, provider, samples_db):
    if CHROMIUM is None:
        if os.environ.get("PMO_REQUIRE_BROWSER"):
            pytest.fail("Chromium is not installed (apt-get install -y chromium)")
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    folder = tmp_path_factory.mktemp("signin")
    store = Store(copy_db(samples_db, folder / "portfolio.duckdb"))
    (folder / "roles.toml").write_text(ROLES)
    port = _free_port()
    (folder / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        'cookie_secret = "a-test-cookie-secret-of-some-length"\n'
        'client_id = "pmo-portfolio-analytics"\n'
        'client_secret = "test-client-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    env = {**os.environ, "PMO_DB": store.path, "PMO_ROLES": str(folder / "roles.toml"), "PMO_DEMO": "1"}
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.port",
        str(port),
        "--server.address",
        "localhost",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--secrets.files",
        str(folder / "secrets.toml"),
    ]
    log = open(folder / "streamlit.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://localhost:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("streamlit did not start within 60 s")
    yield url
    proc.terminate()
    proc.wait(timeout=15)
    log.close()


@pytest.fixture(scope="module")
def chromium():
    with debian_chromium() as b:
        yield b


def test_a_pm_signs_in_through_openid_connect_and_sees_only_their_project(signin_app, chromium):
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(signin_app, timeout=60_000)
    _settle(page)
    # the sign-in page's button (waited for: a loaded box can draw it after the first settle)
    page.get_by_role("button", name="Sign in").wait_for(state="visible", timeout=60_000)
    assert page.locator('[data-testid="stDataFrame"]').count() == 0  # nothing before signing in
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("input[name=sub]", timeout=30_000)  # the identity provider's form
    page.fill("input[name=sub]", "hannah@bank.example")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_selector("text=Signed in as hannah@bank.example (pm)", timeout=60_000)
    _settle(page)
    page.goto(f"{signin_app}/project?project=CORE-LEDGER", timeout=60_000)  # someone else's, by URL
    _settle(page)
    picker = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first
    picker.wait_for(timeout=30_000)
    _settle(page)
    assert "CORE-LEDGER" not in page.inner_text("body")
    picker.locator("input").first.click()
    page.wait_for_selector('[role="option"]', timeout=10_000)
    options = page.locator('[role="option"]').all_inner_texts()
    assert options == ["CRM Platform Upgrade (CRM-UPGRADE)"], options
