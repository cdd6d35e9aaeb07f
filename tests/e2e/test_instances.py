"""Several `changebot run` instances on one PostgreSQL database: every post exactly once.

Two instances share the database and the Slack stand-in. Completions go to
both at once; digests fall due in the coming minutes; the instance running
the scheduled jobs is killed (SIGKILL) just before a run is due, so the other
takes over; then every instance is down when the next run is due, and it is
posted once when one comes back. Every post carries its outbox key in Slack
metadata, so the test counts posts per key.
"""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.console.requests import RequestFactory
from bot.console.standin import SlackStandIn
from storage.migrate import upgrade

from .conftest import (
    LEAD,
    SIGNING_SECRET,
    TEAM,
    Response,
    RunningBot,
    bot_environment,
    http_get,
    http_post,
    wait_until,
)

LONDON = ZoneInfo("Europe/London")
CHANNELS = ("CWARD1", "CWARD2", "CWARD3")
FAST_TAKEOVER = {"SCHEDULER_LEASE_SECONDS": "6", "OUTBOX_LEASE_SECONDS": "5"}


def _minute_at_least(seconds_ahead: int) -> datetime:
    soon = datetime.now(LONDON) + timedelta(seconds=seconds_ahead)
    return soon.replace(second=0, microsecond=0) + timedelta(minutes=1)


def _sleep_until(moment: datetime) -> None:
    while (left := (moment - datetime.now(LONDON)).total_seconds()) > 0:
        time.sleep(min(left, 1.0))


class Instances:
    """The running instances and how to talk to them."""

    def __init__(self, standin: SlackStandIn, database_url: str, folder: Path) -> None:
        self.standin = standin
        self.database_url = database_url
        self.folder = folder
        self.factory = RequestFactory(signing_secret=SIGNING_SECRET, team_id=TEAM, standin=standin)
        self.running: list[RunningBot] = []

    def start(self) -> RunningBot:
        bot = RunningBot(
            bot_environment(self.standin, self.database_url, **FAST_TAKEOVER), self.folder
        )
        self.running.append(bot)
        return bot

    def command(self, bot: RunningBot, channel: str, command: str, text: str) -> Response:
        request = self.factory.slash_command(
            command, text, user_id=LEAD, channel_id=channel, channel_name=channel.lower()
        )
        return http_post(bot.url + "/slack/events", request.body, request.headers)

    def leader(self) -> RunningBot:
        live = [bot for bot in self.running if bot.process.poll() is None]
        leading = [bot for bot in live if http_get(bot.url + "/healthz").json()["scheduler"]]
        assert len(leading) == 1, f"{len(leading)} instances run the scheduled jobs"
        return leading[0]

    def posts_by_key(self) -> Counter[str]:
        return Counter(
            call.args["metadata"]["event_payload"]["key"]
            for call in self.standin.calls_to("chat.postMessage")
            if call.ok and call.args.get("metadata")
        )

    def stop_all(self) -> None:
        for bot in self.running:
            if bot.process.poll() is None:
                bot.process.kill()
                bot.process.wait()


@pytest.fixture
def instances(postgres_url: str, standin: SlackStandIn, tmp_path: Path):
    upgrade(postgres_url)
    group = Instances(standin, postgres_url, tmp_path)
    yield group
    group.stop_all()


def _digest_at(instances: Instances, bot: RunningBot, channel: str, when: datetime) -> None:
    reply = instances.command(bot, channel, "/plan", f"digest on {when:%Y-%m-%d %H:%M}")
    assert "progress digest will be posted" in reply.body, reply.body


def _digests(instances: Instances) -> Counter[str]:
    return Counter({k: n for k, n in instances.posts_by_key().items() if k.startswith("digest:")})


def test_two_instances_post_every_run_and_celebration_once_through_a_kill_and_a_restart(
    instances,
):
    first, second = instances.start(), instances.start()
    for channel in CHANNELS:
        for title in ("Agree the rota", "Pilot the rota", "Roll it out"):
            assert "Added stage" in instances.command(first, channel, "/stage", f"add {title}").body

    # Completions sent to both instances at once: each stage is celebrated once.
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(
            pool.map(
                lambda job: instances.command(job[0], job[1], "/stage", "done 1 Rota agreed"),
                [(bot, channel) for channel in CHANNELS for bot in (first, second)],
            )
        )
    assert all(answer.status == 200 for answer in answers)
    assert sum("is done" in answer.body for answer in answers) == len(CHANNELS)

    due_soon = _minute_at_least(25)
    due_later = due_soon + timedelta(minutes=1)
    for channel in CHANNELS[:2]:
        _digest_at(instances, second, channel, due_soon)
    _digest_at(instances, first, CHANNELS[2], due_later)

    # Kill the instance running the jobs just before the first runs are due.
    _sleep_until(due_soon - timedelta(seconds=4))
    leader = instances.leader()
    leader.process.kill()
    leader.process.wait()
    survivor = second if leader is first else first
    for channel in CHANNELS:
        instances.command(survivor, channel, "/stage", "done 2 Pilot went well")
    wait_until(lambda: len(_digests(instances)) == 2, what="the first two digests", timeout=45)

    # Every instance is down when the last run falls due; it is posted when one is back.
    assert survivor.terminate() == 0
    _sleep_until(due_later + timedelta(seconds=3))
    instances.start()
    wait_until(lambda: len(_digests(instances)) == 3, what="the digest due while down", timeout=30)
    time.sleep(2)  # room for a duplicate to show, were there one

    posts = instances.posts_by_key()
    assert [key for key, count in posts.items() if count > 1] == []
    celebrations = [key for key in posts if key.startswith("celebrate:")]
    assert len(celebrations) == 2 * len(CHANNELS)
    assert len(_digests(instances)) == 3
    assert all(
        "Traceback" not in bot.log.read_text() for bot in instances.running if bot is not leader
    ), "an instance logged a traceback"
