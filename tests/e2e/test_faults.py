"""Slack refusing posts for good: the channel's schedules pause and a lead is told."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlmodel import Session, select

from bot.scheduling import jobs
from storage.models import Schedule

from .conftest import BOT_TOKEN, CHANNEL, LEAD, Workspace


def _fire_digest(workspace: Workspace) -> None:
    (job,) = [j for j in workspace.runtime.scheduler.jobs() if j.id.startswith("schedule:")]
    workspace.drive_time_myself()
    due = job.trigger.get_next_fire_time(None, datetime.now(UTC))
    with time_machine.travel(due + timedelta(seconds=2), tick=False):
        jobs.run_schedule(workspace.runtime, *job.args[1:])
        workspace.runtime.sender.deliver_due()  # the digest fails…
        workspace.runtime.sender.deliver_due()  # …and the lead's message goes out


def _paused(workspace: Workspace) -> list[bool]:
    with Session(workspace.runtime.engine) as session:
        return [s.paused for s in session.exec(select(Schedule))]


@pytest.mark.parametrize("error", ["channel_not_found", "is_archived", "not_in_channel"])
def test_a_lost_channel_pauses_its_schedules_and_tells_a_lead(workspace, error):
    workspace.command("/plan", "digest daily 09:00")
    workspace.standin.fail("chat.postMessage", error, times=3, channel=CHANNEL)
    workspace.standin.fail("conversations.join", "channel_not_found", channel=CHANNEL)
    _fire_digest(workspace)
    assert _paused(workspace) == [True]
    (opened,) = workspace.standin.calls_to("conversations.open")
    assert opened.args["users"] == LEAD
    (told,) = [c for c in workspace.standin.calls_to("chat.postMessage") if c.ok]
    assert told.args["channel"].startswith("D")
    assert "1 schedule there is paused" in told.args["text"]


def test_a_revoked_token_pauses_the_workspace_and_says_why_in_the_log(workspace, caplog):
    caplog.set_level(logging.ERROR, logger="bot.runs.channels")
    workspace.command("/plan", "digest daily 09:00")
    workspace.standin.revoke(BOT_TOKEN, error="token_revoked")
    _fire_digest(workspace)
    assert _paused(workspace) == [True]
    assert "refused changebot's token for workspace T0CHANGE (token_revoked)" in caplog.text


def test_a_team_that_removed_changebot_is_not_joined_again_by_its_next_digest(workspace):
    workspace.command("/plan", "digest daily 09:00")
    workspace.stage("add Open the new ward")
    workspace.stage("done 1 Ward opened")
    workspace.wait_for_posts(1)
    workspace.standin.add_channel(CHANNEL, "new-ward", is_member=False)  # /remove @changebot
    _fire_digest(workspace)
    assert workspace.standin.calls_to("conversations.join") == []
    assert len(workspace.posts()) == 1
    assert _paused(workspace) == [True]
    (told,) = [c for c in workspace.standin.calls_to("chat.postMessage") if c.ok][1:]
    assert "not a member of the channel any more" in told.args["text"]
