"""The principles, agreement to them, edits and reminder rotation, on both databases."""

from datetime import UTC, datetime

import pytest

from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.parsing.schedule import parse_schedule
from bot.services import principles
from bot.services.principles import DEFAULT_PRINCIPLES, PrincipleDraft
from storage.models import Schedule, ScheduleKind

LEAD, ALEX, SAM = "ULEAD", "UALEX", "USAM"
NOON = datetime(2027, 1, 4, 12, 0, tzinfo=UTC)


def _titles(session, project):
    return [
        (p.position, p.title) for p in principles.list_principles(session=session, project=project)
    ]


def _edit(session, project, drafts, by=LEAD):
    return principles.edit_principles(session=session, project=project, by=by, drafts=drafts)


def _drafts(*titles):
    return [PrincipleDraft(title, f"What {title} means.") for title in titles]


def test_a_new_project_has_the_six_tuc_principles_in_order(session, project):
    listed = principles.list_principles(session=session, project=project)
    assert [(p.title, p.meaning) for p in listed] == list(DEFAULT_PRINCIPLES)
    assert [p.position for p in listed] == [1, 2, 3, 4, 5, 6]
    assert listed[4].title == "Transparency"


def test_agreement_is_recorded_once_in_order(session, project):
    assert principles.agree(session=session, project=project, by=ALEX)
    assert principles.agree(session=session, project=project, by=SAM)
    assert not principles.agree(session=session, project=project, by=ALEX)
    assert principles.agreed_by(session=session, project=project) == [ALEX, SAM]


def test_a_principle_out_of_range_is_refused_with_the_range(session, project):
    assert principles.principle_numbered(session=session, project=project, number=6).position == 6
    with pytest.raises(NotFound) as missing:
        principles.principle_numbered(session=session, project=project, number=9)
    assert "There is no principle 9: the principles are numbered 1 to 6" in missing.value.message
    _edit(session, project, _drafts("Openness"))
    with pytest.raises(NotFound) as alone:
        principles.principle_numbered(session=session, project=project, number=2)
    assert alone.value.message == (
        "There is no principle 2: there is only principle 1. `/principles` lists them."
    )


def test_editing_rewords_adds_and_removes_and_clears_agreements(session, project):
    principles.agree(session=session, project=project, by=ALEX)
    principles.agree(session=session, project=project, by=SAM)
    edit = _edit(session, project, _drafts("Openness", "Fairness", "Safety", "Respect"))
    assert (edit.changed, edit.cleared) == (True, 2)
    assert _titles(session, project) == [
        (1, "Openness"),
        (2, "Fairness"),
        (3, "Safety"),
        (4, "Respect"),
    ]
    assert principles.agreed_by(session=session, project=project) == []
    grown = _edit(session, project, _drafts("Openness", "Fairness", "Safety", "Respect", "Pay"))
    assert [p.title for p in grown.principles][-1] == "Pay"


def test_saving_the_same_set_changes_nothing_and_keeps_agreements(session, project):
    principles.agree(session=session, project=project, by=ALEX)
    same = [PrincipleDraft(title, meaning) for title, meaning in DEFAULT_PRINCIPLES]
    edit = _edit(session, project, same)
    assert (edit.changed, edit.cleared) == (False, 0)
    assert principles.agreed_by(session=session, project=project) == [ALEX]


def test_only_a_lead_edits_and_a_set_is_never_empty(session, project):
    with pytest.raises(NotAllowed) as refused:
        _edit(session, project, _drafts("Mine"), by=ALEX)
    assert refused.value.ask == [LEAD]
    with pytest.raises(InvalidInput):
        _edit(session, project, [])
    with pytest.raises(InvalidInput):
        _edit(session, project, _drafts(*[f"P{n}" for n in range(21)]))
    assert len(_titles(session, project)) == 6


def test_reminders_rotate_through_the_set_and_a_new_schedule_carries_on(session, project):
    spec = parse_schedule("weekly mon 09:00")
    first, replaced = principles.start_reminders(
        session=session, project=project, by=LEAD, spec=spec, now=NOON
    )
    assert replaced == []
    shown = []
    for _ in range(7):
        due = principles.next_reminder(session=session, project=project, schedule=first)
        shown.append((due.principle.position, due.total))
        principles.advance_rotation(session=session, schedule=first)
    assert shown == [(1, 6), (2, 6), (3, 6), (4, 6), (5, 6), (6, 6), (1, 6)]
    second, replaced = principles.start_reminders(
        session=session, project=project, by=LEAD, spec=parse_schedule("daily 08:00"), now=NOON
    )
    assert [s.id for s in replaced] == [first.id]
    assert first.cancelled
    assert (
        principles.next_reminder(
            session=session, project=project, schedule=second
        ).principle.position
        == 2
    )
    assert second.kind == ScheduleKind.PRINCIPLE_REMINDER


def test_only_a_lead_schedules_or_stops_reminders(session, project):
    with pytest.raises(NotAllowed, match="Only a project lead can schedule principle reminders"):
        principles.start_reminders(
            session=session, project=project, by=ALEX, spec=parse_schedule("daily 09:00"), now=NOON
        )
    with pytest.raises(NotAllowed, match="Only a project lead can stop principle reminders"):
        principles.stop_reminders(session=session, project=project, by=ALEX)
    principles.start_reminders(
        session=session, project=project, by=LEAD, spec=parse_schedule("daily 09:00"), now=NOON
    )
    stopped = principles.stop_reminders(session=session, project=project, by=LEAD)
    assert [s.cancelled for s in stopped] == [True]
    assert session.get(Schedule, stopped[0].id).cancelled
