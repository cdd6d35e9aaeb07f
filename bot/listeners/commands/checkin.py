"""`/checkin`: measures, scheduled evaluation check-ins and the impact report."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot import jobs
from bot.delivery import enqueue
from bot.listeners.commands.runner import CommandContext, CommandHandler
from bot.parsing.checkin import (
    CHECKIN,
    AddMeasure,
    ChangeCheckin,
    CheckinRequest,
    ListCheckins,
    Report,
    ScheduleCheckin,
    parse_checkin,
)
from bot.runtime import after_commit
from bot.services import checkins, schedules
from bot.views import checkins as views
from bot.views import reports
from bot.views.checkins import Upcoming
from bot.views.message import Message
from storage.models import Schedule


def handle_checkin(ctx: CommandContext, request: CheckinRequest) -> Message:
    session, project, user = ctx.session, ctx.project, ctx.caller.user_id
    zone = ZoneInfo(project.timezone)
    match request:
        case AddMeasure(name=name, unit=unit, target=target, higher_is_better=higher):
            measure = checkins.add_measure(
                session=session,
                project=project,
                by=user,
                name=name,
                unit=unit,
                target=target,
                higher_is_better=higher,
            )
            return views.measure_added(measure)
        case ListCheckins():
            upcoming = [
                _upcoming(ctx, s) for s in checkins.checkins_of(session=session, project=project)
            ]
            return views.checkin_list(
                checkins.measures_of(session=session, project=project), upcoming, zone
            )
        case ScheduleCheckin(spec=spec, title=title):
            schedule = checkins.schedule_checkin(
                session=session, project=project, by=user, spec=spec, title=title, clock=ctx.now
            )
            return views.checkin_scheduled(_synced(ctx, schedule), zone)
        case ChangeCheckin(action=action, schedule_id=schedule_id):
            schedule = checkins.change_checkin(
                session=session, project=project, by=user, schedule_id=schedule_id, action=action
            )
            return views.checkin_changed(_synced(ctx, schedule), action, zone)
        case Report():
            return _share_report(ctx)
    raise AssertionError(f"unhandled checkin request {request!r}")


def _share_report(ctx: CommandContext) -> Message:
    """The report in the channel: its summary, then each measure's chart with its figures."""
    session, project = ctx.session, ctx.project
    report = checkins.report_of(session=session, project=project)
    if report.empty:
        return reports.no_report()
    key = f"checkin-report:{project.id}:{ctx.now():%Y%m%dT%H%M%S%f}"
    where = {"team_id": project.team_id, "channel_id": project.channel_id}
    enqueue(session, key=key, message=reports.report_summary(report), **where)
    charted = [series for series in report.series if series.points]
    for series in charted:
        chart = reports.chart_upload(series)
        enqueue(session, key=f"{key}:{series.measure.id}", message=chart, **where)
    return reports.report_shared(len(charted))


def _upcoming(ctx: CommandContext, schedule: Schedule) -> Upcoming:
    return Upcoming(schedule, schedules.next_run_of(schedule, ctx.project, after=ctx.now()))


def _synced(ctx: CommandContext, schedule: Schedule) -> Upcoming:
    """The schedule's job follows its row once the change commits."""
    runtime, project = ctx.runtime, ctx.project
    after_commit(ctx.session, lambda: jobs.sync_schedule(runtime, schedule, project))
    return _upcoming(ctx, schedule)


CHECKIN_COMMAND: CommandHandler[CheckinRequest] = CommandHandler(
    forms=CHECKIN, parse=parse_checkin, handle=handle_checkin
)
