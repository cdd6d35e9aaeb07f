"""`/plan export`'s record, as the service builds it, against a real migrated database."""

from bot.services import concerns, export
from bot.services.partners import set_role
from storage.models import Role

from .conftest import LEAD

REP = "UREP"


def test_a_withdrawn_concern_of_an_anonymous_project_does_not_name_who_raised_it(session, project):
    project.anonymous_concerns = True
    set_role(session=session, project=project, by=LEAD, user_id=REP, role=Role.UNION)
    raised = concerns.raise_concern(
        session=session, project=project, by=REP, number=1, text="Not consulted"
    )
    concerns.withdraw_concern(session=session, concern=raised.concern, by=REP)

    record = export.project_record(session=session, project=project, by=LEAD)

    assert [(event.event, event.who) for event in record] == [
        ("concern raised", "anonymous"),
        ("concern withdrawn", "anonymous"),
    ]
