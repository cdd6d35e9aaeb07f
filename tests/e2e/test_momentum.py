"""Momentum through the real app: the digest at 15:00 local across clock changes, nudges once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import time_machine

from bot.scheduling import jobs

from .conftest import CHANNEL, OWNER, Workspace


def _digest_job(workspace: Workspace):
    (job,) = [j for j in workspace.runtime.scheduler.jobs() if j.id.startswith("schedule:")]
    workspace.drive_time_myself()
    return job


def _fire(workspace: Workspace, job, at: datetime) -> None:
    """Run the job as APScheduler would at `at` (a few seconds late, as jobs are)."""
    with time_machine.travel(at + timedelta(seconds=3), tick=False):
        jobs.run_schedule(workspace.runtime, *job.args[1:])
        workspace.runtime.sender.deliver_due()


def _digests(workspace: Workspace) -> list[str]:
    return [
        call.args.get("text", "")
        for call in workspace.posts(CHANNEL)
        if "Progress digest" in call.args.get("text", "")
    ]


def test_a_friday_digest_fires_at_1500_london_time_before_and_after_each_clock_change(workspace):
    reply = workspace.command("/plan", "digest weekly fri 15:00")
    assert "every Friday at 15:00 (Europe/London time), the first on Friday" in reply.text
    job = _digest_job(workspace)
    trigger = job.trigger

    # Fridays around the March (28th) and October (31st) 2027 clock changes; Good Friday
    # (26 March) is a bank holiday, so that run moves to Tuesday 30 March, after Easter Monday.
    expected = [
        datetime(2027, 3, 19, 15, 0, tzinfo=UTC),  # 15:00 GMT
        datetime(2027, 3, 30, 14, 0, tzinfo=UTC),  # 15:00 BST, moved from Good Friday
        datetime(2027, 4, 2, 14, 0, tzinfo=UTC),  # 15:00 BST
        datetime(2027, 10, 29, 14, 0, tzinfo=UTC),  # 15:00 BST
        datetime(2027, 11, 5, 15, 0, tzinfo=UTC),  # 15:00 GMT
    ]
    previous = expected[0] - timedelta(days=1)
    for fire_at in expected:
        assert trigger.get_next_fire_time(None, previous + timedelta(seconds=1)) == fire_at
        _fire(workspace, job, fire_at)
        previous = fire_at if fire_at.month != 4 else datetime(2027, 10, 28, tzinfo=UTC)
    assert len(_digests(workspace)) == 5
    # Firing again for a run already posted posts nothing more.
    _fire(workspace, job, datetime(2027, 11, 5, 15, 0, tzinfo=UTC))
    assert len(_digests(workspace)) == 5


def test_the_first_digest_covers_everything_since_the_project_began(workspace):
    workspace.stage("add Map the patient journey")
    workspace.stage("done 1 Journey mapped")
    workspace.command("/feedback", "Good start")
    workspace.command("/plan", "digest daily 09:00")
    job = _digest_job(workspace)
    first = job.trigger.get_next_fire_time(None, datetime.now(UTC))
    _fire(workspace, job, first)
    (digest,) = [c for c in workspace.posts(CHANNEL) if "Progress digest" in c.args["text"]]
    body = json.dumps(digest.args["blocks"])
    assert "Completed since the project began" in body
    assert "Map the patient journey" in body
    assert "1 piece of feedback received" in body


def test_stopping_the_digest_removes_its_job(workspace):
    workspace.command("/plan", "digest weekly mon 09:00")
    assert "The digest is stopped" in workspace.command("/plan", "digest off").text
    assert [j for j in workspace.runtime.scheduler.jobs() if j.id.startswith("schedule:")] == []


def test_a_bad_schedule_is_refused_with_the_forms(workspace):
    reply = workspace.command("/plan", "digest weekly fryday 15:00")
    assert reply.json()["response_type"] == "ephemeral"
    assert "fryday" in reply.text
    assert "weekly DAY HH:MM" in reply.text


def test_an_overdue_stage_nudges_its_owner_once_by_direct_message(workspace):
    workspace.stage(f"add Sign the lease due 2027-01-04 owner <@{OWNER}|olu>")
    workspace.drive_time_myself()
    tuesday_10am = datetime(2027, 1, 5, 10, 0, tzinfo=UTC)
    for hours in (0, 1, 24):
        with time_machine.travel(tuesday_10am + timedelta(hours=hours), tick=False):
            jobs.nudge_overdue_stages(workspace.runtime)
            workspace.runtime.sender.deliver_due()
    (opened,) = workspace.standin.calls_to("conversations.open")
    assert opened.args["users"] == OWNER
    dms = [c for c in workspace.standin.calls_to("chat.postMessage") if c.args["channel"][0] == "D"]
    assert len(dms) == 1
    assert "Sign the lease" in dms[0].args["text"]
    assert "was due on 2027-01-04" in dms[0].args["text"]
