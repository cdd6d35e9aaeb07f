"""Socket Mode wiring: the same app, reached through Slack's WebSocket envelopes."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.socket_mode.internals import run_bolt_app
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.app import create_app, token_source
from bot.background import start_background
from bot.config import Mode, Settings
from bot.console.standin import SlackStandIn
from bot.runtime import build_runtime
from storage.db import make_engine
from storage.migrate import upgrade

from .conftest import (
    BOT_TOKEN,
    CHANNEL,
    LEAD,
    TEAM,
    RunningBot,
    bot_environment,
    http_get,
    wait_until,
)
from .socket_endpoint import SocketEndpoint

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads"
APP_TOKEN = "xapp-socket-test"


def _envelope(name: str) -> dict:
    return json.loads((PAYLOADS / name).read_text())


@pytest.fixture
def socket_app(database_url: str, standin: SlackStandIn) -> Iterator[App]:
    settings = Settings(
        _env_file=None,
        slack_bot_token=BOT_TOKEN,
        slack_app_token=APP_TOKEN,
        slack_api_url=standin.api_url,
        database_url=database_url,
    )
    assert settings.mode is Mode.SOCKET
    upgrade(database_url)
    engine = make_engine(database_url)
    runtime = build_runtime(settings, token_source(settings, engine), engine=engine)
    app = create_app(settings, runtime)
    start_background(runtime)
    yield app
    runtime.stop()


def test_the_socket_mode_handler_opens_its_connection_through_slack_api_url(socket_app, standin):
    handler = SocketModeHandler(socket_app, app_token=APP_TOKEN)
    assert handler.client.web_client.base_url == standin.api_url
    with pytest.raises(SlackApiError):
        handler.client.issue_new_wss_url()
    (opened,) = standin.calls_to("apps.connections.open")
    assert opened.token == APP_TOKEN


def test_a_slash_command_envelope_is_answered_in_the_ack(socket_app, standin):
    envelope = _envelope("socket_mode_slash_command_envelope.json")
    envelope["payload"].update(
        command="/stage",
        text="add Open the new ward",
        team_id=TEAM,
        channel_id=CHANNEL,
        user_id=LEAD,
        response_url=standin.new_response_url(),
    )
    response = run_bolt_app(socket_app, SocketModeRequest.from_dict(envelope))
    assert response.status == 200
    assert "Added stage" in response.body


def test_a_retried_event_envelope_is_handled_once(socket_app, standin, caplog):
    caplog.set_level(logging.INFO, logger="bot.listeners.surfaces")
    first = _envelope("socket_mode_events_api_envelope.json")
    first["payload"]["team_id"] = TEAM
    retry = json.loads(json.dumps(first))
    retry.update(retry_attempt=1, retry_reason="http_timeout")
    for envelope in (first, retry):
        assert run_bolt_app(socket_app, SocketModeRequest.from_dict(envelope)).status == 200
    wait_until(lambda: standin.calls_to("chat.postMessage"), what="the reply to the mention")
    assert len(standin.calls_to("chat.postMessage")) == 1
    event_id = first["payload"]["event_id"]
    assert f"event {event_id} was already handled; ignoring Slack's retry" in caplog.text


def test_changebot_run_in_socket_mode_connects_and_serves_healthz_and_the_public_pages(
    tmp_path, standin
):
    with SocketEndpoint() as endpoint:
        standin.socket_mode_url = endpoint.url
        environment = bot_environment(
            standin, f"sqlite:///{tmp_path / 'changebot.db'}", SLACK_APP_TOKEN=APP_TOKEN
        )
        del environment["SLACK_SIGNING_SECRET"]
        bot = RunningBot(environment, tmp_path)
        try:
            wait_until(lambda: endpoint.handshakes >= 1, what="the Socket Mode connection")
            assert http_get(bot.url + "/f/unknown").status == 404
            assert "Page not found" in http_get(bot.url + "/f/unknown").body
            assert http_get(bot.url + "/static/changebot.css").status == 200
            # Slack's requests come over the socket: its HTTP paths are not served.
            assert http_get(bot.url + "/slack/events").status == 404
        finally:
            assert bot.terminate() == 0
    log = bot.log.read_text()
    assert "connected to Slack in Socket Mode" in log
    assert "Traceback" not in log
