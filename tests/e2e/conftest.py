"""The real app, served over loopback HTTP, against the Slack stand-in.

`workspace` builds exactly what a gunicorn worker loads (`bot.server.build_wsgi`)
and serves it with a threaded WSGI server on 127.0.0.1; tests send it signed
requests as Slack would and read what it sent to the stand-in.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from bot.config import Settings
from bot.console.requests import RequestFactory, SignedRequest
from bot.console.standin import Call, SlackStandIn
from bot.runtime import Runtime
from bot.server import build_wsgi
from storage.migrate import upgrade
from storage.models import OutboxMessage, OutboxStatus

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

    def reply(self, command: str, text: str, *, user: str = LEAD) -> Response:
        """What the person is told: the ack's reply or, when the work missed the ack's
        deadline (a drawing, on a busy machine), the response that followed it. For the
        commands that draw before they answer; `command` keeps to the ack alone."""
        before = len(self.standin.calls_to("response_url"))
        acked = self.command(command, text, user=user)
        if acked.body:
            return acked
        wait_until(
            lambda: len(self.standin.calls_to("response_url")) > before,
            what="the reply that followed an empty ack",
        )
        followed = self.standin.calls_to("response_url")[before]
        return Response(acked.status, json.dumps(followed.args), acked.seconds)

    def stage(self, text: str, *, user: str = LEAD) -> Response:
        return self.command("/stage", text, user=user)

    def posts(self, channel: str = CHANNEL) -> list[Call]:
        """Successful chat.postMessage calls into `channel`."""
        return [
            call
            for call in self.standin.calls_to("chat.postMessage")
            if call.ok and call.args.get("channel") == channel
        ]

    def drive_time_myself(self) -> None:
        """Stop the app's scheduler and sender: from here the test fires jobs and delivers.

        time-machine moves every thread's clock. Left running, the app's scheduler
        would fire jobs at the travelled time alongside the test, and its sender's
        leases, taken in real time, would look long expired to a travelled clock.
        """
        self.runtime.scheduler.stop()
        self.runtime.sender.stop()

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until the outbox has nothing left to post: after this, no post can still appear.

        Tests asserting that something was posted only once (or not at all)
        call this rather than sleeping and hoping a wrong post would have shown.
        """
        wait_until(self._outbox_empty, what="the outbox to drain", timeout=timeout)

    def _outbox_empty(self) -> bool:
        pending = select(func.count()).where(OutboxMessage.status == OutboxStatus.PENDING)
        with Session(self.runtime.engine) as session:
            return session.exec(pending).one() == 0

    def wait_for_posts(self, count: int, channel: str = CHANNEL) -> list[Call]:
        wait_until(lambda: len(self.posts(channel)) >= count, what=f"{count} posts in {channel}")
        return self.posts(channel)

    def press(
        self, message: dict[str, Any], action_id: str, *, user: str = LEAD, channel: str = CHANNEL
    ) -> Response:
        """Press the button `action_id` on a message the stand-in stored."""
        action = button_in(message, action_id)
        return self.send(
            self.requests.block_action(
                user_id=user, channel_id=channel, message=message, action=action
            )
        )

    def submit(self, view: dict[str, Any], values: dict[str, Any], *, user: str = LEAD) -> Response:
        """Submit a modal the stand-in opened, with `values` in Slack's state shape."""
        return self.send(self.requests.view_submission(user_id=user, view=view, values=values))

    def opened_view(self, count: int) -> dict[str, Any]:
        """The modal the `count`-th views.open opened, once it has (Slack's check passed)."""
        call = self.standin.wait_for("views.open", count)[count - 1]
        assert call.ok, call.problems
        return self.standin.views[call.response["view"]["id"]]


def button_in(message: dict[str, Any], action_id: str) -> dict[str, Any]:
    """The first button `action_id` in a message: in an actions block or beside a section."""
    for block in message.get("blocks") or []:
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("action_id") == action_id:
                return dict(element)
    raise AssertionError(f"no {action_id} button in {message}")


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
    with serving(database_url, standin) as running:
        yield running


@contextmanager
def serving(
    database_url: str, standin: SlackStandIn, settings: Settings | None = None
) -> Iterator[Workspace]:
    """The real app on a migrated database, served on loopback until the block ends.

    `settings` replaces the single-workspace ones of `app_settings` (OAuth mode, say).
    """
    upgrade(database_url)
    runtime, application = build_wsgi(
        settings or app_settings(database_url, standin), background=True
    )
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


CHANGEBOT = str(Path(sys.executable).with_name("changebot"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RunningBot:
    """One `changebot run` process; stopping it sends SIGTERM, as a supervisor would."""

    def __init__(self, env: dict[str, str], cwd: Path, *, own_session: bool = False) -> None:
        """`own_session`: in a process group of its own, as in a terminal or under systemd."""
        host = env["HOST"]
        self.url = (
            f"http://[{host}]:{env['PORT']}" if ":" in host else f"http://{host}:{env['PORT']}"
        )
        self.log = cwd / f"changebot-{len(list(cwd.glob('changebot-*.log')))}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own console script
                [CHANGEBOT, "run"],
                env=env,
                cwd=cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=own_session,
            )
        wait_until(self._healthy, what="changebot run to answer /healthz", timeout=20)

    def _healthy(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"changebot run exited:\n{self.log.read_text()}")
        try:
            return http_get(self.url + "/healthz").status == 200
        except OSError:
            return False

    def terminate(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)

    def children(self) -> list[int]:
        """The pids of the processes `changebot run` started (its worker, its background
        process), whichever of its threads started them."""
        tasks = Path(f"/proc/{self.process.pid}/task")
        return [
            int(pid) for task in tasks.iterdir() for pid in (task / "children").read_text().split()
        ]

    def background_pids(self) -> list[int]:
        """The pid of the instance's background process (sender and scheduler), or none
        while it is being started again."""
        return [
            pid
            for pid in self.children()
            if b"bot.background" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]


def bot_environment(standin: SlackStandIn, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a `changebot run` process talking to `standin` on loopback."""
    keep = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    return {
        **keep,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": standin.api_url,
        "DATABASE_URL": database_url,
        "PORT": str(free_port()),
        "HOST": "127.0.0.1",
        **extra,
    }


@pytest.fixture
def factory(standin: SlackStandIn) -> RequestFactory:
    return RequestFactory(signing_secret=SIGNING_SECRET, team_id=TEAM, standin=standin)


@pytest.fixture
def environment(tmp_path: Path, standin: SlackStandIn) -> dict[str, str]:
    """The environment of one `changebot run` on a SQLite file of the test's own."""
    return bot_environment(standin, f"sqlite:///{tmp_path / 'changebot.db'}")


@pytest.fixture
def bot(environment: dict[str, str], tmp_path: Path) -> Iterator[RunningBot]:
    """A `changebot run` process, killed at the end if the test left it running."""
    running = RunningBot(environment, tmp_path)
    yield running
    if running.process.poll() is None:
        running.process.kill()
        running.process.wait()
