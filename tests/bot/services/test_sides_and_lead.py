"""A partner's side and the lead permission are separate (SPEC §2), against a real database."""

import pytest

from bot.errors import InvalidInput, NotAllowed
from bot.services import stages
from bot.services.concerns import stewards
from bot.services.partners import (
    HIDDEN_SIDE,
    Side,
    is_lead,
    leads,
    role_of,
    set_lead,
    set_role,
    shown_side,
    sides_shown_anonymously,
    signers,
)
from bot.services.projects import set_signoff_mode
from storage.models import Role, SignoffMode

from .conftest import LEAD

JO, MANAGER, STAFF = "UJO", "UMANAGER", "USTAFF"


def _side(session, project, user, role):
    set_role(session=session, project=project, by=LEAD, user_id=user, role=role)


def test_making_the_only_union_partner_lead_keeps_their_union_side(session, project):
    _side(session, project, JO, Role.UNION)
    set_role(session=session, project=project, by=LEAD, user_id=JO, role=Role.LEAD)
    assert role_of(session=session, project=project, user_id=JO) == Role.UNION
    assert is_lead(session=session, project=project, user_id=JO)
    assert signers(session=session, project=project) == {
        Side.MANAGEMENT: [LEAD],
        Side.UNION: [JO],
    }


def test_a_lead_not_of_the_union_side_signs_for_management(session, project):
    _side(session, project, STAFF, Role.STAFF)
    set_lead(session=session, project=project, by=LEAD, user_id=STAFF, lead=True)
    _side(session, project, LEAD, Role.UNION)
    assert signers(session=session, project=project) == {
        Side.MANAGEMENT: [STAFF],
        Side.UNION: [LEAD],
    }


def test_joint_signoff_is_refused_while_the_union_side_has_nobody(session, project):
    with pytest.raises(InvalidInput, match="the union side"):
        set_signoff_mode(session=session, project=project, by=LEAD, mode=SignoffMode.JOINT)
    _side(session, project, JO, Role.UNION)
    set_signoff_mode(session=session, project=project, by=LEAD, mode=SignoffMode.JOINT)
    assert project.signoff_mode == SignoffMode.JOINT


def test_under_joint_signoff_nobody_can_empty_a_side(session, project):
    _side(session, project, JO, Role.UNION)
    set_signoff_mode(session=session, project=project, by=LEAD, mode=SignoffMode.JOINT)
    # A refusal rolls its request back; here a savepoint stands in for the request.
    with pytest.raises(InvalidInput, match="the union side"), session.begin_nested():
        _side(session, project, JO, Role.STAFF)
    _side(session, project, LEAD, Role.STAFF)
    set_lead(session=session, project=project, by=LEAD, user_id=JO, lead=True)
    with pytest.raises(InvalidInput, match="the management side"), session.begin_nested():
        set_lead(session=session, project=project, by=JO, user_id=LEAD, lead=False)


def test_a_project_keeps_at_least_one_lead_and_only_a_lead_chooses_leads(session, project):
    with pytest.raises(InvalidInput, match="at least one lead"):
        set_lead(session=session, project=project, by=LEAD, user_id=LEAD, lead=False)
    with pytest.raises(NotAllowed):
        set_lead(session=session, project=project, by=JO, user_id=JO, lead=True)
    set_lead(session=session, project=project, by=LEAD, user_id=JO, lead=True)
    set_lead(session=session, project=project, by=JO, user_id=LEAD, lead=False)
    assert leads(session=session, project=project) == [JO]
    assert role_of(session=session, project=project, user_id=LEAD) == Role.MANAGEMENT


def test_withdrawing_the_lead_of_someone_outside_the_project_does_not_make_them_a_partner(
    session, project
):
    with pytest.raises(InvalidInput, match="no part in this project"):
        set_lead(session=session, project=project, by=LEAD, user_id=STAFF, lead=False)
    assert role_of(session=session, project=project, user_id=STAFF) is None
    _side(session, project, "USAM", Role.STAFF)
    _side(session, project, "UPAT", Role.STAFF)
    # Two staff partners, not three: an anonymous answer's staff side stays hidden.
    assert Role.STAFF not in sides_shown_anonymously(session=session, project=project)


def test_the_waiting_message_knows_who_can_confirm(session, project):
    _side(session, project, JO, Role.UNION)
    _side(session, project, MANAGER, Role.MANAGEMENT)
    set_signoff_mode(session=session, project=project, by=LEAD, mode=SignoffMode.JOINT)
    stages.add_stage(session=session, project=project, by=LEAD, title="Agree the rota")
    waiting = stages.complete_stage(session=session, project=project, number=1, by=JO, outcome="")
    assert isinstance(waiting, stages.AwaitingSignoff)
    assert waiting.can_confirm == (LEAD, MANAGER)


def test_concern_stewards_are_the_leads_then_management(session, project):
    _side(session, project, MANAGER, Role.MANAGEMENT)
    _side(session, project, JO, Role.UNION)
    set_lead(session=session, project=project, by=LEAD, user_id=JO, lead=True)
    assert stewards(session=session, project=project) == [LEAD, JO, MANAGER]


def test_an_anonymous_side_shows_only_when_three_partners_share_it(session, project):
    for user in ("U1", "U2"):
        _side(session, project, user, Role.UNION)
    shown = sides_shown_anonymously(session=session, project=project)
    assert shown_side("union", anonymous=True, shown=shown) == HIDDEN_SIDE
    assert shown_side("union", anonymous=False, shown=shown) == "union"
    _side(session, project, "U3", Role.UNION)
    shown = sides_shown_anonymously(session=session, project=project)
    assert shown_side("union", anonymous=True, shown=shown) == "union"
