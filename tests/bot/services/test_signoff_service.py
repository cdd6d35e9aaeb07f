"""Joint management-union sign-off and the project's settings, against a real database."""

import pytest

from bot.errors import InvalidInput, NotAllowed
from bot.services import stages
from bot.services.partners import is_lead, set_lead, set_role
from bot.services.projects import Caller, project_for, set_need, set_signoff_mode
from storage.db import unit_of_work
from storage.models import Role, SignoffMode, StageStatus

LEAD, MANAGER, REP, STAFF = "ULEAD", "UMANAGER", "UREP", "USTAFF"


@pytest.fixture
def session(migrated_engine):
    with unit_of_work(migrated_engine) as session:
        yield session


@pytest.fixture
def project(session):
    project = project_for(session=session, caller=Caller("T1", "C1", LEAD, "ward"), timezone="UTC")
    for user, role in ((MANAGER, Role.MANAGEMENT), (REP, Role.UNION), (STAFF, Role.STAFF)):
        set_role(session=session, project=project, by=LEAD, user_id=user, role=role)
    set_signoff_mode(session=session, project=project, by=LEAD, mode=SignoffMode.JOINT)
    stages.add_stage(session=session, project=project, by=LEAD, title="Pilot the rota")
    stages.add_stage(session=session, project=project, by=LEAD, title="Roll it out")
    return project


def _done(session, project, by, outcome=None):
    return stages.complete_stage(session=session, project=project, number=1, by=by, outcome=outcome)


def test_one_side_alone_does_not_complete_the_stage(session, project):
    waiting = _done(session, project, MANAGER, "Rota agreed")
    assert isinstance(waiting, stages.AwaitingSignoff)
    assert waiting.waiting_for == stages.Side.UNION
    assert stages.list_stages(session=session, project=project)[0].status != StageStatus.DONE


def test_the_other_sides_confirmation_completes_it_with_the_first_outcome(session, project):
    waiting = _done(session, project, MANAGER, "Rota agreed")
    completion = stages.confirm_signoff(
        session=session, project=project, stage_id=waiting.stage.id, round_=waiting.round, by=REP
    )
    assert isinstance(completion, stages.Completion)
    assert (completion.stage.status, completion.stage.outcome) == (StageStatus.DONE, "Rota agreed")
    signed = stages.signoffs_of(session=session, stage=completion.stage, round_=1)
    assert [(s.side, s.user_id) for s in signed] == [("management", MANAGER), ("union", REP)]


def test_the_union_side_can_go_first_and_a_lead_confirms_for_management(session, project):
    waiting = _done(session, project, REP)
    assert waiting.waiting_for == stages.Side.MANAGEMENT
    assert isinstance(_done(session, project, LEAD), stages.Completion)


def test_the_same_side_cannot_confirm_twice(session, project):
    _done(session, project, MANAGER)
    with pytest.raises(InvalidInput, match="management side has already confirmed"):
        _done(session, project, LEAD)


def test_one_person_cannot_confirm_both_sides(session, project):
    waiting = _done(session, project, MANAGER)
    set_role(session=session, project=project, by=LEAD, user_id=MANAGER, role=Role.UNION)
    with pytest.raises(InvalidInput, match="already confirmed"):
        stages.confirm_signoff(
            session=session, project=project, stage_id=waiting.stage.id, round_=1, by=MANAGER
        )


def test_someone_on_neither_side_is_told_who_signs_off(session, project):
    with pytest.raises(NotAllowed, match="joint sign-off") as refused:
        _done(session, project, STAFF)
    assert set(refused.value.ask) == {LEAD, MANAGER, REP}


def test_a_stale_confirm_button_is_refused(session, project):
    waiting = _done(session, project, MANAGER)
    stages.confirm_signoff(
        session=session, project=project, stage_id=waiting.stage.id, round_=1, by=REP
    )
    with pytest.raises(InvalidInput, match="already been signed off"):
        stages.confirm_signoff(
            session=session, project=project, stage_id=waiting.stage.id, round_=1, by=LEAD
        )


def test_only_a_lead_changes_settings_and_the_last_lead_stays(session, project):
    with pytest.raises(NotAllowed):
        set_need(session=session, project=project, by=STAFF, need="x")
    with pytest.raises(NotAllowed):
        set_role(session=session, project=project, by=REP, user_id=REP, role=Role.LEAD)
    with pytest.raises(InvalidInput, match="at least one lead"):
        set_lead(session=session, project=project, by=LEAD, user_id=LEAD, lead=False)
    set_role(session=session, project=project, by=LEAD, user_id=MANAGER, role=Role.LEAD)
    set_lead(session=session, project=project, by=LEAD, user_id=LEAD, lead=False)
    assert not is_lead(session=session, project=project, user_id=LEAD)
    assert set_need(session=session, project=project, by=MANAGER, need="Shorter waits").need == (
        "Shorter waits"
    )
