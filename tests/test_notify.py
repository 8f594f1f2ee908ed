"""Escalations to Teams and Slack, against a local HTTP server that records what it receives."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
import time

import pytest
from builders import copy_db

from loaders.ingest import ingest_bytes
from notify import __main__ as cli
from notify.channels import Channel, ConfigError, load
from notify.events import Event, health_transitions
from notify.messages import slack_message, teams_message
from notify.run import escalate
from notify.webhook import post, redact
from store import Store

REGISTER = (
    "project_id,name,program,portfolio,manager,sponsor,currency,budget,jira_keys,stage\n"
    "P1,Billing revamp,Digital,Core,pm.one@example.com,Sam,USD,1000,,Execute\n"
    "P2,Data lake,Data,Core,pm.two@example.com,Sam,USD,1000,,Execute\n"
)
HEADER = "project_id,period,cost_category,vendor,budget,actual,forecast,committed,currency\n"
JANUARY = HEADER + "P1,2026-01-01,Labour,Internal,100,100,,,USD\nP2,2026-01-01,Labour,Internal,100,150,,,USD\n"
FEBRUARY = JANUARY + "P1,2026-02-01,Labour,Internal,100,200,,,USD\nP2,2026-02-01,Labour,Internal,100,50,,,USD\n"
JAN, FEB = dt.date(2026, 1, 31), dt.date(2026, 2, 28)


class Recorder:
    """A webhook on 127.0.0.1 answering with the given statuses in turn (then 200), or hanging."""

    def __init__(self, statuses=(), hang_s: float = 0.0):
        self.statuses = list(statuses)
        self.hang_s = hang_s
        self.bodies: list[dict] = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if recorder.hang_s:
                    time.sleep(recorder.hang_s)
                    return
                recorder.bodies.append(json.loads(body))
                status = recorder.statuses.pop(0) if recorder.statuses else 200
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.end_headers()
                self.wfile.write(b"1")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/workflows/secret-token-abcd"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook():
    servers = []

    def make(**kwargs):
        servers.append(Recorder(**kwargs))
        return servers[-1]

    yield make
    for server in servers:
        server.close()


@pytest.fixture(scope="module")
def portfolio_db(tmp_path_factory):
    """P1 green in January and red in February; P2 the other way round (built once per module)."""
    store = Store(tmp_path_factory.mktemp("notify") / "portfolio.duckdb")
    for text, name, as_of in ((REGISTER, "register.csv", JAN), (JANUARY, "jan.csv", JAN), (FEBRUARY, "feb.csv", FEB)):
        report = ingest_bytes(store, text.encode(), name, as_of=as_of)
        assert report.status == "stored", report.message
    return store.path


@pytest.fixture
def portfolio(portfolio_db, tmp_path):
    """This test's own copy of the portfolio (sending records to its notification log)."""
    return Store(copy_db(portfolio_db, tmp_path / "portfolio.duckdb"))


def no_wait(*_):
    pass


def fast_post(url, payload):
    return post(url, payload, timeout=0.5, attempts=2, sleep=no_wait)


def test_a_run_posts_each_transition_once_and_a_second_run_posts_nothing(portfolio, webhook):
    server = webhook()
    channel = Channel("leadership", "teams", server.url)
    first = escalate(portfolio, channel, base_url="https://pmo.example.com", poster=fast_post)
    assert sorted((o.event.project_id, o.event.kind, o.status) for o in first) == [
        ("P1", "turned_red", "sent"),
        ("P2", "left_red", "sent"),
    ]
    assert len(server.bodies) == 2
    again = escalate(portfolio, channel, base_url="https://pmo.example.com", poster=fast_post)
    assert again == [] and len(server.bodies) == 2


def test_the_red_card_says_why_with_numbers_and_links_to_the_project(portfolio, webhook):
    server = webhook()
    escalate(portfolio, Channel("c", "teams", server.url), base_url="https://pmo.example.com/", poster=fast_post)
    envelope = next(b for b in server.bodies if "turned Red" in json.dumps(b))
    assert envelope["type"] == "message"
    (attachment,) = envelope["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    # the Adaptive Card schema's required fields, and a type on every element
    assert card["type"] == "AdaptiveCard" and card["version"] and isinstance(card["body"], list)
    assert all("type" in element for element in card["body"])
    text = json.dumps(card)
    assert "Billing revamp turned Red (was Green)" in text
    assert "Over budget (YTD) 50 % is above the red threshold 10 %." in text
    assert "pm.one@example.com" in text
    assert card["actions"] == [
        {
            "type": "Action.OpenUrl",
            "title": "Open in PMO Portfolio Analytics",
            "url": "https://pmo.example.com/project?project=P1",
        }
    ]


def test_slack_gets_block_kit_with_the_reason_and_a_button(portfolio, webhook):
    server = webhook()
    escalate(portfolio, Channel("s", "slack", server.url), base_url="https://pmo.example.com", poster=fast_post)
    message = next(b for b in server.bodies if "turned Red" in b["text"])
    kinds = [block["type"] for block in message["blocks"]]
    assert kinds == ["header", "section", "section", "actions"]
    assert "50 %" in message["blocks"][2]["text"]["text"]
    assert message["blocks"][3]["elements"][0]["url"].endswith("/project?project=P1")


def test_429_then_200_is_retried_with_back_off_and_sent_once(portfolio, webhook):
    server = webhook(statuses=[429])
    waits = []
    outcomes = escalate(
        portfolio,
        Channel("c", "teams", server.url),
        base_url="http://x",
        poster=lambda url, payload: post(url, payload, attempts=3, sleep=waits.append),
    )
    assert [o.status for o in outcomes] == ["sent", "sent"]
    assert len(server.bodies) == 3  # the first message twice (429, then 200), the second once
    assert waits == [0.0]  # Retry-After: 0 honoured


def test_a_hanging_server_times_out_and_the_message_is_retried_next_run_never_twice(portfolio, webhook):
    hanging = webhook(hang_s=3)
    channel = Channel("c", "teams", hanging.url)
    posting = []

    def timed_post(url, payload):  # the bound is on the posts (the metrics before them vary with load)
        started = time.monotonic()
        try:
            return fast_post(url, payload)
        finally:
            posting.append(time.monotonic() - started)

    outcomes = escalate(portfolio, channel, base_url="http://x", poster=timed_post)
    assert len(posting) == 2 and sum(posting) < 5  # 2 messages × 2 attempts × 0.5 s time-out, not 2 × 2 × 3 s
    assert [o.status for o in outcomes] == ["failed", "failed"]
    good = webhook()
    retried = escalate(portfolio, Channel("c", "teams", good.url), base_url="http://x", poster=fast_post)
    assert sorted(o.event.project_id for o in retried if o.status == "sent") == ["P1", "P2"]
    assert escalate(portfolio, Channel("c", "teams", good.url), base_url="http://x", poster=fast_post) == []
    assert len(good.bodies) == 2


def test_a_4xx_other_than_429_is_final_and_reported(webhook):
    server = webhook(statuses=[404])
    result = post(server.url, {"text": "x"}, attempts=3, sleep=no_wait)
    assert not result.ok and result.status == 404 and result.attempts == 1


def test_dry_run_builds_messages_and_changes_nothing(portfolio, webhook):
    server = webhook()
    channel = Channel("c", "slack", server.url)
    outcomes = escalate(portfolio, channel, base_url="http://x", dry_run=True, poster=fast_post)
    assert {o.status for o in outcomes} == {"dry-run"} and len(outcomes) == 2
    assert server.bodies == [] and portfolio.notification_log().empty


def test_channels_scoped_by_program_hear_only_their_projects(portfolio, webhook):
    server = webhook()
    channel = Channel("digital", "teams", server.url, programs=("Digital",))
    outcomes = escalate(portfolio, channel, base_url="http://x", poster=fast_post)
    assert [o.event.project_id for o in outcomes] == ["P1"]


def test_cli_never_prints_the_webhook_url(portfolio, webhook, capsys):
    server = webhook()
    code = cli.main(["escalations", "--webhook", server.url, "--db", portfolio.path, "--format", "slack"])
    out = capsys.readouterr()
    assert code == 0 and "SENT" in out.out
    assert "secret-token" not in out.out + out.err and server.url not in out.out + out.err
    assert cli.main(["escalations", "--webhook", server.url, "--db", portfolio.path, "--format", "slack"]) == 0
    assert "nothing new" in capsys.readouterr().out
    assert len(server.bodies) == 2


def test_cli_test_message_and_usage_errors(webhook, capsys):
    server = webhook()
    assert cli.main(["test", "--webhook", server.url]) == 0
    assert server.bodies[0]["attachments"][0]["content"]["type"] == "AdaptiveCard"
    assert cli.main(["escalations"]) == 2
    assert "no channel" in capsys.readouterr().err


def test_config_file_reads_the_secret_from_the_environment(tmp_path):
    path = tmp_path / "notify.toml"
    path.write_text(
        'base_url = "https://pmo.example.com"\n[[channels]]\nname = "lead"\nformat = "slack"\n'
        'webhook_env = "HOOK"\nprograms = ["Digital"]\n'
    )
    config = load(path, environ={"HOOK": "https://hooks.slack.com/services/T0/B0/very-secret"})
    (channel,) = config.channels
    assert channel.programs == ("Digital",) and config.base_url == "https://pmo.example.com"
    assert "very-secret" not in repr(channel) and "very-secret" not in channel.shown_webhook
    with pytest.raises(ConfigError, match="HOOK"):
        load(path, environ={})


def test_redact_keeps_the_host_and_hides_the_token():
    assert redact("https://prod.westeurope.logic.azure.com/workflows/abc/triggers?sig=SECRETSIG1234") == (
        "https://prod.westeurope.logic.azure.com/…1234"
    )


def test_transitions_need_the_red_line_crossed():
    before = [{"project_id": "A", "status": "amber"}, {"project_id": "B", "status": "red"}]
    after = [
        {"project_id": "A", "status": "red", "name": "A", "reasons": ["CPI 0.80 is below the red threshold 0.90."]},
        {"project_id": "B", "status": "red", "name": "B"},
        {"project_id": "C", "status": "amber", "name": "C"},
    ]
    (event,) = health_transitions(before, after, dt.date(2026, 3, 1))
    assert (event.project_id, event.kind, event.previous_status) == ("A", "turned_red", "amber")


def test_uploaded_text_cannot_inject_links():
    event = Event("turned_red", "X", "[click](https://evil.example)<b>", dt.date(2026, 1, 1), "red", "green")
    teams = json.dumps(teams_message(event, "http://x"))
    slack = json.dumps(slack_message(event, "http://x"))
    assert "](https://evil" not in teams and "<b>" not in teams
    assert "&lt;b&gt;" in slack


@pytest.fixture
def page_db(portfolio, monkeypatch):
    import store as store_module

    monkeypatch.setenv("PMO_DB", portfolio.path)
    monkeypatch.setattr(store_module, "DEFAULT_DB", portfolio.path)
    monkeypatch.delenv("PMO_NOTIFY_CONFIG", raising=False)
    return portfolio


def test_page_sends_a_test_message_previews_and_lists_what_was_sent(page_db, webhook):
    from conftest import ROOT
    from streamlit.testing.v1 import AppTest

    server = webhook()
    escalate(page_db, Channel("lead", "teams", server.url), base_url="http://x", poster=fast_post)
    at = AppTest.from_file(str(ROOT / "app_pages" / "notifications.py"), default_timeout=30).run()
    assert not at.exception
    at.text_input[0].input(server.url).run()
    assert not at.exception
    at.button[0].click().run()
    assert any("HTTP 200" in s.value for s in at.success)
    assert server.bodies[-1]["attachments"][0]["content"]["body"][0]["text"].startswith("Test message")
    shown = " ".join(str(frame.value.to_dict()) for frame in at.dataframe)
    assert "turned_red" in shown and "secret-token" not in shown
    # a new channel has not been told yet: the preview lists the two transitions
    assert any("turned Red" in str(frame.value.to_dict()) for frame in at.dataframe)


RISKS = b"ID,Risk,Probability,Impact,Owner,Status,Due date\n"


def test_an_escalated_risk_is_posted_once_with_its_reason(portfolio, webhook):
    quiet = RISKS + b"R1,Vendor late,Low,Low,Ana,Open,\n"
    loud = RISKS + b"R1,Vendor late,Very high,Very high,Ana,Open,\n"
    for data, day in ((quiet, JAN), (loud, FEB)):
        assert ingest_bytes(portfolio, data, "p2-risks.csv", project_id="P2", as_of=day).status == "stored"
    server = webhook()
    channel = Channel("c", "teams", server.url)
    outcomes = escalate(portfolio, channel, base_url="https://pmo.example.com", poster=fast_post)
    risk = [o for o in outcomes if o.event.kind == "risk_escalated"]
    assert [(o.event.project_id, o.event.risk_id, o.status) for o in risk] == [("P2", "R1", "sent")]
    text = json.dumps(risk[0].payload)
    assert "Vendor late" in text and "25 of 25" in text and "/risks?project=P2" in text
    assert escalate(portfolio, channel, base_url="https://pmo.example.com", poster=fast_post) == []
