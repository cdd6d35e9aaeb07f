"""Stalls: slow clients, a locked database and a second instance do not stop `changebot run`.

A real `changebot run` process serves real signed requests while clients
trickle their requests a byte a second; `/healthz` answers within a second
while another connection holds SQLite's write lock; two instances on one host
(one HOME) start and stop without sharing gunicorn's control socket.
"""

from __future__ import annotations

import select
import socket
import sqlite3
import threading
import time

from bot.console.requests import RequestFactory

from .conftest import (
    CHANNEL,
    LEAD,
    RunningBot,
    bot_environment,
    http_get,
    http_post,
    wait_until,
)

# How long a slow client keeps trickling if nothing stops it: the test's bound.
TRICKLE_SECONDS = 6.0
# A slow client must be cut off well before that: changebot allows about 2 s.
CUT_OFF_WITHIN_SECONDS = 3.5


class SlowClient:
    """Sends the start of a request at once, then one more byte a second, until cut off.

    `trickle_headers` stops after the request line, so the headers never end;
    otherwise the headers are whole and the 1,000-byte body never arrives.
    """

    def __init__(self, port: int, *, trickle_headers: bool) -> None:
        self.port = port
        self.start = b"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if not trickle_headers:
            self.start += (
                b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n"
            )
        self.bytes_trickled = 0
        self.cut_off_after: float | None = None
        self.answer = b""
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", self.port), timeout=TRICKLE_SECONDS) as sock:
            sock.sendall(self.start)
            while time.monotonic() - started < TRICKLE_SECONDS:
                # Waiting a second for an answer is also the pause between two bytes.
                if select.select([sock], [], [], 1.0)[0]:
                    self._cut_off(sock.recv, started)
                    return
                try:
                    sock.sendall(b"x")
                except OSError:
                    self.cut_off_after = time.monotonic() - started
                    return
                self.bytes_trickled += 1

    def _cut_off(self, receive, started: float) -> None:
        try:
            self.answer = receive(4096)
        except OSError:
            self.answer = b""
        self.cut_off_after = time.monotonic() - started


def _stage_list(bot: RunningBot, factory: RequestFactory):
    request = factory.slash_command(
        "/stage", "list", user_id=LEAD, channel_id=CHANNEL, channel_name="new-ward"
    )
    return http_post(bot.url + "/slack/events", request.body, request.headers)


def test_slow_clients_do_not_keep_a_command_or_the_health_check_waiting(bot, factory):
    port = int(bot.url.rsplit(":", 1)[1])
    slow = [SlowClient(port, trickle_headers=False) for _ in range(16)]
    slow += [SlowClient(port, trickle_headers=True) for _ in range(4)]
    for client in slow:
        client.thread.start()
    # Every slow client has been sending for a second and is still going.
    wait_until(lambda: all(c.bytes_trickled for c in slow), what="the slow clients", timeout=5)

    listed = _stage_list(bot, factory)
    health = http_get(bot.url + "/healthz")

    assert listed.status == 200
    assert listed.seconds < 3
    assert "stage" in listed.body.lower()
    assert health.status == 200
    assert health.seconds < 1
    for client in slow:
        client.thread.join(timeout=TRICKLE_SECONDS + 1)
    cut_off = [client.cut_off_after for client in slow]
    assert all(after is not None and after < CUT_OFF_WITHIN_SECONDS for after in cut_off), cut_off
    assert all(c.answer.startswith(b"HTTP/1.1 408") for c in slow), [c.answer[:20] for c in slow]
    assert bot.terminate() == 0
    log = bot.log.read_text()
    assert "Traceback" not in log
    assert log.count("took longer than") == len(slow)


def test_healthz_answers_503_within_a_second_while_the_database_is_locked(bot, environment):
    database = environment["DATABASE_URL"].removeprefix("sqlite:///")
    blocker = sqlite3.connect(database, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        checks = [http_get(bot.url + "/healthz") for _ in range(2)]
    finally:
        blocker.rollback()
        blocker.close()

    for check in checks:
        assert check.status == 503
        assert check.seconds < 1
        assert check.json()["ok"] is False
    wait_until(lambda: http_get(bot.url + "/healthz").status == 200, what="a healthy answer")
    assert http_get(bot.url + "/healthz").seconds < 1
    assert bot.terminate() == 0
    log = bot.log.read_text()
    assert "Traceback" not in log
    assert log.count("health check: the database") == len(checks)


def test_two_instances_on_one_host_start_and_stop_without_a_shared_control_socket(
    standin, tmp_path
):
    home = tmp_path / "home"
    home.mkdir()
    instances = []
    for name in ("first", "second"):
        folder = tmp_path / name
        folder.mkdir()
        env = bot_environment(standin, f"sqlite:///{folder / 'changebot.db'}", HOME=str(home))
        instances.append(RunningBot(env, folder))
    first, second = instances
    try:
        assert list(home.rglob("*.ctl")) == []
        assert first.terminate() == 0
        assert http_get(second.url + "/healthz").status == 200
        assert second.terminate() == 0
    finally:
        for bot in instances:
            if bot.process.poll() is None:
                bot.process.kill()
                bot.process.wait()
    for bot in instances:
        assert "Traceback" not in bot.log.read_text()
