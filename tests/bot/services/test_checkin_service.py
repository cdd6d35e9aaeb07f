"""Measures, check-ins, responses, follow-ups and the report on a real database (both kinds)."""

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import select

from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.parsing.checkin import ScheduleAction
from bot.parsing.schedule import ScheduleSpec
from bot.services import checkins, evaluation, measures, stages
from bot.services.checkins import Answers
from bot.services.projects import Caller, project_for
from storage.models import CheckinResponse, MeasureDirection, MeasureValue, Role, Schedule

from .conftest import LEAD

STAFF, USER = "USTAFF", "USERVICE"
MONDAY = datetime(2027, 3, 15, 9, 0, tzinfo=UTC)
WEEKLY = ScheduleSpec("weekly", time(9, 0), weekday=0)


def clock():
    return MONDAY - timedelta(days=1)


def _measure(session, project, name="Waiting time", **options):
    return measures.add_measure(session=session, project=project, by=LEAD, name=name, **options)


def _checkin(session, project, title="Ward review"):
    return checkins.schedule_checkin(
        session=session, project=project, by=LEAD, spec=WEEKLY, title=title, clock=clock
    )


def _change(session, project, schedule, action, *, by=LEAD):
    return checkins.change_checkin(
        session=session, project=project, by=by, schedule_id=schedule.id, action=action
    )


def _answer(session, project, run, user, role, values=None, **reflections):
    answers = Answers(role=role, values=values or {}, **reflections)
    return checkins.record_response(
        session=session, project=project, run_id=run.id, by=user, answers=answers, clock=clock
    )


def test_a_lead_adds_measures_once_each_and_others_may_not(session, project):
    measure = _measure(session, project, unit="days", target=14, direction=MeasureDirection.LOWER)
    assert (measure.name, measure.unit, measure.target, measure.direction) == (
        "Waiting time",
        "days",
        14,
        "lower",
    )
    with pytest.raises(InvalidInput, match="already has a measure"):
        _measure(session, project, "waiting TIME")
    with pytest.raises(NotAllowed) as refused:
        measures.add_measure(session=session, project=project, by=STAFF, name="Beds")
    assert refused.value.ask == [LEAD]
    assert [m.name for m in checkins.measures_of(session=session, project=project)] == [
        "Waiting time"
    ]
    assert checkins.has_measures(session=session, project=project)


def test_a_lead_schedules_pauses_resumes_and_cancels_check_ins(session, project):
    schedule = _checkin(session, project)
    assert (schedule.kind, schedule.spec, schedule.title) == (
        "checkin",
        "weekly mon 09:00",
        "Ward review",
    )
    for action, paused, cancelled in (
        (ScheduleAction.PAUSE, True, False),
        (ScheduleAction.RESUME, False, False),
        (ScheduleAction.CANCEL, False, True),
    ):
        changed = _change(session, project, schedule, action)
        assert (changed.paused, changed.cancelled) == (paused, cancelled)
    assert checkins.checkins_of(session=session, project=project) == []


def test_only_leads_change_check_ins_and_only_their_own_projects(session, project):
    with pytest.raises(NotAllowed):
        checkins.schedule_checkin(session=session, project=project, by=STAFF, spec=WEEKLY)
    schedule = _checkin(session, project)
    with pytest.raises(NotAllowed):
        _change(session, project, schedule, ScheduleAction.CANCEL, by=STAFF)
    elsewhere = project_for(session=session, caller=Caller("T1", "C2", LEAD), timezone="UTC")
    with pytest.raises(NotFound, match=r"There is no check-in .* `/checkin list` shows them"):
        _change(session, elsewhere, schedule, ScheduleAction.PAUSE)


def test_an_impact_check_in_is_four_weeks_on_at_ten_titled_with_the_stage_and_made_once(
    session, project
):
    stage = stages.add_stage(session=session, project=project, by=LEAD, title="Open the ward")
    first = checkins.schedule_impact_checkin(
        session=session, project=project, by=LEAD, stage_id=stage.id, clock=clock
    )
    again = checkins.schedule_impact_checkin(
        session=session, project=project, by=LEAD, stage_id=stage.id, clock=clock
    )
    assert first.created
    assert not again.created
    assert again.schedule.id == first.schedule.id
    assert first.schedule.spec == "on 2027-04-11 10:00"  # Sunday 14 March + 28 days
    assert first.schedule.title == "Impact of stage 1: Open the ward"
    assert first.schedule.stage_id == stage.id
    assert len(session.exec(select(Schedule)).all()) == 1


def test_a_run_is_opened_once_and_its_title_comes_from_the_check_in(session, project):
    schedule = _checkin(session, project, title=None)
    run = checkins.open_run(session=session, schedule=schedule, run_at=MONDAY)
    assert checkins.open_run(session=session, schedule=schedule, run_at=MONDAY).id == run.id
    assert run.title == "Evaluation check-in"


def test_a_second_response_by_the_same_person_replaces_the_first(session, project):
    waiting, beds = _measure(session, project), _measure(session, project, "Beds")
    run = checkins.open_run(session=session, schedule=_checkin(session, project), run_at=MONDAY)
    first = _answer(session, project, run, STAFF, Role.STAFF, {waiting.id: 20, beds.id: 3})
    second = _answer(
        session, project, run, STAFF, Role.SERVICE_USER, {waiting.id: 18.5}, anonymous=True
    )
    assert (first.replaced, second.replaced) == (False, True)
    (response,) = session.exec(select(CheckinResponse)).all()
    assert (response.role, response.anonymous, response.user_id) == ("service-user", True, STAFF)
    assert session.exec(select(MeasureValue.measure_id, MeasureValue.value)).all() == [
        (waiting.id, 18.5)
    ]


def test_a_response_to_another_projects_run_or_measure_is_refused(session, project):
    run = checkins.open_run(session=session, schedule=_checkin(session, project), run_at=MONDAY)
    elsewhere = project_for(session=session, caller=Caller("T1", "C2", LEAD), timezone="UTC")
    theirs = _measure(session, elsewhere, "Theirs")
    with pytest.raises(NotFound):
        _answer(session, elsewhere, run, STAFF, Role.STAFF)
    with pytest.raises(InvalidInput, match="no longer tracked"):
        _answer(session, project, run, STAFF, Role.STAFF, {theirs.id: 1})


def test_a_run_is_followed_up_once_a_day_later_naming_the_groups_not_heard(session, project):
    run = checkins.open_run(session=session, schedule=_checkin(session, project), run_at=MONDAY)
    _answer(session, project, run, LEAD, Role.MANAGEMENT, working="Calmer")
    _answer(session, project, run, STAFF, Role.STAFF, working="Busy")
    assert checkins.follow_ups_due(session=session, now=MONDAY + timedelta(hours=23)) == []
    (due,) = checkins.follow_ups_due(session=session, now=MONDAY + timedelta(days=1))
    assert due.run.id == run.id
    assert due.missing == [Role.UNION, Role.SERVICE_USER]
    assert checkins.follow_ups_due(session=session, now=MONDAY + timedelta(days=2)) == []


def test_the_report_has_each_runs_mean_by_date_and_reflections_by_role(session, project):
    waiting, _beds = _measure(session, project), _measure(session, project, "Beds")
    schedule = _checkin(session, project)
    first = checkins.open_run(session=session, schedule=schedule, run_at=MONDAY)
    later = checkins.open_run(
        session=session, schedule=schedule, run_at=MONDAY + timedelta(weeks=1)
    )
    _answer(session, project, first, LEAD, Role.MANAGEMENT, {waiting.id: 22}, working="Calmer")
    _answer(session, project, first, STAFF, Role.STAFF, {waiting.id: 20})
    _answer(
        session,
        project,
        later,
        USER,
        Role.SERVICE_USER,
        {waiting.id: 15},
        anonymous=True,
        not_working="Still waiting",
    )
    report = evaluation.report_of(session=session, project=project)
    series, beds = report.series
    # A run's point is the mean of the figures given at it, and says how many there were.
    assert [(p.day.isoformat(), p.value, p.figures) for p in series.observations] == [
        ("2027-03-15", 21.0, 2),
        ("2027-03-22", 15.0, 1),
    ]
    assert series.chart().median == 18.0
    assert beds.observations == []
    assert report.responses_by_role == {"management": 1, "staff": 1, "service-user": 1}
    by_side = report.reflections_by_side
    # Fewer than three service-user partners: the anonymous answer's side is kept back.
    assert list(by_side) == ["management", "not shown, to keep it anonymous"]
    (anonymous,) = by_side["not shown, to keep it anonymous"]
    assert (anonymous.user_id, anonymous.not_working) == (None, "Still waiting")
    assert [(r.user_id, r.working) for r in by_side["management"]] == [(LEAD, "Calmer")]


def test_a_project_with_no_responses_has_an_empty_report(session, project):
    _measure(session, project)
    assert evaluation.report_of(session=session, project=project).empty


def test_an_impact_check_in_cancelled_and_proposed_again_is_a_new_one_with_a_new_key(
    session, project
):
    stage = stages.add_stage(session=session, project=project, by=LEAD, title="Open the ward")

    def schedule():
        return checkins.schedule_impact_checkin(
            session=session, project=project, by=LEAD, stage_id=stage.id, clock=clock
        )

    first = schedule()
    _change(session, project, first.schedule, ScheduleAction.CANCEL)
    second = schedule()
    assert second.created
    assert second.schedule.id != first.schedule.id
    assert (first.number, second.number) == (1, 2)
    with pytest.raises(NotFound):
        checkins.schedule_impact_checkin(
            session=session, project=project, by=LEAD, stage_id=stage.id + 99, clock=clock
        )
