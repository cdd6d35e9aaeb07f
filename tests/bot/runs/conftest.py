"""What scheduled-run tests share: a started runtime whose clock starts at `started_at`."""

from __future__ import annotations

import pytest
import time_machine

from bot.background import start_background
from bot.config import Settings
from bot.installations import StaticToken
from bot.runtime import build_runtime


@pytest.fixture
def runtime(database_url, migrated_engine, started_at):
    """The scheduler started and the jobs bound; the outbox is left for the test to read."""
    settings = Settings(
        database_url=database_url,
        slack_bot_token="xoxb-test",
        slack_api_url="http://127.0.0.1:9/api/",
        _env_file=None,
    )
    with time_machine.travel(started_at):
        runtime = build_runtime(settings, StaticToken("xoxb-test"), engine=migrated_engine)
        start_background(runtime, deliver_in_background=False)
        yield runtime
        runtime.stop()
