"""Forgetting a person (`changebot forget`) against a real migrated database."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import select

from bot.delivery import enqueue
from bot.errors import NotAllowed
from bot.parsing.schedule import ScheduleSpec
from bot.posts import feedback as feedback_posts
from bot.services import checkins, concerns, feedback, measures, momentum, principles, stages
from bot.services.checkins import Answers
from bot.services.erasure import Erasure, forget_person, is_former_partner
from bot.services.partners import set_lead, set_role
from bot.services.projects import Caller, project_for, set_signoff_mode
from bot.views.message import Message
from storage.models import (
    CheckinResponse,
    Concern,
    ConcernEntry,
    Feedback,
    Installation,
    MeasureValue,
    OutboxMessage,
    OutboxStatus,
    Partner,
    PrincipleAgreement,
    Role,
    Schedule,
    SignoffMode,
    StageSignoff,
)

from .conftest import LEAD

JO, ANA, REP = "UJO", "UANA", "UREP"
MONDAY = datetime(2027, 3, 15, 9, 0, tzinfo=UTC)
WEEKLY = ScheduleSpec("weekly", time(9, 0), weekday=0)


def _forget(session, user_id=JO) -> Erasure:
    erasure = forget_person(session=session, user_id=user_id)
    session.expire_all()
    return erasure


def _role(session, project, user_id, role):
    set_role(session=session, project=project, by=LEAD, user_id=user_id, role=role)


def test_their_roles_and_agreements_go_from_every_project(session, project):
    elsewhere = project_for(session=session, caller=Caller("T1", "C2", LEAD), timezone="UTC")
    for each in (project, elsewhere):
        _role(session, each, JO, Role.UNION)
        principles.agree(session=session, project=each, by=JO)
        principles.agree(session=session, project=each, by=LEAD)

    erasure = _forget(session)

    assert (erasure.partner_roles, erasure.principle_agreements) == (2, 2)
    assert {p.user_id for p in session.exec(select(Partner))} == {LEAD}
    assert {a.user_id for a in session.exec(select(PrincipleAgreement))} == {LEAD}


def test_their_feedback_stays_from_a_former_partner(session, project):
    given = feedback.give_feedback(session=session, project=project, by=JO, text="Fairer rota")
    feedback.give_feedback(session=session, project=project, by=LEAD, text="Mine")
    feedback.give_feedback(session=session, project=project, by=JO, text="Quiet", anonymous=True)

    assert _forget(session).feedback == 1

    kept = session.get(Feedback, given.feedback.id)
    assert is_former_partner(kept.author_id)
    assert (kept.text, kept.source_role) == ("Fairer rota", "staff")
    authors = {f.text: f.author_id for f in session.exec(select(Feedback))}
    assert (authors["Mine"], authors["Quiet"]) == (LEAD, None)


def test_concerns_they_raised_acknowledged_or_resolved_stay_with_their_history(session, project):
    _role(session, project, JO, Role.MANAGEMENT)
    theirs = concerns.raise_concern(
        session=session, project=project, by=JO, number=1, text="Not consulted"
    ).concern
    handled = concerns.raise_concern(
        session=session, project=project, by=REP, number=2, text="Rota unfair"
    ).concern
    concerns.acknowledge_concern(session=session, project=project, concern=handled, by=JO)
    concerns.resolve_concern(session=session, project=project, concern=handled, by=JO, note="Fixed")
    reply = concerns.record_reply(
        session=session, concern=theirs, user_id=JO, message_ts="1700000001.1", text="Still so"
    )

    erasure = _forget(session)

    assert (erasure.concerns_raised, erasure.concerns_acknowledged) == (1, 1)
    assert (erasure.concerns_resolved, erasure.concern_history) == (1, 4)
    raised, answered = session.get(Concern, theirs.id), session.get(Concern, handled.id)
    assert is_former_partner(raised.raised_by)
    assert raised.text == "Not consulted"
    assert answered.raised_by == REP
    assert is_former_partner(answered.acknowledged_by)
    assert is_former_partner(answered.resolved_by)
    assert answered.resolution_note == "Fixed"
    kept_reply = session.get(ConcernEntry, reply.id)
    assert is_former_partner(kept_reply.user_id)
    assert kept_reply.text == "Still so"
    assert JO not in {entry.user_id for entry in session.exec(select(ConcernEntry))}


def test_two_forgotten_people_who_answered_one_run_stay_two_answers(session, project):
    measure = measures.add_measure(session=session, project=project, by=LEAD, name="Wait")
    schedule = checkins.schedule_checkin(session=session, project=project, by=LEAD, spec=WEEKLY)
    run = checkins.open_run(session=session, schedule=schedule, run_at=MONDAY)
    for person, working in ((JO, "Handover"), (ANA, "Breaks"), (REP, "Rota")):
        answers = Answers(role=Role.STAFF, working=working, values={measure.id: 12.0})
        checkins.record_response(
            session=session, project=project, run_id=run.id, by=person, answers=answers
        )

    assert (_forget(session, JO).checkin_answers, _forget(session, ANA).checkin_answers) == (1, 1)

    answers = {r.working: r.user_id for r in session.exec(select(CheckinResponse))}
    assert answers["Rota"] == REP
    assert is_former_partner(answers["Handover"])
    assert is_former_partner(answers["Breaks"])
    assert answers["Handover"] != answers["Breaks"]
    assert len(session.exec(select(MeasureValue)).all()) == 3


def test_stages_they_own_completed_or_created_stay_attributed_to_a_former_partner(session, project):
    _role(session, project, JO, Role.LEAD)
    stages.add_stage(session=session, project=project, by=JO, title="Pilot", owner_id=REP)
    stages.add_stage(session=session, project=project, by=LEAD, title="Roll out", owner_id=JO)
    stages.complete_stage(session=session, project=project, number=1, by=JO, outcome="Done")

    erasure = _forget(session)

    assert (erasure.stages_owned, erasure.stages_completed, erasure.stages_created) == (1, 1, 1)
    pilot, roll_out = stages.list_stages(session=session, project=project)
    assert is_former_partner(pilot.created_by)
    assert is_former_partner(pilot.completed_by)
    assert (pilot.owner_id, pilot.outcome) == (REP, "Done")
    assert is_former_partner(roll_out.owner_id)
    assert roll_out.created_by == LEAD


def test_a_forgotten_owner_of_an_overdue_stage_is_not_nudged(session, project):
    for title, owner in (("Ours", REP), ("Theirs", JO)):
        stages.add_stage(
            session=session,
            project=project,
            by=LEAD,
            title=title,
            due_on=date(2027, 3, 1),
            owner_id=owner,
        )

    _forget(session)

    nudged = momentum.overdue_to_nudge(session=session, now=MONDAY + timedelta(hours=2))
    assert [overdue.stage.title for overdue in nudged] == ["Ours"]


def test_their_signoffs_and_schedules_stay_attributed_to_a_former_partner(session, project):
    _role(session, project, JO, Role.MANAGEMENT)
    _role(session, project, REP, Role.UNION)
    set_signoff_mode(session=session, project=project, by=LEAD, mode=SignoffMode.JOINT)
    stages.add_stage(session=session, project=project, by=LEAD, title="Pilot")
    waiting = stages.complete_stage(session=session, project=project, number=1, by=JO, outcome="")
    stages.confirm_signoff(
        session=session, project=project, stage_id=waiting.stage.id, round_=1, by=REP
    )
    _role(session, project, JO, Role.LEAD)
    checkins.schedule_checkin(session=session, project=project, by=JO, spec=WEEKLY)

    erasure = _forget(session)

    assert (erasure.signoffs, erasure.schedules) == (1, 1)
    signers = {s.side: s.user_id for s in session.exec(select(StageSignoff))}
    assert signers["union"] == REP
    assert is_former_partner(signers["management"])
    assert is_former_partner(session.exec(select(Schedule)).one().created_by)


def test_their_installation_keeps_the_bot_token_and_loses_theirs(session):
    def installation(user_id):
        return Installation(
            client_id="1.2", team_id="T1", bot_token="xoxb-1", user_id=user_id, user_token="xoxp-1"
        )

    session.add_all([installation(JO), installation(REP)])
    session.flush()

    assert _forget(session).installations == 1

    rows = {row.user_token: row for row in session.exec(select(Installation))}
    assert is_former_partner(rows[None].user_id)
    assert rows[None].bot_token == "xoxb-1"
    assert rows["xoxp-1"].user_id == REP


def _post(session, key, channel, text, **where):
    enqueue(session, key=key, team_id="T1", channel_id=channel, message=Message(text), **where)


def _status(session, key, status):
    row = session.exec(select(OutboxMessage).where(OutboxMessage.key == key)).one()
    row.status = status
    session.add(row)
    session.flush()


def _payloads(session):
    return {row.key: row.payload for row in session.exec(select(OutboxMessage))}


def test_messages_to_them_go_and_no_post_mentions_them_sent_or_not(session):
    _post(session, "nudge", JO, "Stage 2 is overdue")
    _post(session, "nudge:reply", JO, "Still overdue", thread_key="nudge")
    _post(session, "export:7:UJO:T1", JO, "Your export")
    _status(session, "export:7:UJO:T1", OutboxStatus.SENT)
    _post(session, "mention:C1:1.2", "C1", "Your mention did nothing", visible_to=JO)
    _status(session, "mention:C1:1.2", OutboxStatus.SENT)
    _post(session, "role", "C1", "<@UJO> is now *union*; <@UJOHN> stays")
    _post(session, "celebrated", "C1", "Done by <@UJO>")
    _status(session, "celebrated", OutboxStatus.SENT)
    _post(session, "other", REP, "Hello <@UREP>")

    erasure = _forget(session)

    assert (erasure.direct_messages, erasure.mentions) == (4, 2)
    payloads = _payloads(session)
    assert set(payloads) == {"role", "celebrated", "other"}
    assert "a former partner is now *union*; <@UJOHN> stays" in payloads["role"]
    assert "Done by a former partner" in payloads["celebrated"]
    assert not any(f"<@{JO}>" in payload for payload in payloads.values())


def test_their_mention_goes_from_what_others_wrote_and_from_its_posts(session, project):
    """Slack sends a typed mention with the name (`<@UJO|jo>`); posts carry it escaped."""
    project.post_feedback_in_channel = True
    given = feedback.give_feedback(
        session=session, project=project, by=LEAD, text="Ask <@UJO|jo>, not <@UJOHN|john>"
    )
    feedback_posts.share(session, given)
    raised = concerns.raise_concern(
        session=session, project=project, by=REP, number=1, text="Nobody asked"
    )
    reply = concerns.record_reply(
        session=session,
        concern=raised.concern,
        user_id=REP,
        message_ts="1700000001.1",
        text="<@UJO> saw it too",
    )

    assert _forget(session).mentions == 3

    assert session.get(Feedback, given.feedback.id).text == (
        "Ask a former partner, not <@UJOHN|john>"
    )
    assert session.get(ConcernEntry, reply.id).text == "a former partner saw it too"
    (post,) = _payloads(session).values()
    assert "Ask a former partner, not &lt;@UJOHN|john&gt;" in post
    assert "|jo&gt;" not in post


def test_forgetting_twice_changes_nothing_the_second_time(session, project):
    _role(session, project, JO, Role.LEAD)
    principles.agree(session=session, project=project, by=JO)
    stages.add_stage(session=session, project=project, by=JO, title="Pilot", owner_id=JO)
    feedback.give_feedback(session=session, project=project, by=JO, text="Good")
    _post(session, "nudge", JO, "Overdue")
    _post(session, "role", "C1", "<@UJO> leads")

    first = _forget(session)
    second = _forget(session)

    assert first.changed == 7
    assert second == Erasure()
    assert second.changed == 0


def test_every_kind_has_a_label_and_an_erasure_counts_them_all():
    erasure = Erasure(partner_roles=2, mentions=3)
    labels = [label for label, _ in erasure.counts()]
    assert len(labels) == len(set(labels)) == 20
    assert ("partner roles removed", 2) in erasure.counts()
    assert erasure.changed == 5


@pytest.mark.parametrize("user_id", ["former-partner", "former-partner-12"])
def test_a_former_partner_is_recognised_in_every_form(user_id):
    assert is_former_partner(user_id)
    assert not is_former_partner("UFORMER")


def test_forgetting_the_only_lead_says_so_and_anyone_in_the_project_can_name_a_new_one(
    session, project
):
    _role(session, project, JO, Role.MANAGEMENT)
    erasure = _forget(session, LEAD)
    assert erasure.projects_without_a_lead == 1
    with pytest.raises(NotAllowed, match="It has no lead now: anyone in it can name one"):
        stages.add_stage(session=session, project=project, by=JO, title="Pilot")
    set_lead(session=session, project=project, by=JO, user_id=JO, lead=True)
    assert stages.add_stage(session=session, project=project, by=JO, title="Pilot").position == 1
    with pytest.raises(NotAllowed, match=r"Only a project lead can choose the leads\.$"):
        set_lead(session=session, project=project, by=ANA, user_id=ANA, lead=True)


def test_forgetting_one_of_two_leads_leaves_the_project_led(session, project):
    _role(session, project, JO, Role.LEAD)
    assert _forget(session).projects_without_a_lead == 0
