"""Evaluation: the measures a project tracks, its check-ins, their runs and the answers.

A check-in is a `Schedule` of kind `checkin`; each firing opens a
`CheckinRun` whose channel post collects responses: a value per measure,
what is working, what is not, and whose view it is. One person has one
response per run; answering again replaces it. A response marked anonymous
keeps its user id only so that it can be replaced: it is never shown, quoted
or logged with it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from bot.errors import InvalidInput, NotFound
from bot.parsing.checkin import ScheduleAction
from bot.parsing.schedule import ScheduleSpec
from bot.services import schedules
from bot.services.partners import require_lead, role_of, shown_side, sides_shown_anonymously
from bot.services.stages import today_in
from storage.models import (
    CheckinResponse,
    CheckinRun,
    Measure,
    MeasureValue,
    Project,
    Role,
    Schedule,
    ScheduleKind,
    Stage,
    saved_id,
)
from storage.types import utcnow

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

DEFAULT_TITLE = "Evaluation check-in"
# The partner groups whose view every check-in hopes to hear (SPEC §4, follow-up).
VOICES = (Role.MANAGEMENT, Role.STAFF, Role.UNION, Role.SERVICE_USER)
FOLLOW_UP_AFTER = timedelta(days=1)
# An impact check-in proposed by a stage's celebration: four weeks on, mid-morning.
IMPACT_DELAY = timedelta(weeks=4)
IMPACT_TIME = time(10, 0)
_TITLE_LENGTH = 200
_NOUN = "check-in"
_LISTED_BY = "/checkin list"


# -- measures ---------------------------------------------------------------------------


def add_measure(
    *,
    session: Session,
    project: Project,
    by: str,
    name: str,
    unit: str | None = None,
    target: float | None = None,
    higher_is_better: bool = True,
) -> Measure:
    require_lead(session=session, project=project, user_id=by, action="add measures")
    taken = [m.name.casefold() for m in measures_of(session=session, project=project)]
    if name.casefold() in taken:
        raise InvalidInput(f"The project already has a measure called “{name}”.")
    measure = Measure(
        project_id=saved_id(project),
        name=name,
        unit=unit,
        target=target,
        higher_is_better=higher_is_better,
    )
    session.add(measure)
    session.flush()
    return measure


def measures_of(*, session: Session, project: Project) -> list[Measure]:
    query = select(Measure).where(Measure.project_id == project.id).order_by(col(Measure.id))
    return list(session.exec(query))


def has_measures(*, session: Session, project: Project) -> bool:
    query = select(func.count()).select_from(Measure).where(Measure.project_id == project.id)
    return session.exec(query).one() > 0


# -- check-in schedules -----------------------------------------------------------------


def schedule_checkin(
    *,
    session: Session,
    project: Project,
    by: str,
    spec: ScheduleSpec,
    title: str | None = None,
    stage_id: int | None = None,
    clock: Clock = utcnow,
) -> Schedule:
    require_lead(session=session, project=project, user_id=by, action="schedule check-ins")
    return schedules.create_schedule(
        session=session,
        project=project,
        kind=ScheduleKind.CHECKIN,
        spec=spec,
        by=by,
        title=title,
        stage_id=stage_id,
        clock=clock,
    )


def checkins_of(*, session: Session, project: Project) -> list[Schedule]:
    return schedules.schedules_of(session=session, project=project, kind=ScheduleKind.CHECKIN)


@dataclass(frozen=True)
class Upcoming:
    """A check-in with its next run (None when paused or all run), for the list."""

    schedule: Schedule
    next_run: datetime | None


def upcoming(schedule: Schedule, project: Project, *, now: datetime) -> Upcoming:
    return Upcoming(schedule, schedules.next_run_of(schedule, project, after=now))


def upcoming_checkins(*, session: Session, project: Project, now: datetime) -> list[Upcoming]:
    """The project's check-ins, each with when it next runs."""
    return [upcoming(s, project, now=now) for s in checkins_of(session=session, project=project)]


def change_checkin(
    *, session: Session, project: Project, by: str, schedule_id: int, action: ScheduleAction
) -> Schedule:
    """Cancel, pause or resume one of the project's check-ins (a lead's decision)."""
    require_lead(session=session, project=project, user_id=by, action=f"{action} check-ins")
    schedule = schedules.get_schedule(
        session=session,
        project=project,
        schedule_id=schedule_id,
        kind=ScheduleKind.CHECKIN,
        noun=_NOUN,
        listed_by=_LISTED_BY,
        lock=True,
    )
    change = {
        ScheduleAction.CANCEL: schedules.cancel_schedule,
        ScheduleAction.PAUSE: schedules.pause_schedule,
        ScheduleAction.RESUME: schedules.resume_schedule,
    }[action]
    return change(session=session, schedule=schedule, noun=_NOUN)


@dataclass(frozen=True)
class ImpactCheckin:
    """The one-off check-in on a completed stage's impact; `created` False if it existed."""

    schedule: Schedule
    stage: Stage
    created: bool
    # Which of the stage's impact check-ins this is, cancelled ones counted (1 the first time).
    number: int


def schedule_impact_checkin(
    *, session: Session, project: Project, by: str, stage_id: int, clock: Clock = utcnow
) -> ImpactCheckin:
    """A check-in four weeks after today, titled with the stage; pressing twice makes one."""
    stage = session.exec(
        select(Stage).where(Stage.id == stage_id, Stage.project_id == project.id).with_for_update()
    ).first()
    if stage is None:
        raise NotFound("That stage is no longer in the plan.")
    earlier = session.exec(
        select(Schedule)
        .where(Schedule.stage_id == stage_id, Schedule.kind == ScheduleKind.CHECKIN)
        .order_by(col(Schedule.id))
    ).all()
    live = [schedule for schedule in earlier if not schedule.cancelled]
    if live:
        return ImpactCheckin(live[0], stage, created=False, number=len(earlier))
    spec = ScheduleSpec("once", IMPACT_TIME, on=today_in(project, clock) + IMPACT_DELAY)
    title = f"Impact of stage {stage.position}: {stage.title}"
    schedule = schedule_checkin(
        session=session,
        project=project,
        by=by,
        spec=spec,
        title=_cut(title, _TITLE_LENGTH),
        stage_id=stage_id,
        clock=clock,
    )
    return ImpactCheckin(schedule, stage, created=True, number=len(earlier) + 1)


# -- runs and responses -----------------------------------------------------------------


def open_run(*, session: Session, schedule: Schedule, run_at: datetime) -> CheckinRun:
    """The run of `schedule` at `run_at`, created the first time that run fires."""
    query = select(CheckinRun).where(
        CheckinRun.schedule_id == schedule.id, CheckinRun.run_at == run_at
    )
    run = session.exec(query).first()
    if run is None:
        run = CheckinRun(
            schedule_id=saved_id(schedule), run_at=run_at, title=schedule.title or DEFAULT_TITLE
        )
        session.add(run)
        session.flush()
    return run


def get_run(
    *, session: Session, project: Project, run_id: int, lock: bool = False
) -> tuple[CheckinRun, Schedule]:
    """A run of one of the project's check-ins, with its schedule; locked, responses to it
    are written one at a time."""
    query = (
        select(CheckinRun, Schedule)
        .join(Schedule, col(Schedule.id) == col(CheckinRun.schedule_id))
        .where(CheckinRun.id == run_id, Schedule.project_id == project.id)
    )
    found = session.exec(query.with_for_update(of=CheckinRun) if lock else query).first()
    if found is None:
        raise NotFound("That check-in is not one of this project's.")
    return found


@dataclass(frozen=True)
class RunForm:
    """What a run's Record check-in form shows: the run, today's measures, the default role."""

    run: CheckinRun
    measures: list[Measure]
    default_role: Role | None


def form_for_run(*, session: Session, project: Project, run_id: int, by: str) -> RunForm:
    run, _ = get_run(session=session, project=project, run_id=run_id)
    return RunForm(
        run=run,
        measures=measures_of(session=session, project=project),
        default_role=role_of(session=session, project=project, user_id=by),
    )


@dataclass(frozen=True)
class Answers:
    """One person's answers to a check-in run: values by measure id, and reflections."""

    role: Role
    anonymous: bool = False
    working: str = ""
    not_working: str = ""
    values: dict[int, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Recorded:
    response: CheckinResponse
    run: CheckinRun
    schedule: Schedule
    # True when the person had answered this run before and this answer replaced it.
    replaced: bool


def record_response(
    *,
    session: Session,
    project: Project,
    run_id: int,
    by: str,
    answers: Answers,
    clock: Clock = utcnow,
) -> Recorded:
    """Store a response to a run; a second one by the same person replaces the first."""
    run, schedule = get_run(session=session, project=project, run_id=run_id, lock=True)
    _check_measures(session, project, answers.values)
    response = session.exec(
        select(CheckinResponse).where(
            CheckinResponse.run_id == run_id, CheckinResponse.user_id == by
        )
    ).first()
    replaced = response is not None
    if response is None:
        response = CheckinResponse(run_id=run_id, user_id=by, role=answers.role, created_at=clock())
    response.role = answers.role
    response.anonymous = answers.anonymous
    response.working = answers.working
    response.not_working = answers.not_working
    response.updated_at = clock()
    session.add(response)
    session.flush()
    _replace_values(session, response, answers.values)
    log.info("check-in run %s: a %s response recorded", run_id, answers.role)
    return Recorded(response, run, schedule, replaced)


def _check_measures(session: Session, project: Project, values: dict[int, float]) -> None:
    known = {saved_id(m) for m in measures_of(session=session, project=project)}
    if not set(values) <= known:
        raise InvalidInput("A measure in the form is no longer tracked; open the form again.")


def _replace_values(session: Session, response: CheckinResponse, values: dict[int, float]) -> None:
    response_id = saved_id(response)
    session.exec(delete(MeasureValue).where(col(MeasureValue.response_id) == response_id))
    for measure_id, value in values.items():
        session.add(MeasureValue(response_id=response_id, measure_id=measure_id, value=value))
    session.flush()


# -- follow-up --------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUp:
    """A run a day old whose thread should hear which groups have not answered."""

    run: CheckinRun
    schedule: Schedule
    project: Project
    missing: list[Role]


def follow_ups_due(*, session: Session, now: datetime) -> list[FollowUp]:
    """Runs at least a day old not yet followed up, marked followed up now (one reply each)."""
    query = (
        select(CheckinRun, Schedule, Project)
        .join(Schedule, col(Schedule.id) == col(CheckinRun.schedule_id))
        .join(Project, col(Project.id) == col(Schedule.project_id))
        .where(col(CheckinRun.followed_up_at).is_(None), CheckinRun.run_at <= now - FOLLOW_UP_AFTER)
        .order_by(col(CheckinRun.id))
        .with_for_update(of=CheckinRun)
    )
    due = []
    for run, schedule, project in session.exec(query).all():
        run.followed_up_at = now
        session.add(run)
        due.append(FollowUp(run, schedule, project, missing_voices(session=session, run=run)))
    return due


def missing_voices(*, session: Session, run: CheckinRun) -> list[Role]:
    """The partner groups no one has answered this run for, in the order of `VOICES`."""
    heard = set(session.exec(select(CheckinResponse.role).where(CheckinResponse.run_id == run.id)))
    return [voice for voice in VOICES if voice not in heard]


# -- the report -------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """One run's value of a measure: the mean of the values given in it."""

    day: date
    value: float
    responses: int


@dataclass(frozen=True)
class Series:
    """A measure's values over time, and who gave them."""

    measure: Measure
    points: list[Point]
    by_role: dict[str, int]

    @property
    def latest(self) -> Point | None:
        return self.points[-1] if self.points else None

    @property
    def change(self) -> float | None:
        """The latest value less the first, once there are two runs to compare."""
        if len(self.points) < 2:
            return None
        return self.points[-1].value - self.points[0].value

    @property
    def median(self) -> float | None:
        values = sorted(point.value for point in self.points)
        if not values:
            return None
        middle = len(values) // 2
        return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


@dataclass(frozen=True)
class Reflection:
    """What one response said; `user_id` is None when it was given anonymously."""

    role: str
    user_id: str | None
    day: date
    working: str
    not_working: str


@dataclass(frozen=True)
class EvaluationReport:
    project: Project
    series: list[Series]
    responses_by_role: dict[str, int]
    reflections_by_role: dict[str, int]
    latest_reflections: list[Reflection]

    @property
    def empty(self) -> bool:
        return not self.responses_by_role


LATEST_REFLECTIONS = 3


def report_of(*, session: Session, project: Project) -> EvaluationReport:
    """Every measure's values by run date, and the reflections, across all the project's runs."""
    zone = ZoneInfo(project.timezone)
    responses = _responses(session, project)
    runs = {run.id: run for run, _ in responses}
    values = _values(session, [response for _, response in responses])
    series = [
        _series(measure, values.get(saved_id(measure), []), runs, zone)
        for measure in measures_of(session=session, project=project)
    ]
    reflections = [
        _reflection(response, run, zone)
        for run, response in responses
        if response.working or response.not_working
    ]
    return EvaluationReport(
        project=project,
        series=series,
        responses_by_role=_count(response.role for _, response in responses),
        reflections_by_role=_count(reflection.role for reflection in reflections),
        latest_reflections=[
            _keep_anonymous(reflection, sides_shown_anonymously(session=session, project=project))
            for reflection in reflections[-LATEST_REFLECTIONS:][::-1]
        ],
    )


def _responses(session: Session, project: Project) -> list[tuple[CheckinRun, CheckinResponse]]:
    """The project's responses, oldest run first, in the order they were last changed."""
    query = (
        select(CheckinRun, CheckinResponse)
        .join(CheckinResponse, col(CheckinResponse.run_id) == col(CheckinRun.id))
        .join(Schedule, col(Schedule.id) == col(CheckinRun.schedule_id))
        .where(Schedule.project_id == project.id)
        .order_by(col(CheckinRun.run_at), col(CheckinResponse.updated_at), col(CheckinResponse.id))
    )
    return [(run, response) for run, response in session.exec(query).all()]


def _values(
    session: Session, responses: list[CheckinResponse]
) -> dict[int, list[tuple[CheckinResponse, float]]]:
    """Each measure's values, by measure id, with the response that gave them."""
    by_id = {response.id: response for response in responses}
    query = select(MeasureValue).where(col(MeasureValue.response_id).in_(list(by_id)))
    values: dict[int, list[tuple[CheckinResponse, float]]] = {}
    for value in session.exec(query):
        values.setdefault(value.measure_id, []).append((by_id[value.response_id], value.value))
    return values


def _series(
    measure: Measure,
    values: list[tuple[CheckinResponse, float]],
    runs: dict[int | None, CheckinRun],
    zone: ZoneInfo,
) -> Series:
    per_run: dict[int, list[float]] = {}
    for response, value in values:
        per_run.setdefault(response.run_id, []).append(value)
    ordered = sorted(per_run.items(), key=lambda item: (runs[item[0]].run_at, item[0]))
    points = [
        Point(runs[run_id].run_at.astimezone(zone).date(), sum(given) / len(given), len(given))
        for run_id, given in ordered
    ]
    return Series(measure, points, _count(response.role for response, _ in values))


def _reflection(response: CheckinResponse, run: CheckinRun, zone: ZoneInfo) -> Reflection:
    return Reflection(
        role=response.role,
        user_id=None if response.anonymous else response.user_id,
        day=run.run_at.astimezone(zone).date(),
        working=response.working,
        not_working=response.not_working,
    )


def _keep_anonymous(reflection: Reflection, shown: set[str]) -> Reflection:
    side = shown_side(reflection.role, anonymous=reflection.user_id is None, shown=shown)
    return replace(reflection, role=side)


def _count(roles: Iterable[str]) -> dict[str, int]:
    """How many of each role, in the order of the roles (lead first, service users last)."""
    counted: dict[str, int] = {}
    for role in roles:
        counted[role] = counted.get(role, 0) + 1
    order = list(Role)
    return dict(sorted(counted.items(), key=lambda item: order.index(Role(item[0]))))


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
