"""A concern still open three working days after it was raised reminds the leads once."""

import json
from datetime import UTC, datetime

import pytest
import time_machine
from sqlmodel import col, select

from bot.posts.concerns import card_key
from bot.scheduling import jobs
from bot.services import concerns
from bot.services.projects import Caller, project_for
from storage.db import unit_of_work
from storage.models import Concern, OutboxMessage

LEAD, REP = "ULEAD", "UREP"
# Thursday before Easter 2027: Good Friday and Easter Monday are bank holidays in England.
RAISED = datetime(2027, 3, 25, 10, 0, tzinfo=UTC)
DUE = datetime(2027, 4, 1, 9, 0, tzinfo=UTC)  # Thursday 1 April, 10:00 BST


@pytest.fixture
def started_at():
    return RAISED


def _raise(engine, text):
    with unit_of_work(engine) as session:
        caller = Caller(team_id="T1", channel_id="C1", user_id=LEAD, channel_name="new-ward")
        project = project_for(session=session, caller=caller, timezone="Europe/London")
        return concerns.raise_concern(
            session=session, project=project, by=REP, number=2, text=text, clock=lambda: RAISED
        ).concern


def _escalations(engine):
    with unit_of_work(engine) as session:
        rows = session.exec(
            select(OutboxMessage)
            .where(col(OutboxMessage.key).startswith("escalate:"))
            .order_by(col(OutboxMessage.id))
        ).all()
        return [(row.key, row.thread_key, json.loads(row.payload)["text"]) for row in rows]


def test_the_escalation_job_is_scheduled_at_start_up(runtime):
    assert jobs.CONCERN_ESCALATION_JOB in {job.id for job in runtime.scheduler.jobs()}


def test_an_open_concern_reminds_the_leads_once_in_its_thread_after_three_working_days(
    runtime, migrated_engine
):
    concern = _raise(migrated_engine, "Not consulted")
    for moment in (
        datetime(2027, 3, 30, 10, 0, tzinfo=UTC),
        datetime(2027, 4, 1, 8, 59, tzinfo=UTC),
    ):
        with time_machine.travel(moment):
            jobs.escalate_concerns(runtime)
    assert _escalations(migrated_engine) == []
    for moment in (DUE, datetime(2027, 4, 1, 9, 15, tzinfo=UTC), datetime(2027, 4, 9, tzinfo=UTC)):
        with time_machine.travel(moment):
            jobs.escalate_concerns(runtime)
    ((key, thread_key, text),) = _escalations(migrated_engine)
    assert key == f"escalate:concern:{concern.id}"
    assert thread_key == card_key(concern)
    assert f"<@{LEAD}>" in text
    with unit_of_work(migrated_engine) as session:
        assert session.get(Concern, concern.id).escalated_at is not None


def test_an_acknowledged_concern_is_not_escalated(runtime, migrated_engine):
    concern = _raise(migrated_engine, "Heard")
    with unit_of_work(migrated_engine) as session:
        project, row = concerns.concern_by_id(session=session, team_id="T1", concern_id=concern.id)
        concerns.acknowledge_concern(session=session, project=project, concern=row, by=LEAD)
    with time_machine.travel(DUE):
        jobs.escalate_concerns(runtime)
    assert _escalations(migrated_engine) == []
