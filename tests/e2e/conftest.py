"""The real app, served over loopback HTTP, against the Slack stand-in.

`workspace` builds exactly what a gunicorn worker loads (`bot.server.build_wsgi`)
and serves it with a threaded WSGI server on 127.0.0.1; tests send it signed
requests as Slack would and read what it sent to the stand-in.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from bot.config import Settings
from bot.console.requests import RequestFactory, SignedRequest
from bot.console.standin import Call, SlackStandIn
from bot.runtime import Runtime
from bot.server import build_wsgi
from storage.migrate import upgrade

SIGNING_SECRET = "e2e-signing-secret"
BOT_TOKEN = "xoxb-e2e-token"
TEAM = "T0CHANGE"
CHANNEL = "CPROJECT"
LEAD, PARTNER, OWNER = "ULEAD", "UPARTNER", "UOWNER"


@dataclass(frozen=True)
class Response:
    status: int
    body: str
    seconds: float

    def json(self) -> dict[str, Any]:
        return json.loads(self.body) if self.body else {}

    @property
    def text(self) -> str:
        """The ephemeral reply's text and blocks, as one string to search."""
        reply = self.json()
        return reply.get("text", "") + json.dumps(reply.get("blocks", []))


@dataclass
class Workspace:
    """One test's Slack workspace: the app's URL, the stand-in, and signed-request helpers."""

    url: str
    standin: SlackStandIn
    requests: RequestFactory
    runtime: Runtime

    def send(self, request: SignedRequest, *, path: str = "/slack/events") -> Response:
        return http_post(self.url + path, request.body, request.headers)

    def command(
        self, command: str, text: str, *, user: str = LEAD, channel: str = CHANNEL
    ) -> Response:
        request = self.requests.slash_command(
            command, text, user_id=user, channel_id=channel, channel_name="new-ward"
        )
        return self.send(request)

    def stage(self, text: str, *, user: str = LEAD) -> Response:
        return self.command("/stage", text, user=user)

    def posts(self, channel: str = CHANNEL) -> list[Call]:
        """Successful chat.postMessage calls into `channel`."""
        return [
            call
            for call in self.standin.calls_to("chat.postMessage")
            if call.ok and call.args.get("channel") == channel
        ]

    def wait_for_posts(self, count: int, channel: str = CHANNEL) -> list[Call]:
        wait_until(lambda: len(self.posts(channel)) >= count, what=f"{count} posts in {channel}")
        return self.posts(channel)


def http_post(url: str, body: str, headers: dict[str, str]) -> Response:
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    return _http(request)


def http_get(url: str) -> Response:
    return _http(urllib.request.Request(url, method="GET"))


def _http(request: urllib.request.Request) -> Response:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            status, body = answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read().decode()
        error.close()
    return Response(status, body, time.perf_counter() - started)


def wait_until(condition: Callable[[], bool], *, what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output free of access-log lines."""


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn(team_id=TEAM) as running:
        yield running


def app_settings(database_url: str, standin: SlackStandIn) -> Settings:
    return Settings(
        _env_file=None,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=standin.api_url,
        database_url=database_url,
    )


@pytest.fixture
def workspace(database_url: str, standin: SlackStandIn) -> Iterator[Workspace]:
    upgrade(database_url)
    runtime, application = build_wsgi(app_settings(database_url, standin))
    server = make_server(
        "127.0.0.1", 0, application, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    requests = RequestFactory(signing_secret=SIGNING_SECRET, team_id=TEAM, standin=standin)
    try:
        yield Workspace(f"http://127.0.0.1:{server.server_port}", standin, requests, runtime)
    finally:
        server.shutdown()
        server.server_close()
        runtime.stop()
