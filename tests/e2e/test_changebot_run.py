"""`changebot run` as an operator starts it: a real process, gunicorn, the stand-in as Slack."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.console.requests import RequestFactory
from bot.console.standin import SlackStandIn

from .conftest import (
    BOT_TOKEN,
    CHANGEBOT,
    CHANNEL,
    LEAD,
    RunningBot,
    bot_environment,
    http_get,
    http_post,
    wait_until,
)


def _command(bot: RunningBot, factory: RequestFactory, text: str):
    request = factory.slash_command(
        "/stage", text, user_id=LEAD, channel_id=CHANNEL, channel_name="new-ward"
    )
    return http_post(bot.url + "/slack/events", request.body, request.headers)


def test_run_answers_signed_commands_posts_the_celebration_and_keeps_data_across_a_restart(
    bot, factory, standin, environment, tmp_path
):
    added = _command(bot, factory, "add Open the new ward")
    assert added.status == 200
    assert added.seconds < 3
    assert "Added stage" in added.body
    assert "Open the new ward" in _command(bot, factory, "list").body
    done = _command(bot, factory, "done 1 Ward opened on time")
    assert "is done" in done.body
    (post,) = standin.wait_for("chat.postMessage")
    assert "Ward opened on time" in json.dumps(post.args)
    assert post.token == BOT_TOKEN

    forged = factory.sign(added.body, "application/x-www-form-urlencoded")
    forged.headers["x-slack-signature"] = "v0=" + "1" * 64
    assert (
        http_post(bot.url + "/slack/events", "command=/stage&text=add+x", forged.headers).status
        == 401
    )

    assert bot.terminate() == 0
    log = bot.log.read_text()
    assert "stopped" in log
    assert "Traceback" not in log
    assert "PUBLIC_URL is not set: feedback links for service users will point at" in log

    again = RunningBot(environment, tmp_path)
    try:
        listed = _command(again, factory, "list")
        assert "Open the new ward" in listed.body
        assert "1 of 1 stage, 100%" in listed.body
        assert len(standin.calls_to("chat.postMessage")) == 1
    finally:
        assert again.terminate() == 0


def test_what_slack_answers_cannot_forge_a_line_in_the_background_process_log(
    standin, factory, bot
):
    forged = "INFO bot.runtime: an operator logged in"
    standin.fail("chat.postMessage", error=f"fatal_error\n{forged}")
    _command(bot, factory, "add Open the new ward")
    _command(bot, factory, "done 1 Ward opened on time")
    wait_until(lambda: "fatal_error" in bot.log.read_text(), what="the refusal logged")
    log = bot.log.read_text()
    assert f"fatal_error\\n{forged}" in log
    assert not any(line.startswith(forged) for line in log.splitlines())


def test_db_upgrade_works_on_a_new_and_on_an_existing_database(environment, tmp_path):
    for said in ("Applied 0001", "Nothing to apply"):
        result = subprocess.run(  # noqa: S603 - our own console script
            [CHANGEBOT, "db", "upgrade"],
            env=environment,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(said)


def test_sigterm_finishes_a_command_acked_before_its_work_was_done(
    bot, factory, environment, standin
):
    database = environment["DATABASE_URL"].removeprefix("sqlite:///")
    blocker = sqlite3.connect(database, timeout=5)
    blocker.execute("BEGIN EXCLUSIVE")
    answers: list = []
    sending = threading.Thread(target=lambda: answers.append(_command(bot, factory, "add Late")))
    sending.start()
    # The database is busy, so the command is acked empty and its work goes on.
    wait_until(lambda: bool(answers), what="the empty ack", timeout=5)
    assert (answers[0].status, answers[0].body) == (200, "")
    bot.process.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    blocker.rollback()
    blocker.close()
    assert bot.process.wait(timeout=30) == 0
    with sqlite3.connect(database) as check:
        assert check.execute("SELECT title FROM stage").fetchall() == [("Late",)]
    (reply,) = standin.calls_to("response_url")
    assert "Added stage" in json.dumps(reply.args)


def test_a_kill_after_slack_took_a_post_but_before_it_was_recorded_ends_in_one_post(
    standin, factory, tmp_path
):
    database = tmp_path / "changebot.db"
    env = bot_environment(standin, f"sqlite:///{database}", OUTBOX_LEASE_SECONDS="2")
    bot = RunningBot(env, tmp_path)
    _command(bot, factory, "add Open the new ward")
    # Slack takes the celebration but answers too late: the process dies waiting.
    standin.stall("chat.postMessage", seconds=20)
    _command(bot, factory, "done 1 Ward opened on time")
    standin.wait_for("chat.postMessage")
    bot.process.kill()
    bot.process.wait()

    def recorded() -> tuple[str, str | None]:
        with sqlite3.connect(database) as check:
            return check.execute("SELECT status, message_ts FROM outbox").fetchone()

    assert recorded() == ("pending", None)
    again = RunningBot(env, tmp_path)
    try:
        wait_until(lambda: recorded()[0] == "sent", what="the post recorded", timeout=20)
        (post,) = standin.calls_to("chat.postMessage")
        assert recorded()[1] == post.response["ts"]
        assert standin.calls_to("conversations.history")
    finally:
        assert again.terminate() == 0


def _oauth_environment(standin: SlackStandIn, tmp_path: Path, **extra: str) -> dict[str, str]:
    """Multi-workspace mode: OAuth credentials instead of a bot token."""
    environment = bot_environment(
        standin,
        f"sqlite:///{tmp_path / 'changebot.db'}",
        SLACK_CLIENT_ID="1111.2222",
        SLACK_CLIENT_SECRET="oauth-client-secret",
        **extra,
    )
    del environment["SLACK_BOT_TOKEN"]
    return environment


def _run_expecting_a_refusal(environment: dict[str, str], cwd: Path) -> tuple[int, list[str]]:
    """The exit status and standard error lines of a `changebot run` that should not start."""
    result = subprocess.run(  # noqa: S603 - our own console script
        [CHANGEBOT, "run"],
        env=environment,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    return result.returncode, result.stderr.splitlines()


def test_run_with_oauth_and_no_encryption_key_stops_with_one_line_saying_how_to_make_one(
    standin, tmp_path
):
    status, errors = _run_expecting_a_refusal(_oauth_environment(standin, tmp_path), tmp_path)

    assert status != 0
    (line,) = errors
    assert "CHANGEBOT_ENCRYPTION_KEY is not set" in line
    assert "Fernet.generate_key().decode()" in line
    assert not (tmp_path / "changebot.db").exists()


def test_run_with_a_wrong_encryption_key_names_the_setting_and_not_the_keys(standin, tmp_path):
    good = Fernet.generate_key().decode()
    environment = _oauth_environment(
        standin, tmp_path, CHANGEBOT_ENCRYPTION_KEY=f"{good}, not-a-fernet-key"
    )

    status, errors = _run_expecting_a_refusal(environment, tmp_path)

    assert status != 0
    (line,) = errors
    assert line.startswith("changebot: CHANGEBOT_ENCRYPTION_KEY: key 2 of 2 is not a Fernet key")
    assert good not in line
    assert "not-a-fernet-key" not in line


def _gone(pid: int) -> bool:
    """Whether process `pid` has exited (a zombie awaiting its reaper counts as gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def test_a_background_process_killed_outright_is_logged_with_its_signal_and_started_again(bot):
    (killed,) = bot.background_pids()
    os.kill(killed, signal.SIGKILL)
    said = "ERROR bot.background: the background process was killed by SIGKILL; starting it again"
    wait_until(lambda: said in bot.log.read_text(), what="the kill logged", timeout=10)
    wait_until(
        lambda: bot.background_pids() not in ([], [killed]),
        what="a new background process",
        timeout=10,
    )
    (again,) = bot.background_pids()
    assert bot.terminate() == 0
    wait_until(lambda: _gone(again), what="the new background process to stop")


@pytest.mark.parametrize("whole_group", [True, False], ids=["ctrl-c", "systemd"])
def test_a_signal_to_every_process_of_the_instance_stops_it_cleanly_and_leaves_nothing(
    environment, tmp_path, whole_group
):
    """Ctrl-C in a terminal sends SIGINT to the foreground process group; systemd's stop
    sends SIGTERM to every process of the service."""
    bot = RunningBot(environment, tmp_path, own_session=True)
    wait_until(lambda: "background work started" in bot.log.read_text(), what="the background")
    (background,) = bot.background_pids()
    if whole_group:
        os.killpg(bot.process.pid, signal.SIGINT)
    else:
        for pid in (bot.process.pid, *bot.children()):
            os.kill(pid, signal.SIGTERM)
    assert bot.process.wait(timeout=30) == 0
    wait_until(lambda: _gone(background), what="the background process to stop")
    log = bot.log.read_text()
    assert " ERROR " not in log, log
    assert "Traceback" not in log
    # The background process stopped as asked: it handed the scheduler lease on.
    database = environment["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as check:
        (expires_at,) = check.execute("SELECT expires_at FROM lease").fetchone()
    assert datetime.fromisoformat(expires_at).replace(tzinfo=UTC) < datetime.now(UTC)


def test_run_listens_on_an_ipv6_address(standin, tmp_path):
    try:
        socket.create_server(("::1", 0), family=socket.AF_INET6).close()
    except OSError as error:
        pytest.skip(f"no IPv6 loopback here: {error}")
    bot = RunningBot(
        bot_environment(standin, f"sqlite:///{tmp_path / 'changebot.db'}", HOST="::1"), tmp_path
    )
    assert http_get(bot.url + "/healthz").json()["ok"] is True
    assert bot.terminate() == 0
