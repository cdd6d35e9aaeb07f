"""Fixing mistakes in the plan: editing, moving and removing stages; every completion kept."""

from datetime import date

import pytest
from sqlmodel import select

from bot.errors import InvalidInput, NotAllowed
from bot.services import export, stages
from bot.services.feedback import give_feedback
from bot.services.partners import set_role
from storage.models import Feedback, Role, StageHistory

from .conftest import LEAD

OWNER, OTHER = "UOWNER", "UOTHER"


def _plan(session, project, *titles, owner=None):
    for title in titles:
        stages.add_stage(session=session, project=project, by=LEAD, title=title, owner_id=owner)


def _titles(session, project):
    return [(s.position, s.title) for s in stages.list_stages(session=session, project=project)]


def test_the_owner_corrects_title_due_date_and_owner(session, project):
    _plan(session, project, "Order furnitur", owner=OWNER)
    stages.retitle_stage(session=session, project=project, number=1, by=OWNER, title="Order chairs")
    stages.set_stage_due(
        session=session, project=project, number=1, by=OWNER, due_on=date(2027, 1, 8)
    )
    stage = stages.set_stage_owner(
        session=session, project=project, number=1, by=OWNER, owner_id=None
    )
    assert (stage.title, stage.due_on, stage.owner_id) == ("Order chairs", date(2027, 1, 8), None)
    with pytest.raises(NotAllowed):
        stages.set_stage_due(session=session, project=project, number=1, by=OWNER, due_on=None)


def test_a_title_is_at_most_200_characters(session, project):
    with pytest.raises(InvalidInput, match="at most 200 characters; this one has 3,116"):
        stages.add_stage(session=session, project=project, by=LEAD, title="x" * 3116)
    _plan(session, project, "Short")
    with pytest.raises(InvalidInput, match="at most 200"):
        stages.retitle_stage(session=session, project=project, number=1, by=LEAD, title="y" * 201)


def test_moving_a_stage_renumbers_the_others(session, project):
    _plan(session, project, "One", "Two", "Three", "Four")
    stages.move_stage(session=session, project=project, number=4, to=1, by=LEAD)
    assert _titles(session, project) == [(1, "Four"), (2, "One"), (3, "Two"), (4, "Three")]
    stages.move_stage(session=session, project=project, number=1, to=3, by=LEAD)
    assert _titles(session, project) == [(1, "One"), (2, "Two"), (3, "Four"), (4, "Three")]
    with pytest.raises(InvalidInput, match="stages 1 to 4"):
        stages.move_stage(session=session, project=project, number=1, to=9, by=LEAD)
    set_role(session=session, project=project, by=LEAD, user_id=OTHER, role=Role.STAFF)
    with pytest.raises(NotAllowed):
        stages.move_stage(session=session, project=project, number=1, to=2, by=OTHER)


def test_removing_a_stage_keeps_its_feedback_and_renumbers_the_rest(session, project):
    _plan(session, project, "One", "Two", "Three")
    give_feedback(session=session, project=project, by=OTHER, text="Why two?", stage_number=2)
    second = stages.check_removal(session=session, project=project, number=2, by=LEAD)
    stages.remove_stage(session=session, project=project, stage_id=second.id, by=LEAD)
    assert _titles(session, project) == [(1, "One"), (2, "Three")]
    (kept,) = session.exec(select(Feedback)).all()
    assert kept.stage_id is None


def test_a_done_stage_is_not_removed_nor_one_completed_before(session, project):
    _plan(session, project, "One")
    stages.complete_stage(session=session, project=project, number=1, by=LEAD, outcome="Done")
    with pytest.raises(InvalidInput, match="done"):
        stages.check_removal(session=session, project=project, number=1, by=LEAD)
    stage = stages.get_stage(session=session, project=project, number=1)
    with pytest.raises(InvalidInput, match="done"):
        stages.remove_stage(session=session, project=project, stage_id=stage.id, by=LEAD)
    stages.reopen_stage(session=session, project=project, number=1, by=LEAD)
    with pytest.raises(InvalidInput, match="completed before"):
        stages.check_removal(session=session, project=project, number=1, by=LEAD)


def test_the_record_keeps_every_completion_and_reopening(session, project):
    _plan(session, project, "Pilot")
    stages.complete_stage(session=session, project=project, number=1, by=LEAD, outcome="First go")
    stages.reopen_stage(session=session, project=project, number=1, by=LEAD)
    stages.complete_stage(session=session, project=project, number=1, by=LEAD, outcome="Second go")
    kinds = [
        (h.round, h.kind) for h in session.exec(select(StageHistory).order_by(StageHistory.id))
    ]
    assert kinds == [(1, "completed"), (1, "reopened"), (2, "completed")]
    record = export.project_record(session=session, project=project, by=LEAD)
    assert [(e.event, e.detail) for e in record if e.event != "stage added"] == [
        ("stage completed", "First go"),
        ("stage reopened", ""),
        ("stage completed", "Second go"),
    ]


def test_a_one_stage_plan_is_described_as_such(session, project):
    _plan(session, project, "Only")
    with pytest.raises(InvalidInput, match=r"There is no position 2: the plan has only stage 1\.$"):
        stages.move_stage(session=session, project=project, number=1, to=2, by=LEAD)
