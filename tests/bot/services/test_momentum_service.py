"""Overdue nudges and the digest's contents, against a real database."""

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.services import momentum, stages
from storage.models import Feedback

LEAD, OWNER = "ULEAD", "UOWNER"
# Tuesday 5 January 2027, 10:00 in London (GMT): a working day, after 09:00.
TUESDAY_10AM = datetime(2027, 1, 5, 10, 0, tzinfo=UTC)


def _add(session, project, title, due, owner=OWNER):
    return stages.add_stage(
        session=session, project=project, by=LEAD, title=title, due_on=due, owner_id=owner
    )


def _due_titles(session, now):
    return [o.stage.title for o in momentum.overdue_to_nudge(session=session, now=now)]


def test_an_overdue_owned_stage_is_nudged_once(session, project):
    stage = _add(session, project, "Late", date(2027, 1, 4))
    _add(session, project, "Due today", date(2027, 1, 5))
    _add(session, project, "No owner", date(2027, 1, 1), owner=None)
    assert _due_titles(session, TUESDAY_10AM) == ["Late"]
    momentum.mark_nudged(session=session, stage=stage, now=TUESDAY_10AM)
    assert _due_titles(session, TUESDAY_10AM + timedelta(days=1)) == ["Due today"]


def test_a_finished_stage_is_not_nudged(session, project):
    _add(session, project, "Late but done", date(2027, 1, 4))
    stages.complete_stage(session=session, project=project, number=1, by=LEAD, outcome=None)
    assert _due_titles(session, TUESDAY_10AM) == []


@pytest.mark.parametrize(
    "when",
    [
        datetime(2027, 1, 5, 8, 59, tzinfo=UTC),  # before 09:00 London
        datetime(2027, 1, 9, 10, 0, tzinfo=UTC),  # a Saturday
        datetime(2027, 5, 3, 10, 0, tzinfo=UTC),  # the early May bank holiday
    ],
)
def test_nudges_wait_for_working_hours_on_a_working_day(session, project, when):
    _add(session, project, "Late", date(2027, 1, 4))
    assert _due_titles(session, when) == []


def test_working_hours_are_the_projects_own(session, project):
    _add(session, project, "Late", date(2027, 6, 1))
    # 08:30 UTC is 09:30 in London in summer: time to nudge.
    assert _due_titles(session, datetime(2027, 6, 8, 8, 30, tzinfo=UTC)) == ["Late"]


def test_the_digest_counts_what_happened_since_the_last_one(session, project):
    since = TUESDAY_10AM - timedelta(days=7)
    _add(session, project, "Overdue", date(2027, 1, 1))
    _add(session, project, "Done this week", None)
    stages.complete_stage(
        session=session,
        project=project,
        number=2,
        by=LEAD,
        outcome="Yes",
        clock=lambda: TUESDAY_10AM - timedelta(days=1),
    )
    session.add(Feedback(project_id=project.id, source_role="staff", text="Good", created_at=since))
    session.add(
        Feedback(
            project_id=project.id,
            source_role="staff",
            text="Old",
            created_at=since - timedelta(days=1),
        )
    )
    digest = momentum.digest_of(session=session, project=project, since=since, now=TUESDAY_10AM)
    assert [s.title for s in digest.completed] == ["Done this week"]
    assert [s.title for s in digest.overdue] == ["Overdue"]
    assert digest.feedback_received == 1
    assert digest.next_checkin is None
