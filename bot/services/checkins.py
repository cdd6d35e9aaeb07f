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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import bindparam, delete
from sqlmodel import Session, col, select

from bot.errors import InvalidInput, NotFound
from bot.parsing.checkin import ScheduleAction
from bot.parsing.schedule import ScheduleSpec
from bot.services import schedules
from bot.services.partners import require_lead, role_of
from bot.services.stages import today_in
from storage.db import query_rows
from storage.models import (
    CheckinResponse,
    CheckinRun,
    Feedback,
    Measure,
    MeasureValue,
    PageSource,
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
PERCENT = "%"
LARGEST_FIGURE = 10**12
_NOUN = "check-in"
_LISTED_BY = "/checkin list"


# -- measures ---------------------------------------------------------------------------


def measures_of(*, session: Session, project: Project) -> list[Measure]:
    query = select(Measure).where(Measure.project_id == project.id).order_by(col(Measure.id))
    return list(session.exec(query))


# Asked by every stage completion's celebration: built once.
_ANY_MEASURE = select(Measure.id).where(Measure.project_id == bindparam("project_id")).limit(1)


def has_measures(*, session: Session, project: Project) -> bool:
    return query_rows(session, _ANY_MEASURE, {"project_id": project.id}).first() is not None


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
    known = {saved_id(m): m for m in measures_of(session=session, project=project)}
    if not set(values) <= set(known):
        raise InvalidInput("A measure in the form is no longer tracked; open the form again.")
    for measure_id, value in values.items():
        check_value(known[measure_id].unit, value)


def check_value(unit: str | None, value: float) -> None:
    """Refuse a figure the unit cannot hold (a percentage over 100 or under 0), and one too large
    for a chart's arithmetic to stay exact and finite."""
    if abs(value) > LARGEST_FIGURE:
        raise InvalidInput(
            f"A figure is at most {LARGEST_FIGURE:,} either side of zero "
            f"(a million million); {value:.3g} is beyond that."
        )
    if unit == PERCENT and not 0 <= value <= 100:
        raise InvalidInput(f"A percentage is between 0 and 100; {value:g} is not.")


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
        missing = missing_voices(session=session, run=run, project=project, now=now)
        due.append(FollowUp(run, schedule, project, missing))
    return due


def missing_voices(
    *, session: Session, run: CheckinRun, project: Project, now: datetime
) -> list[Role]:
    """The partner groups no one has answered this run for, in the order of `VOICES`.

    Service users are heard too when, since the run was posted, someone who is not
    staff answered on the project's public feedback page (SPEC §7).
    """
    heard = set(session.exec(select(CheckinResponse.role).where(CheckinResponse.run_id == run.id)))
    if _heard_on_the_page(session, project, since=run.run_at, until=now):
        heard.add(Role.SERVICE_USER)
    return [voice for voice in VOICES if voice not in heard]


def _heard_on_the_page(
    session: Session, project: Project, *, since: datetime, until: datetime
) -> bool:
    query = select(Feedback.id).where(
        Feedback.project_id == project.id,
        col(Feedback.link_id).is_not(None),
        Feedback.source_role != PageSource.STAFF,
        col(Feedback.created_at) >= since,
        col(Feedback.created_at) <= until,
    )
    return session.exec(query.limit(1)).first() is not None


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
