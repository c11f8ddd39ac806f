"""Sign-in end to end: a real OpenID Connect provider (oidc-provider-mock, started here on a
free port), the app started with `[auth]` in a secrets file of its own and a role map, and
Chromium signing in through Streamlit's own st.login: the name shown, a viewer refused a
save, a planner's save recorded in the audit trail an admin reads, sign-out back to the
sign-in page; a team-limited viewer's Actual spend is their team's alone (the figure an admin
reads for that team), by the menu and by the address, and the Audit trail is not theirs; a
viewer refused an import that FinOps makes, recorded in the trail with who made it."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
from importlib.util import find_spec

import pytest
from playwright.sync_api import Page, expect

from planner.scenario_store import ScenarioStore
from tests.e2e.helpers import TIMEOUT_MS, metric_value, open_page, settled
from tests.e2e.server import ROOT, free_port, stop_app, wait_healthy

pytestmark = pytest.mark.browser

MISSING = (
    "The sign-in test needs oidc-provider-mock and Authlib (requirements-dev.txt, "
    "requirements.txt): run `.venv/bin/pip install -r requirements-dev.txt`."
)
PEOPLE = {  # sub -> the identity token's claims
    "vera@example.org": {"name": "Vera Viewer", "email": "vera@example.org", "groups": ["staff"]},
    "pat@example.org": {"name": "Pat Planner", "email": "pat@example.org", "groups": ["planners"]},
    "ada@example.org": {"name": "Ada Admin", "email": "ada@example.org", "groups": ["admins"]},
    "sam@example.org": {"name": "Sam Search", "email": "sam@example.org", "groups": ["search"]},
    "fay@example.org": {"name": "Fay FinOps", "email": "fay@example.org", "groups": ["finance"]},
}
ROLE_MAP = """default_role = "viewer"
[[grant]]
group = "planners"
role = "planner"
[[grant]]
group = "admins"
role = "admin"
[[grant]]
group = "search"
role = "viewer"
teams = ["search"]
[[grant]]
group = "finance"
role = "finops"
"""


# The provider in a process of its own: its Flask and Authlib code warns of deprecations,
# which this suite's filterwarnings = error would turn into failed requests.
PROVIDER = """
import json, sys
from oidc_provider_mock import User, run_server_in_thread
users = [User(sub=sub, claims=claims) for sub, claims in json.loads(sys.argv[1]).items()]
with run_server_in_thread(port=int(sys.argv[2]), user_claims=users):
    print("ready", flush=True)
    sys.stdin.read()  # serve until the test closes standard input
"""


@pytest.fixture(scope="module")
def provider():
    """The OpenID Connect provider's base URL, with the three people predefined."""
    # st.login needs Authlib in the app's process; the provider is oidc-provider-mock. Looked
    # up, not imported: importing the provider here would raise its deprecation warnings.
    absent = [name for name in ("authlib", "oidc_provider_mock") if find_spec(name) is None]
    if absent:
        pytest.fail(f"{MISSING} (not installed: {', '.join(absent)})", pytrace=False)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", PROVIDER, json.dumps(PEOPLE), str(port)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        env={**os.environ, "AUTHLIB_INSECURE_TRANSPORT": "1"},  # plain http on localhost
        text=True,
    )  # fmt: skip
    try:
        if process.stdout.readline().strip() != "ready":
            pytest.fail("oidc-provider-mock did not start", pytrace=False)
        yield f"http://localhost:{port}"
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


@pytest.fixture(scope="module")
def signin_app(provider, tmp_path_factory):
    """The app with sign-in configured: its own secrets file, role map and scenario store."""
    folder = tmp_path_factory.mktemp("signin")
    port = free_port()
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(16)}"\n'
        'client_id = "planner"\n'
        'client_secret = "planner-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    (folder / "access.toml").write_text(ROLE_MAP)
    env = {
        **os.environ,
        "PLANNER_ACCESS_FILE": str(folder / "access.toml"),
        "PLANNER_SCENARIO_DB": str(folder / "scenarios.db"),
        # A usage store of its own: FinOps imports into it, and other modules' servers
        # expect the session's store to be empty.
        "PLANNER_USAGE_DB": str(folder / "usage.duckdb"),
        "AUTHLIB_INSECURE_TRANSPORT": "1",
    }
    env.pop("PLANNER_DATABASE_URL", None)
    command = [
        sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
        "--server.headless", "true", "--server.port", str(port),
        "--browser.gatherUsageStats", "false", "--browser.serverAddress", "localhost",
        "--server.fileWatcherType", "none", "--secrets.files", str(secrets_file),
    ]  # fmt: skip
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
        url = f"http://localhost:{port}"
        try:
            wait_healthy(url, process, log)
            yield url, folder / "scenarios.db"
        finally:
            stop_app(process)


def sign_in(page: Page, url: str, sub: str) -> None:
    page.goto(url)
    expect(page.get_by_text("Sign in to use the planner.")).to_be_visible()
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name=sub).click()  # the provider's predefined person
    expect(page.get_by_text(f"Signed in as {PEOPLE[sub]['name']}")).to_be_visible()
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0)


def open_shared(page: Page) -> None:
    """Open the sidebar's "Shared scenarios" expander (a click made while a rerun redraws the
    sidebar can be lost on a busy machine: then click again)."""
    box = page.get_by_label("Name for this view")
    for _ in range(3):
        if box.is_visible():
            return
        expect(page.get_by_test_id("stStatusWidget")).to_have_count(0)
        page.get_by_test_id("stSidebar").get_by_text("Shared scenarios", exact=True).click()
        try:
            expect(box).to_be_visible(timeout=10_000)
        except AssertionError:
            continue
    expect(box).to_be_visible()


def save_view(page: Page, name: str) -> None:
    open_shared(page)
    page.get_by_label("Name for this view").fill(name)
    page.get_by_label("Name for this view").press("Enter")
    page.get_by_role("button", name="Save this view").click()
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0)


def test_a_viewer_signs_in_sees_their_name_is_refused_a_save_and_signs_out(signin_app, page: Page):
    url, _ = signin_app
    sign_in(page, url, "vera@example.org")
    sidebar = page.get_by_test_id("stSidebar")
    # The address is drawn with dot leaders (U+2024), so it is never a link.
    expect(sidebar.get_by_text("vera@example\u2024org · Viewer · every team")).to_be_visible()
    expect(page.get_by_role("link", name="Audit trail")).to_have_count(0)
    save_view(page, "Vera's try")
    expect(
        sidebar.get_by_text("you may not save a scenario: that needs the Planner role")
    ).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="End session").click()  # the provider's own page
    expect(page.get_by_text("Sign in to use the planner.")).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_have_count(0)


def test_a_planners_save_is_in_the_audit_trail_an_admin_reads(signin_app, page: Page, browser):
    url, _ = signin_app
    sign_in(page, url, "pat@example.org")
    save_view(page, "Pat's plan")
    expect(page.get_by_test_id("stSidebar").get_by_text("Saved 'Pat's plan'.")).to_be_visible()
    admin = browser.new_context(viewport={"width": 1400, "height": 1000})
    other = admin.new_page()
    try:
        sign_in(other, url, "ada@example.org")
        other.get_by_role("link", name="Audit trail").click()
        expect(other.get_by_role("heading", name="Audit trail")).to_be_visible()
        cells = other.locator("td")
        expect(cells.filter(has_text="Pat Planner <pat@example.org>")).to_have_count(1)
        expect(cells.filter(has_text="scenario saved")).to_have_count(1)
    finally:
        admin.close()


def test_a_planner_cannot_delete_an_admins_scenario(signin_app, page: Page):
    url, db = signin_app
    store = ScenarioStore(f"sqlite:///{db}")
    try:  # Ada's scenario, saved as the app saves it for her
        ada = "Ada Admin <ada@example.org>"
        store.save("Ada's plan", ada, "{}", owner="ada@example.org", who=ada)
    finally:
        store.close()
    sign_in(page, url, "pat@example.org")
    open_shared(page)
    sidebar = page.get_by_test_id("stSidebar")
    # The newest scenario is the one picked at first: Ada's.
    picked = sidebar.get_by_test_id("stSelectbox").locator("input")
    expect(picked).to_have_value("Ada's plan (Ada Admin <ada@example.org>)")
    sidebar.get_by_role("button", name="Delete").click()
    expect(
        sidebar.get_by_text("you may not rename or delete another person's scenario")
    ).to_be_visible()
    store = ScenarioStore(f"sqlite:///{db}")
    try:
        kept = [e.name for e in store.entries() if e.owner == "ada@example.org"]
        deleted = [r for r in store.audit_trail() if r.action == "scenario deleted"]
    finally:
        store.close()
    assert kept == ["Ada's plan"] and deleted == []  # still there, and no deletion recorded


SPEND = "Spend in these days"


def team_filter(page: Page):
    return page.get_by_test_id("stMultiSelect").filter(has_text="Teams")


def test_a_team_limited_viewer_reads_only_their_teams_spend(
    signin_app, page: Page, browser, tmp_path
):
    url, _ = signin_app
    sign_in(page, url, "sam@example.org")
    expect(page.get_by_test_id("stSidebar").get_by_text("Viewer · teams search")).to_be_visible()
    open_page(page, f"{url}/actual_spend")  # by the address, not only the menu
    expect(page.get_by_role("heading", name="Actual spend", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    team_filter(page).click()
    expect(page.get_by_role("option")).to_have_text(["search"])  # no other team is offered
    page.keyboard.press("Escape")
    scoped = metric_value(page, SPEND).inner_text()
    page.set_viewport_size({"width": 1280, "height": 720})
    page.screenshot(path=tmp_path / "team_limited_actual_spend.png")  # looked at, not kept
    open_page(page, f"{url}/audit")  # an admin's page, by its address: not there for Sam
    expect(page.get_by_role("heading", name="Audit trail")).to_have_count(0)

    admin = browser.new_context(viewport={"width": 1400, "height": 1000})
    other = admin.new_page()
    other.set_default_timeout(TIMEOUT_MS)
    try:  # the admin reads every team; filtered to search, the same figure as Sam's
        sign_in(other, url, "ada@example.org")
        open_page(other, f"{url}/actual_spend")
        total = metric_value(other, SPEND)
        assert total.inner_text() != scoped  # Sam's figure is not the whole company's
        team_filter(other).click()
        other.get_by_role("option", name="search", exact=True).click()
        other.keyboard.press("Escape")
        settled(other)
        expect(total).to_have_text(scoped)
    finally:
        admin.close()


EXPORT = ROOT / "tests/fixtures/usage/generic.csv"


def upload_usage(page: Page, url: str) -> None:
    open_page(page, f"{url}/data")
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="Usage export")
    uploader.locator("input[type=file]").set_input_files(str(EXPORT))


def test_finops_imports_usage_in_the_trail_a_viewer_is_refused(signin_app, page: Page, browser):
    url, db = signin_app
    sign_in(page, url, "vera@example.org")
    upload_usage(page, url)
    expect(page.get_by_text("you may not import usage: that needs the FinOps role")).to_be_visible()

    finops = browser.new_context(viewport={"width": 1400, "height": 1000})
    other = finops.new_page()
    other.set_default_timeout(TIMEOUT_MS)
    try:
        sign_in(other, url, "fay@example.org")
        upload_usage(other, url)
        expect(
            other.get_by_text("Imported generic.csv (generic export)", exact=False)
        ).to_be_visible()
    finally:
        finops.close()
    store = ScenarioStore(f"sqlite:///{db}")
    try:
        imports = [(r.who, r.target) for r in store.audit_trail() if r.action == "import usage"]
    finally:
        store.close()
    assert imports == [("Fay FinOps <fay@example.org>", "generic.csv")]  # Vera's: none
