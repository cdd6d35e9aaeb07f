"""`/plan export`'s record, as the service builds it, against a real migrated database."""

from bot.services import concerns, export
from bot.services.partners import set_role
from storage.models import Role
from storage.types import utcnow

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


def test_each_concerns_rows_name_the_concern_so_two_about_one_principle_are_told_apart(
    session, project
):
    for text in ("Not consulted", "Minutes not shared"):
        concerns.raise_concern(session=session, project=project, by=LEAD, number=5, text=text)
    first, second = concerns.list_concerns(session=session, project=project, now=utcnow()).open
    concerns.resolve_concern(
        session=session, project=project, concern=second, by=LEAD, note="Minutes now shared"
    )

    record = export.project_record(session=session, project=project, by=LEAD)

    assert [(event.event, event.detail) for event in record] == [
        ("concern raised", f"concern #{first.id}, principle 5 (Transparency): Not consulted"),
        ("concern raised", f"concern #{second.id}, principle 5 (Transparency): Minutes not shared"),
        (
            "concern resolved",
            f"concern #{second.id}, principle 5 (Transparency): Minutes now shared",
        ),
    ]
