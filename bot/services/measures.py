"""Measures and their data: what is measured, the points that carry it, and their charts' inputs.

A measure's points come from two places (SPEC §2, §8): check-ins (a day's
point is the mean of the figures given at that day's runs, so that a day has
one point) and data a lead pastes in (`MeasurePoint`: a baseline from before
the project, or another system's figures). Where both give a day, the pasted
value is the point: it comes from the system of record. Everything a chart
needs (direction, target, recalculation date, the project's rule length) is
read here; the statistics themselves are `bot.services.process_control`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import delete
from sqlmodel import Session, col, select

from bot.errors import InvalidInput, NotFound
from bot.services.checkins import check_value, measures_of
from bot.services.partners import require_lead
from bot.services.process_control import Direction, ProcessChart, analyse
from storage.models import (
    CheckinResponse,
    CheckinRun,
    Measure,
    MeasureDirection,
    MeasurePoint,
    MeasureValue,
    Project,
    Schedule,
    saved_id,
)

log = logging.getLogger(__name__)

# -- what is measured -------------------------------------------------------------------


def add_measure(
    *,
    session: Session,
    project: Project,
    by: str,
    name: str,
    unit: str | None = None,
    target: float | None = None,
    direction: MeasureDirection = MeasureDirection.HIGHER,
) -> Measure:
    require_lead(session=session, project=project, user_id=by, action="add measures")
    taken = [m.name.casefold() for m in measures_of(session=session, project=project)]
    if name.casefold() in taken:
        raise InvalidInput(f"The project already has a measure called “{name}”.")
    if target is not None:
        check_value(unit, target)
    measure = Measure(
        project_id=saved_id(project), name=name, unit=unit, target=target, direction=direction
    )
    session.add(measure)
    session.flush()
    return measure


def measure_named(*, session: Session, project: Project, name: str, lock: bool = False) -> Measure:
    """The project's measure called `name` (any case); NotFound names `/checkin measure list`."""
    query = select(Measure).where(Measure.project_id == project.id)
    for measure in session.exec(query.with_for_update() if lock else query):
        if measure.name.casefold() == name.casefold():
            return measure
    raise NotFound(
        f"The project has no measure called “{name}”; `/checkin measure list` shows them."
    )


def measure_for_lead(
    *, session: Session, project: Project, by: str, name: str, action: str
) -> Measure:
    """The measure called `name`, for a lead about to change it (a form or a confirmation next)."""
    require_lead(session=session, project=project, user_id=by, action=action)
    return measure_named(session=session, project=project, name=name)


def measure_by_id(*, session: Session, project: Project, measure_id: int) -> Measure:
    measure = session.get(Measure, measure_id)
    if measure is None or measure.project_id != project.id:
        raise NotFound("That measure is no longer tracked.")
    return measure


# -- pasted data ------------------------------------------------------------------------


@dataclass(frozen=True)
class Pasted:
    """What a paste did: points for new dates added, points for dates already held replaced."""

    measure: Measure
    added: int
    replaced: int


def paste_points(
    *,
    session: Session,
    project: Project,
    by: str,
    measure_id: int,
    points: Sequence[tuple[date, float]],
) -> Pasted:
    """Store pasted (date, value) points; a date already held gets the new value."""
    require_lead(session=session, project=project, user_id=by, action="add a measure's data")
    measure = measure_by_id(session=session, project=project, measure_id=measure_id)
    for _, value in points:
        check_value(measure.unit, value)
    held = {
        point.day: point
        for point in session.exec(
            select(MeasurePoint).where(MeasurePoint.measure_id == measure.id).with_for_update()
        )
    }
    for day, value in points:
        point = held.get(day) or MeasurePoint(measure_id=saved_id(measure), day=day, value=value)
        point.value = value
        session.add(point)
    session.flush()
    replaced = sum(1 for day, _ in points if day in held)
    log.info("measure %s: %s points pasted", measure.id, len(points))
    return Pasted(measure, added=len(points) - replaced, replaced=replaced)


def rebase_measure(
    *, session: Session, project: Project, by: str, name: str, on: date | None
) -> MeasureSeries:
    """Recalculate the measure's limits from `on` (a second period), or stop (None); the
    measure comes back with its points, to say where they fall either side of the date."""
    require_lead(session=session, project=project, user_id=by, action="rebase a measure")
    measure = measure_named(session=session, project=project, name=name, lock=True)
    measure.recalculate_from = on
    session.add(measure)
    session.flush()
    rebased = series_of(session=session, project=project)
    return next(series for series in rebased if series.measure.id == measure.id)


def remove_measure(*, session: Session, project: Project, by: str, measure_id: int) -> str:
    """Remove the measure, its pasted points and its check-in figures; returns its name."""
    require_lead(session=session, project=project, user_id=by, action="remove measures")
    measure = measure_by_id(session=session, project=project, measure_id=measure_id)
    session.exec(delete(MeasurePoint).where(col(MeasurePoint.measure_id) == measure.id))
    session.exec(delete(MeasureValue).where(col(MeasureValue.measure_id) == measure.id))
    session.delete(measure)
    session.flush()
    return measure.name


# -- the points, and what a chart needs -------------------------------------------------


@dataclass(frozen=True)
class Observation:
    """One day's point; `figures` is how many check-in figures its value is the mean of
    (0 for a pasted value)."""

    day: date
    value: float
    figures: int = 0


@dataclass(frozen=True)
class MeasureSeries:
    """A measure's points by date, with everything needed to judge them."""

    measure: Measure
    observations: list[Observation]
    rule_length: int

    @property
    def latest(self) -> Observation | None:
        return self.observations[-1] if self.observations else None

    def chart(self) -> ProcessChart:
        """The measure's chart statistics (pure: safe to compute outside a transaction)."""
        return analyse(
            [(point.day, point.value) for point in self.observations],
            Direction(self.measure.direction),
            rule_length=self.rule_length,
            recalculation=self.measure.recalculate_from,
            target=self.measure.target,
        )


def series_of(*, session: Session, project: Project) -> list[MeasureSeries]:
    """Every measure of the project with its points, oldest first."""
    figures = _checkin_figures(session, project)
    pasted = _pasted_points(session, project)
    return [
        MeasureSeries(
            measure,
            _merged(figures.get(saved_id(measure), {}), pasted.get(saved_id(measure), {})),
            project.rule_length,
        )
        for measure in measures_of(session=session, project=project)
    ]


def _checkin_figures(session: Session, project: Project) -> dict[int, dict[date, list[float]]]:
    """The figures given at check-ins, by measure id and the run's day in the project's zone."""
    zone = ZoneInfo(project.timezone)
    query = (
        select(MeasureValue.measure_id, MeasureValue.value, CheckinRun.run_at)
        .join(CheckinResponse, col(CheckinResponse.id) == col(MeasureValue.response_id))
        .join(CheckinRun, col(CheckinRun.id) == col(CheckinResponse.run_id))
        .join(Schedule, col(Schedule.id) == col(CheckinRun.schedule_id))
        .where(Schedule.project_id == project.id)
    )
    figures: dict[int, dict[date, list[float]]] = {}
    for measure_id, value, run_at in session.exec(query):
        day = run_at.astimezone(zone).date()
        figures.setdefault(measure_id, {}).setdefault(day, []).append(value)
    return figures


def _pasted_points(session: Session, project: Project) -> dict[int, dict[date, float]]:
    query = (
        select(MeasurePoint)
        .join(Measure, col(Measure.id) == col(MeasurePoint.measure_id))
        .where(Measure.project_id == project.id)
    )
    pasted: dict[int, dict[date, float]] = {}
    for point in session.exec(query):
        pasted.setdefault(point.measure_id, {})[point.day] = point.value
    return pasted


def _merged(figures: dict[date, list[float]], pasted: dict[date, float]) -> list[Observation]:
    """One observation a day: the pasted value where there is one, else the figures' mean."""
    days = sorted(set(figures) | set(pasted))
    return [
        Observation(day, pasted[day])
        if day in pasted
        else Observation(day, sum(figures[day]) / len(figures[day]), len(figures[day]))
        for day in days
    ]
