"""Schedules: what recurs in a project's channel (check-ins, principle reminders, digests).

A `Schedule` row is the record of truth; its APScheduler job follows the row
(`bot.jobs.sync_schedule`, called once the change has committed). Who may
change a schedule is the business of the feature that owns its kind.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.errors import InvalidInput, NotFound
from bot.parsing.schedule import ScheduleSpec, parse_schedule
from bot.scheduling.calendar import latest_run, next_run
from storage.models import Project, Schedule, ScheduleKind, saved_id
from storage.types import utcnow

Clock = Callable[[], datetime]


def create_schedule(
    *,
    session: Session,
    project: Project,
    kind: ScheduleKind,
    spec: ScheduleSpec,
    by: str,
    title: str | None = None,
    stage_id: int | None = None,
    clock: Clock = utcnow,
) -> Schedule:
    """A new schedule; a one-off whose time has passed is refused, as it would never run."""
    schedule = Schedule(
        project_id=saved_id(project),
        kind=kind,
        spec=spec.canonical(),
        title=title,
        stage_id=stage_id,
        created_by=by,
        created_at=clock(),
    )
    if next_run_of(schedule, project, after=schedule.created_at) is None:
        raise InvalidInput(f"`{spec.canonical()}` has passed: pick a time still to come.")
    session.add(schedule)
    session.flush()
    return schedule


def active_schedules(*, session: Session) -> list[Schedule]:
    """Every schedule not cancelled, in every project, paused ones included."""
    query = select(Schedule).where(col(Schedule.cancelled).is_(False)).order_by(col(Schedule.id))
    return list(session.exec(query))


def schedule_projects(*, session: Session, schedules: list[Schedule]) -> dict[int, Project]:
    """The projects of these schedules by id, in one query: start-up syncs thousands."""
    ids = {schedule.project_id for schedule in schedules}
    projects = session.exec(select(Project).where(col(Project.id).in_(ids)))
    return {saved_id(project): project for project in projects}


def schedule_with_project(*, session: Session, schedule_id: int) -> tuple[Schedule, Project] | None:
    """A schedule by id alone, locked, with its project: all a firing job knows is the id."""
    schedule = session.get(Schedule, schedule_id, with_for_update=True)
    if schedule is None:
        return None
    return schedule, session.get_one(Project, schedule.project_id)


def schedules_of(
    *, session: Session, project: Project, kind: ScheduleKind | None = None
) -> list[Schedule]:
    """A project's schedules not cancelled (paused ones included), oldest first."""
    query = select(Schedule).where(
        Schedule.project_id == project.id, col(Schedule.cancelled).is_(False)
    )
    if kind is not None:
        query = query.where(Schedule.kind == kind)
    return list(session.exec(query.order_by(col(Schedule.id))))


def get_schedule(
    *,
    session: Session,
    project: Project,
    schedule_id: int,
    kind: ScheduleKind | None = None,
    noun: str = "schedule",
    listed_by: str | None = None,
    lock: bool = False,
) -> Schedule:
    """One of the project's schedules (of `kind`, when given), cancelled ones included.

    The refusal names it as people know it: "There is no check-in 7 in this
    project. `/checkin list` shows them." (`noun="check-in"`, `listed_by="/checkin list"`).
    """
    query = select(Schedule).where(Schedule.id == schedule_id, Schedule.project_id == project.id)
    if kind is not None:
        query = query.where(Schedule.kind == kind)
    schedule = session.exec(query.with_for_update() if lock else query).first()
    if schedule is None:
        hint = f" `{listed_by}` shows them." if listed_by else ""
        raise NotFound(f"There is no {noun} {schedule_id} in this project.{hint}")
    return schedule


def cancel_schedule(*, session: Session, schedule: Schedule, noun: str = "schedule") -> Schedule:
    if schedule.cancelled:
        raise InvalidInput(f"{_named(noun, schedule)} is already cancelled.")
    schedule.cancelled = True
    session.add(schedule)
    return schedule


def pause_schedule(*, session: Session, schedule: Schedule, noun: str = "schedule") -> Schedule:
    _refuse_cancelled(schedule, noun)
    if schedule.paused:
        raise InvalidInput(f"{_named(noun, schedule)} is already paused.")
    schedule.paused = True
    session.add(schedule)
    return schedule


def resume_schedule(*, session: Session, schedule: Schedule, noun: str = "schedule") -> Schedule:
    _refuse_cancelled(schedule, noun)
    if not schedule.paused:
        raise InvalidInput(f"{_named(noun, schedule)} is not paused: it is already running.")
    schedule.paused = False
    session.add(schedule)
    return schedule


def pause_channel_schedules(*, session: Session, team_id: str, channel_id: str) -> list[Schedule]:
    """Pause what runs in a channel Slack says is gone, so it stops failing; returns those paused.

    Used on `not_in_channel`, `channel_not_found` and `is_archived`; a lead
    resumes them once the channel is back.
    """
    query = (
        select(Schedule)
        .join(Project, col(Project.id) == col(Schedule.project_id))
        .where(
            Project.team_id == team_id,
            Project.channel_id == channel_id,
            col(Schedule.cancelled).is_(False),
            col(Schedule.paused).is_(False),
        )
        .order_by(col(Schedule.id))
    )
    paused = list(session.exec(query))
    for schedule in paused:
        schedule.paused = True
        session.add(schedule)
    return paused


def spec_of(schedule: Schedule) -> ScheduleSpec:
    return parse_schedule(schedule.spec)


def anchor_of(schedule: Schedule, project: Project) -> date:
    """The local day the schedule was made: a fortnightly one counts its weeks from there."""
    return schedule.created_at.astimezone(ZoneInfo(project.timezone)).date()


def next_run_of(schedule: Schedule, project: Project, *, after: datetime) -> datetime | None:
    """When the schedule next runs after `after`: None when paused, cancelled or all run."""
    if schedule.paused or schedule.cancelled:
        return None
    return next_run(
        spec_of(schedule),
        after=after,
        timezone=project.timezone,
        calendar=project.calendar,
        anchor=anchor_of(schedule, project),
    )


def latest_run_of(
    schedule: Schedule, project: Project, *, at_or_before: datetime
) -> datetime | None:
    """The schedule's latest run at or before the instant: which run a late job is doing."""
    return latest_run(
        spec_of(schedule),
        at_or_before=at_or_before,
        timezone=project.timezone,
        calendar=project.calendar,
        anchor=anchor_of(schedule, project),
    )


def _refuse_cancelled(schedule: Schedule, noun: str) -> None:
    if schedule.cancelled:
        raise InvalidInput(f"{_named(noun, schedule)} is cancelled; schedule a new one instead.")


def _named(noun: str, schedule: Schedule) -> str:
    """The noun capitalised to start a sentence, with the id: "Check-in 7"."""
    return f"{noun[:1].upper()}{noun[1:]} {schedule.id}"


def pause_team_schedules(*, session: Session, team_id: str) -> list[Schedule]:
    """Pause everything a workspace runs when Slack refuses changebot's token there."""
    query = (
        select(Schedule)
        .join(Project, col(Project.id) == col(Schedule.project_id))
        .where(
            Project.team_id == team_id,
            col(Schedule.cancelled).is_(False),
            col(Schedule.paused).is_(False),
        )
    )
    paused = list(session.exec(query))
    for schedule in paused:
        schedule.paused = True
        session.add(schedule)
    return paused


def replace_schedule(
    *,
    session: Session,
    project: Project,
    kind: ScheduleKind,
    spec: ScheduleSpec,
    by: str,
    noun: str,
    clock: Clock = utcnow,
) -> tuple[Schedule, list[Schedule]]:
    """A project's one schedule of `kind` (its digest, its reminders), on a new spec.

    Returns the new schedule and the ones it replaces, which are cancelled.
    """
    replaced = cancel_all(session=session, project=project, kind=kind, noun=noun)
    created = create_schedule(
        session=session, project=project, kind=kind, spec=spec, by=by, clock=clock
    )
    return created, replaced


def cancel_all(
    *, session: Session, project: Project, kind: ScheduleKind, noun: str
) -> list[Schedule]:
    """Cancel every running schedule of `kind` in the project; returns them."""
    running = schedules_of(session=session, project=project, kind=kind)
    for schedule in running:
        cancel_schedule(session=session, schedule=schedule, noun=noun)
    return running
