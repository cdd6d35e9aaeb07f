"""`weekly mon 09:00` principle reminders: one principle a run, in turn, each run posted once."""

import json
from datetime import UTC, datetime

import pytest
import time_machine
from sqlmodel import col, select

from bot.parsing.schedule import parse_schedule
from bot.posts.scheduled import run_key
from bot.runs.principles import post_principle_reminder
from bot.runs.scheduled import ScheduleRun
from bot.scheduling import jobs
from bot.services import principles, schedules
from bot.services.principles import DEFAULT_PRINCIPLES
from bot.services.projects import Caller, project_for
from storage.db import unit_of_work
from storage.models import OutboxMessage, Schedule

LEAD = "ULEAD"
MONDAY_NOON = datetime(2027, 3, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def started_at():
    return MONDAY_NOON


@pytest.fixture
def reminder(runtime, migrated_engine):
    """A committed `weekly mon 09:00` reminder in a new project, made on Monday 15 March 2027."""
    with runtime.transaction() as session:
        caller = Caller(team_id="T1", channel_id="C1", user_id=LEAD, channel_name="new-ward")
        project = project_for(session=session, caller=caller, timezone="Europe/London")
        schedule, _ = principles.start_reminders(
            session=session,
            project=project,
            by=LEAD,
            spec=parse_schedule("weekly mon 09:00"),
            now=MONDAY_NOON,
        )
    return schedule, project


def _fire_times(schedule, project, count):
    runs, after = [], MONDAY_NOON
    for _ in range(count):
        after = schedules.next_run_of(schedule, project, after=after)
        runs.append(after)
    return runs


def _posted(engine, schedule):
    """The reminders written for the schedule, in order: (key, which principle it shows)."""
    with unit_of_work(engine) as session:
        rows = session.exec(
            select(OutboxMessage)
            .where(col(OutboxMessage.key).startswith(f"principle-reminder:{schedule.id}:"))
            .order_by(col(OutboxMessage.id))
        ).all()
        return [(row.key, json.loads(row.payload)["text"]) for row in rows]


def _reminders(*numbers):
    """The fallback text of the reminders for these principles, as the channel is sent them."""
    titles = [title for title, _ in DEFAULT_PRINCIPLES]
    return [f":compass: Principle {n} of 6: {titles[n - 1]}" for n in numbers]


def test_the_runs_fall_on_mondays_at_nine_and_a_bank_holiday_moves_one_to_tuesday(reminder):
    schedule, project = reminder
    runs = _fire_times(schedule, project, 3)
    assert runs == [
        datetime(2027, 3, 22, 9, 0, tzinfo=UTC),  # GMT
        datetime(2027, 3, 30, 8, 0, tzinfo=UTC),  # Easter Monday: Tuesday, 09:00 BST
        datetime(2027, 4, 5, 8, 0, tzinfo=UTC),
    ]


def test_each_scheduled_run_posts_the_next_principle_once(runtime, reminder, migrated_engine):
    schedule, project = reminder
    runs = _fire_times(schedule, project, 7)
    for fired_at in runs:
        with time_machine.travel(fired_at.replace(second=30)):
            jobs.run_schedule(runtime, schedule.id)
            jobs.run_schedule(runtime, schedule.id)  # a second firing of the same run does nothing
    posted = _posted(migrated_engine, schedule)
    assert [key for key, _ in posted] == [run_key(schedule, fired_at) for fired_at in runs]
    assert [text for _, text in posted] == _reminders(1, 2, 3, 4, 5, 6, 1)


def test_calling_the_runner_for_one_fire_time_twice_posts_and_rotates_once(
    runtime, reminder, migrated_engine
):
    schedule, project = reminder
    first, second = _fire_times(schedule, project, 2)
    for fired_at in (first, first, second):
        with unit_of_work(migrated_engine) as session:
            row = session.get(Schedule, schedule.id)
            post_principle_reminder(ScheduleRun(session, runtime, project, row, fired_at))
    assert [text for _, text in _posted(migrated_engine, schedule)] == _reminders(1, 2)
    with unit_of_work(migrated_engine) as session:
        assert session.get(Schedule, schedule.id).rotation == 2
