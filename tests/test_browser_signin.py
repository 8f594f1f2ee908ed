"""Sign-in through a real OpenID Connect provider (oidc-provider-mock on localhost) in Chromium:
a PM signs in with st.login and sees only their project; signed out, nobody sees data."""

from __future__ import annotations

import pytest
from builders import app_page, copy_db, debian_chromium, free_port, idle, need_chromium, settle, streamlit_app

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
    need_chromium()
    folder = tmp_path_factory.mktemp("signin")
    store = Store(copy_db(samples_db, folder / "portfolio.duckdb"))
    (folder / "roles.toml").write_text(ROLES)
    port = free_port()
    (folder / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        'cookie_secret = "a-test-cookie-secret-of-some-length"\n'
        'client_id = "pmo-portfolio-analytics"\n'
        'client_secret = "test-client-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    env = {"PMO_ROLES": str(folder / "roles.toml"), "PMO_DEMO": "1"}
    args = ["--secrets.files", str(folder / "secrets.toml")]
    with streamlit_app(store.path, folder / "streamlit.log", host="localhost", port=port, env=env, args=args) as url:
        yield url


@pytest.fixture(scope="module")
def chromium():
    with debian_chromium() as b:
        yield b


def test_a_pm_signs_in_through_openid_connect_and_sees_only_their_project(signin_app, chromium):
    page = app_page(chromium, viewport={"width": 1280, "height": 900})
    page.goto(signin_app, timeout=60_000)
    settle(page)
    # the sign-in page's button (waited for: a loaded box can draw it after the first settle)
    page.get_by_role("button", name="Sign in").wait_for(state="visible", timeout=60_000)
    assert page.locator('[data-testid="stDataFrame"]').count() == 0  # nothing before signing in
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("input[name=sub]", timeout=30_000)  # the identity provider's form
    page.fill("input[name=sub]", "hannah@bank.example")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_selector("text=Signed in as hannah@bank.example (pm)", timeout=60_000)
    idle(page)
    page.goto(f"{signin_app}/project?project=CORE-LEDGER", timeout=60_000)  # someone else's, by URL
    settle(page)
    picker = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first
    picker.wait_for(timeout=30_000)
    idle(page)
    assert "CORE-LEDGER" not in page.inner_text("body")
    picker.locator("input").first.click()
    page.wait_for_selector('[role="option"]', timeout=10_000)
    options = page.locator('[role="option"]').all_inner_texts()
    assert options == ["CRM Platform Upgrade (CRM-UPGRADE)"], options
