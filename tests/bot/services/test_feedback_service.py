"""Feedback against a real migrated database (SQLite and PostgreSQL)."""

import logging

import pytest
from sqlmodel import select

from bot.errors import InvalidInput, NotFound
from bot.services import feedback, stages
from bot.services.partners import set_role
from bot.services.projects import Caller, project_for
from storage.models import Feedback, Role

from .conftest import LEAD

OTHER = "UOTHER"


def test_typed_feedback_is_about_the_project_and_speaks_for_the_givers_role(session, project):
    set_role(session=session, project=project, by=LEAD, user_id=OTHER, role=Role.UNION)
    given = feedback.give_feedback(session=session, project=project, by=OTHER, text=" Fairer ")
    stored = session.get(Feedback, given.feedback.id)
    assert (stored.text, stored.stage_id, stored.author_id, stored.source_role) == (
        "Fairer",
        None,
        OTHER,
        "union",
    )
    assert given.stage is None


def test_someone_without_a_role_speaks_as_staff(session, project):
    given = feedback.give_feedback(session=session, project=project, by=OTHER, text="Hello")
    assert given.feedback.source_role == Role.STAFF


def test_feedback_on_a_stage_by_number_and_by_id(session, project):
    stage = stages.add_stage(session=session, project=project, by=LEAD, title="Pilot")
    by_number = feedback.give_feedback(
        session=session, project=project, by=LEAD, text="Good", stage_number=1
    )
    by_id = feedback.give_feedback(
        session=session, project=project, by=LEAD, text="Good", stage_id=stage.id, rating=5
    )
    assert by_number.feedback.stage_id == by_id.feedback.stage_id == stage.id
    assert by_id.stage.title == "Pilot"


def test_a_stage_that_is_not_in_the_plan_is_refused_and_nothing_is_stored(session, project):
    stages.add_stage(session=session, project=project, by=LEAD, title="Only")
    with pytest.raises(NotFound, match="There is no stage 7: the plan has only stage 1"):
        feedback.give_feedback(session=session, project=project, by=LEAD, text="x", stage_number=7)
    elsewhere = project_for(session=session, caller=Caller("T1", "C2", LEAD), timezone="UTC")
    other = stages.add_stage(session=session, project=elsewhere, by=LEAD, title="Theirs")
    with pytest.raises(InvalidInput) as refused:
        feedback.give_feedback(
            session=session, project=project, by=LEAD, text="x", stage_id=other.id
        )
    assert refused.value.field == "feedback.stage"
    assert session.exec(select(Feedback)).all() == []


@pytest.mark.parametrize("rating", [0, 6])
def test_a_rating_is_one_to_five(session, project, rating):
    with pytest.raises(InvalidInput, match="from 1 to 5"):
        feedback.give_feedback(session=session, project=project, by=LEAD, text="x", rating=rating)


def test_anonymous_feedback_is_stored_and_logged_with_no_trace_of_its_giver(
    session, project, caplog
):
    with caplog.at_level(logging.DEBUG):
        given = feedback.give_feedback(
            session=session,
            project=project,
            by=OTHER,
            text="Worried",
            role=Role.SERVICE_USER,
            anonymous=True,
        )
    stored = session.get(Feedback, given.feedback.id)
    assert stored.author_id is None
    assert stored.source_role == "service-user"
    assert OTHER not in caplog.text
    assert "feedback" in caplog.text
