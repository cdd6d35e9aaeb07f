"""Concerns from raising to resolution, their thread history and escalation, on both databases."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.delivery import enqueue
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.posts import concerns as concern_posts
from bot.services import concerns, export
from bot.services.concerns import EntryKind, Origin
from bot.services.partners import set_role
from bot.views.message import Message
from storage.models import ConcernStatus, OutboxMessage, Role

LEAD, BOSS, REP, STAFF = "ULEAD", "UBOSS", "UREP", "USTAFF"
NOON = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def at(moment):
    return lambda: moment


@pytest.fixture(autouse=True)
def partners(session, project):
    """A management partner and a union representative join the project besides its lead."""
    set_role(session=session, project=project, by=LEAD, user_id=BOSS, role=Role.MANAGEMENT)
    set_role(session=session, project=project, by=LEAD, user_id=REP, role=Role.UNION)


def _raise(session, project, number=5, text="We were not told", origin=None, when=NOON, by=REP):
    return concerns.raise_concern(
        session=session,
        project=project,
        by=by,
        number=number,
        text=text,
        origin=origin,
        clock=at(when),
    )


def _post_card(session, concern, ts="1800000000.000100"):
    """What the sender does once the card is posted: the outbox row learns its ts."""
    enqueue(
        session,
        key=concern_posts.card_key(concern),
        team_id="T1",
        channel_id=concern.channel_id,
        message=Message(text="card"),
    )
    row = session.exec(
        select(OutboxMessage).where(OutboxMessage.key == concern_posts.card_key(concern))
    ).one()
    row.message_ts, row.posted_channel_id = ts, concern.channel_id
    session.add(row)
    return ts


def test_a_concern_keeps_its_principle_as_it_was_and_goes_to_the_project_channel(session, project):
    raised = _raise(session, project)
    concern = raised.concern
    assert (concern.principle_position, concern.principle_title) == (5, "Transparency")
    assert (concern.status, concern.raised_by, concern.channel_id) == (
        ConcernStatus.OPEN,
        REP,
        "C1",
    )
    assert concern.thread_ts is None
    assert not raised.posted_elsewhere
    assert [e.kind for e in concerns.history(session=session, concern=concern)] == [
        EntryKind.RAISED
    ]


def test_raised_in_a_thread_of_the_forum_it_lives_in_that_thread(session, project):
    origin = Origin("C1", "1700000000.000100", message_ts="1700000009.000900")
    raised = _raise(session, project, origin=origin)
    assert raised.concern.thread_ts == "1700000000.000100"
    assert not raised.posted_elsewhere


def test_with_a_forum_channel_a_thread_elsewhere_is_pointed_to_the_forum(session, project):
    project.forum_channel_id = "CFORUM"
    raised = _raise(session, project, origin=Origin("C1", "1700000000.000100"))
    assert (raised.concern.channel_id, raised.concern.thread_ts) == ("CFORUM", None)
    assert raised.posted_elsewhere


def test_the_forums_card_and_a_pointer_in_the_thread_it_came_from_are_written(session, project):
    project.forum_channel_id = "CFORUM"
    raised = _raise(session, project, origin=Origin("C1", "1700000000.000100"))
    concern_posts.post_raised(session, raised)
    rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(r.key, r.channel_id, r.thread_ts) for r in rows] == [
        (f"concern:{raised.concern.id}", "CFORUM", None),
        (f"concern:{raised.concern.id}:origin", "C1", "1700000000.000100"),
    ]
    assert "posted in <#CFORUM>" in json.loads(rows[1].payload)["text"]


def test_a_principle_that_does_not_exist_or_an_empty_text_is_refused(session, project):
    with pytest.raises(NotFound) as missing:
        _raise(session, project, number=9)
    assert "numbered 1 to 6" in missing.value.message
    with pytest.raises(InvalidInput):
        _raise(session, project, text="   ")


def test_leads_and_management_acknowledge_and_resolve_with_a_note(session, project):
    concern = _raise(session, project).concern
    concerns.acknowledge_concern(
        session=session, project=project, concern=concern, by=BOSS, clock=at(NOON)
    )
    assert (concern.status, concern.acknowledged_by) == (ConcernStatus.ACKNOWLEDGED, BOSS)
    with pytest.raises(InvalidInput):
        concerns.resolve_concern(
            session=session, project=project, concern=concern, by=LEAD, note=" "
        )
    later = NOON + timedelta(days=2)
    concerns.resolve_concern(
        session=session,
        project=project,
        concern=concern,
        by=LEAD,
        note="Rota shared",
        clock=at(later),
    )
    assert (concern.status, concern.resolved_by, concern.resolved_at) == (
        ConcernStatus.RESOLVED,
        LEAD,
        later,
    )
    assert concern.resolution_note == "Rota shared"
    kinds = [e.kind for e in concerns.history(session=session, concern=concern)]
    assert kinds == [EntryKind.RAISED, EntryKind.ACKNOWLEDGED, EntryKind.RESOLVED]


def test_others_are_refused_and_told_who_may_and_the_raiser_that_they_may_withdraw(
    session, project
):
    concern = _raise(session, project).concern
    with pytest.raises(NotAllowed) as staff:
        concerns.acknowledge_concern(session=session, project=project, concern=concern, by=STAFF)
    assert "Only a project lead or a management partner can acknowledge" in staff.value.message
    assert staff.value.ask == [LEAD, BOSS]
    assert "withdraw" not in staff.value.message
    with pytest.raises(NotAllowed) as raiser:
        concerns.require_resolvable(session=session, project=project, concern=concern, by=REP)
    assert "You raised this one, so you can withdraw it" in raiser.value.message


def test_a_lead_or_manager_who_raised_a_concern_leaves_answering_it_to_another(session, project):
    concern = _raise(session, project, by=BOSS).concern
    for answer in ("acknowledge", "resolve"):
        with pytest.raises(NotAllowed) as own:
            concerns.require_steward(
                session=session, project=project, concern=concern, by=BOSS, action=answer
            )
        assert own.value.message == (
            f"You raised this concern, so another lead or management partner should {answer} "
            "it. You can withdraw it."
        )
        assert own.value.ask == [LEAD]
    concerns.acknowledge_concern(session=session, project=project, concern=concern, by=LEAD)
    assert concern.acknowledged_by == LEAD


def test_the_only_one_who_can_answer_a_concern_answers_their_own(session, project):
    set_role(session=session, project=project, by=LEAD, user_id=BOSS, role=Role.STAFF)
    concern = _raise(session, project, by=LEAD).concern
    concerns.resolve_concern(
        session=session, project=project, concern=concern, by=LEAD, note="Rota shared"
    )
    assert concern.resolved_by == LEAD


def test_a_thread_that_holds_a_concern_sends_the_next_one_to_a_thread_of_its_own(session, project):
    first = _raise(session, project, origin=Origin("C1", "1700000000.000100")).concern
    taken = Origin("C1", "1700000000.000100", holds_concern=True)
    second = _raise(session, project, origin=taken)
    assert (first.thread_ts, second.concern.thread_ts) == ("1700000000.000100", None)
    assert second.posted_elsewhere


def test_only_the_raiser_withdraws_and_a_closed_concern_stays_closed(session, project):
    concern = _raise(session, project).concern
    with pytest.raises(NotAllowed):
        concerns.withdraw_concern(session=session, concern=concern, by=LEAD)
    concerns.withdraw_concern(session=session, concern=concern, by=REP, clock=at(NOON))
    assert (concern.status, concern.resolved_at) == (ConcernStatus.WITHDRAWN, NOON)
    with pytest.raises(InvalidInput) as closed:
        concerns.acknowledge_concern(session=session, project=project, concern=concern, by=LEAD)
    assert "already withdrawn" in closed.value.message
    with pytest.raises(InvalidInput):
        concerns.require_resolvable(session=session, project=project, concern=concern, by=LEAD)


def test_a_concern_is_found_by_id_only_in_its_own_workspace(session, project):
    concern = _raise(session, project).concern
    found_project, found = concerns.concern_by_id(
        session=session, team_id="T1", concern_id=concern.id
    )
    assert (found_project.id, found.id) == (project.id, concern.id)
    with pytest.raises(NotFound):
        concerns.concern_by_id(session=session, team_id="T2", concern_id=concern.id)


def test_a_card_started_thread_is_linked_the_first_time_a_reply_arrives(session, project):
    concern = _raise(session, project).concern
    other = _raise(session, project, number=1, text="Another").concern
    assert (
        concern_posts.concern_in_thread(session, channel_id="C1", thread_ts="1800000000.000100")
        is None
    )
    ts = _post_card(session, concern)
    found = concern_posts.concern_in_thread(session, channel_id="C1", thread_ts=ts)
    assert found.id == concern.id
    assert (concern.thread_ts, other.thread_ts) == (ts, None)
    assert concern_posts.concern_in_thread(session, channel_id="C2", thread_ts=ts) is None


def test_replies_are_kept_once_in_order_edited_and_deleted(session, project):
    origin = Origin("C1", "1700000000.000100", message_ts="1700000001.000100")
    concern = _raise(session, project, origin=origin).concern
    keep = {"session": session, "concern": concern}
    later = concerns.record_reply(
        **keep, user_id=LEAD, message_ts="1700000300.000300", text="Second"
    )
    first = concerns.record_reply(
        **keep, user_id=BOSS, message_ts="1700000200.000200", text="First"
    )
    assert (
        concerns.record_reply(**keep, user_id=BOSS, message_ts="1700000200.000200", text="Again")
        is None
    )
    assert (
        concerns.record_reply(**keep, user_id=REP, message_ts="1700000001.000100", text="raise")
        is None
    )
    concerns.record_edit(**keep, message_ts=first.message_ts, text="First, edited", clock=at(NOON))
    concerns.record_deletion(**keep, message_ts=later.message_ts, clock=at(NOON))
    assert concerns.record_edit(**keep, message_ts="1799999999.000000", text="unknown") is None
    replies = [
        e for e in concerns.history(session=session, concern=concern) if e.kind == EntryKind.REPLY
    ]
    assert [(e.user_id, e.text, e.deleted) for e in replies] == [
        (BOSS, "First, edited", False),
        (LEAD, "", True),
    ]
    assert replies[0].edited_at == NOON
    assert replies[0].created_at == datetime.fromtimestamp(1700000200.0002, UTC)


def test_the_list_shows_open_ones_oldest_first_then_recently_closed(session, project):
    old_open = _raise(session, project, text="Old", when=NOON - timedelta(days=10)).concern
    new_open = _raise(session, project, text="New", when=NOON - timedelta(days=1)).concern
    recent = _raise(session, project, text="Recent", when=NOON - timedelta(days=5)).concern
    stale = _raise(session, project, text="Stale", when=NOON - timedelta(days=90)).concern
    concerns.resolve_concern(
        session=session,
        project=project,
        concern=recent,
        by=LEAD,
        note="Done",
        clock=at(NOON - timedelta(days=2)),
    )
    concerns.withdraw_concern(
        session=session, concern=stale, by=REP, clock=at(NOON - timedelta(days=60))
    )
    ts = _post_card(session, new_open)
    concern_posts.concern_in_thread(session, channel_id="C1", thread_ts=ts)
    concerns.record_reply(
        session=session, concern=new_open, user_id=LEAD, message_ts="1800000001.1", text="On it"
    )
    listed = concerns.list_concerns(session=session, project=project, now=NOON)
    assert [c.text for c in listed.open] == ["Old", "New"]
    assert [c.text for c in listed.closed] == ["Recent"]
    assert listed.replies == {new_open.id: 1}
    assert old_open.thread_ts is None


def test_a_concern_left_open_three_working_days_is_due_once_bank_holidays_excluded(
    session, project
):
    # Thursday 25 March 2027, 10:00 GMT; Good Friday (26th) and Easter Monday (29th) are bank
    # holidays, so three working days later is Thursday 1 April at 10:00 BST (09:00 UTC).
    raised_at = datetime(2027, 3, 25, 10, 0, tzinfo=UTC)
    waiting = _raise(session, project, when=raised_at).concern
    acknowledged = _raise(session, project, when=raised_at).concern
    concerns.acknowledge_concern(session=session, project=project, concern=acknowledged, by=LEAD)
    due_at = datetime(2027, 4, 1, 9, 0, tzinfo=UTC)
    assert (
        concerns.due_for_escalation(session=session, now=datetime(2027, 3, 30, 10, 0, tzinfo=UTC))
        == []
    )
    assert concerns.due_for_escalation(session=session, now=due_at - timedelta(minutes=1)) == []
    due = concerns.due_for_escalation(session=session, now=due_at)
    assert [(p.id, c.id) for p, c in due] == [(project.id, waiting.id)]
    concerns.mark_escalated(session=session, concern=waiting, now=due_at)
    assert concerns.due_for_escalation(session=session, now=due_at + timedelta(days=7)) == []


def test_a_concern_raised_anonymously_stays_anonymous_when_the_setting_is_turned_off(
    session, project
):
    project.anonymous_concerns = True
    concern = _raise(session, project).concern
    project.anonymous_concerns = False
    concerns.acknowledge_concern(session=session, project=project, concern=concern, by=LEAD)
    concern_posts.post_status_change(session, project, concern)

    posted = [row.payload for row in session.exec(select(OutboxMessage))]
    record = export.project_record(session=session, project=project, by=LEAD)

    assert len(posted) == 2
    assert not any(f"<@{REP}>" in payload for payload in posted)
    assert [event.who for event in record if event.event == "concern raised"] == ["anonymous"]
