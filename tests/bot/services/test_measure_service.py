"""Measures that carry real data, on a real database (both kinds): pasted points, a rebase,
removal, a check-in day's mean, and figures a percentage cannot hold."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import select

from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.parsing.schedule import ScheduleSpec
from bot.services import checkins, measures
from bot.services.checkins import Answers
from bot.services.process_control import Direction, Rule, analyse
from storage.models import MeasureDirection, MeasurePoint, MeasureValue, Role

from .conftest import LEAD

STAFF = "USTAFF"
MONDAY = datetime(2027, 3, 15, 9, 0, tzinfo=UTC)
START = date(2027, 1, 4)


def _measure(session, project, name="Waiting time", **options):
    return measures.add_measure(session=session, project=project, by=LEAD, name=name, **options)


def _paste(session, project, measure, points, *, by=LEAD):
    return measures.paste_points(
        session=session, project=project, by=by, measure_id=measure.id, points=points
    )


def _weekly(values, start=START):
    return [(start + timedelta(weeks=n), float(value)) for n, value in enumerate(values)]


def _series(session, project, name="Waiting time"):
    found = measures.series_of(session=session, project=project)
    return next(series for series in found if series.measure.name == name)


def test_a_paste_adds_new_dates_and_replaces_dates_already_held(session, project):
    measure = _measure(session, project)
    first = _paste(session, project, measure, _weekly([20, 21, 22]))
    assert (first.added, first.replaced) == (3, 0)
    again = _paste(
        session, project, measure, _weekly([19, 18, 17, 16], start=START + timedelta(weeks=1))
    )
    assert (again.added, again.replaced) == (2, 2)
    series = _series(session, project)
    assert [(o.value, o.figures) for o in series.observations] == [
        (20, 0),
        (19, 0),
        (18, 0),
        (17, 0),
        (16, 0),
    ]


def test_only_a_lead_pastes_and_only_into_the_projects_measure(session, project):
    measure = _measure(session, project)
    with pytest.raises(NotAllowed):
        _paste(session, project, measure, _weekly([1]), by=STAFF)
    with pytest.raises(NotFound):
        measures.paste_points(
            session=session, project=project, by=LEAD, measure_id=measure.id + 99, points=[]
        )


def test_a_percentage_over_100_or_under_0_is_refused_and_nothing_is_stored(session, project):
    measure = _measure(session, project, name="Seen in 4 hours", unit="%")
    with pytest.raises(InvalidInput, match="between 0 and 100; 101 is not"):
        _paste(session, project, measure, _weekly([95, 101]))
    with pytest.raises(InvalidInput, match="-1 is not"):
        _paste(session, project, measure, _weekly([-1]))
    assert session.exec(select(MeasurePoint)).all() == []
    assert _paste(session, project, measure, _weekly([0, 100])).added == 2
    with pytest.raises(InvalidInput, match="between 0 and 100"):
        _measure(session, project, name="Target too high", unit="%", target=120)


def test_a_check_in_figure_a_percentage_cannot_hold_is_refused(session, project):
    measure = _measure(session, project, name="Seen in 4 hours", unit="%")
    schedule = checkins.schedule_checkin(
        session=session,
        project=project,
        by=LEAD,
        spec=ScheduleSpec("weekly", time(9, 0), weekday=0),
        clock=lambda: MONDAY - timedelta(days=1),
    )
    run = checkins.open_run(session=session, schedule=schedule, run_at=MONDAY)
    answers = Answers(role=Role.STAFF, values={measure.id: 140.0})
    with pytest.raises(InvalidInput, match="between 0 and 100"):
        checkins.record_response(
            session=session, project=project, run_id=run.id, by=STAFF, answers=answers
        )


def test_a_check_in_days_point_is_the_mean_of_its_figures_and_a_pasted_value_wins(session, project):
    measure = _measure(session, project)
    schedule = checkins.schedule_checkin(
        session=session,
        project=project,
        by=LEAD,
        spec=ScheduleSpec("weekly", time(9, 0), weekday=0),
        clock=lambda: MONDAY - timedelta(days=1),
    )
    for week, figures in enumerate([(22, 20, 15), (30,)]):
        run = checkins.open_run(
            session=session, schedule=schedule, run_at=MONDAY + timedelta(weeks=week)
        )
        for number, figure in enumerate(figures):
            checkins.record_response(
                session=session,
                project=project,
                run_id=run.id,
                by=f"U{number}",
                answers=Answers(role=Role.STAFF, values={measure.id: float(figure)}),
            )
    assert [(o.day, o.value, o.figures) for o in _series(session, project).observations] == [
        (date(2027, 3, 15), 19.0, 3),
        (date(2027, 3, 22), 30.0, 1),
    ]
    _paste(session, project, measure, [(date(2027, 3, 22), 25.0)])
    assert _series(session, project).observations[-1].value == 25.0


def test_a_rebase_computes_separate_limits_from_its_date_and_none_removes_it(session, project):
    measure = _measure(session, project, direction=MeasureDirection.LOWER)
    values = [20, 22, 21, 23, 20, 22, 21, 23, 20, 22, 21, 23, 20] + [10, 12, 11, 13] * 4
    points = _weekly(values)
    _paste(session, project, measure, points)
    before = _series(session, project).chart()
    on = points[13][0]
    rebased = measures.rebase_measure(
        session=session, project=project, by=LEAD, name="WAITING time", on=on
    )
    assert rebased.measure.recalculate_from == on
    assert rebased.observations == _series(session, project).observations
    after = _series(session, project).chart()
    assert after == analyse(points, Direction.LOWER, recalculation=on)
    # One period before; two after, each with its own mean and limits either side of the date.
    assert before.points[12].upper_limit == before.points[13].upper_limit
    assert after.points[12].mean == pytest.approx(sum(values[:13]) / 13)
    assert after.points[13].mean == pytest.approx(11.5)
    assert after.points[13].upper_limit < after.points[12].upper_limit
    measures.rebase_measure(session=session, project=project, by=LEAD, name="Waiting time", on=None)
    assert _series(session, project).chart() == before
    with pytest.raises(NotAllowed):
        measures.rebase_measure(
            session=session, project=project, by=STAFF, name="Waiting time", on=on
        )
    with pytest.raises(NotFound, match="/checkin measure list"):
        measures.rebase_measure(session=session, project=project, by=LEAD, name="Beds", on=on)


def test_removing_a_measure_removes_its_points_and_figures(session, project):
    measure, other = _measure(session, project), _measure(session, project, "Beds")
    _paste(session, project, measure, _weekly([1, 2]))
    _paste(session, project, other, _weekly([3]))
    with pytest.raises(NotAllowed):
        measures.remove_measure(session=session, project=project, by=STAFF, measure_id=measure.id)
    assert (
        measures.remove_measure(session=session, project=project, by=LEAD, measure_id=measure.id)
        == "Waiting time"
    )
    assert [s.measure.name for s in measures.series_of(session=session, project=project)] == [
        "Beds"
    ]
    assert [p.measure_id for p in session.exec(select(MeasurePoint))] == [other.id]
    assert session.exec(select(MeasureValue)).all() == []


@pytest.mark.parametrize(("rule_length", "shifted"), [(6, True), (7, True), (8, False)])
def test_the_projects_rule_length_decides_what_counts_as_a_shift(
    session, project, rule_length, shifted
):
    """Seven points in a row above the mean: a shift for a project that counts 6 or 7, not 8."""
    measure = _measure(session, project)
    _paste(session, project, measure, _weekly([11, 9] * 7 + [10.5] * 7))
    project.rule_length = rule_length
    chart = _series(session, project).chart()
    assert chart.rule_length == rule_length
    assert any(Rule.SHIFT in point.rules for point in chart.points) is shifted
