"""`/checkin`: measures, scheduled evaluation check-ins and the impact report."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from bot.listeners.context import Turn
from bot.listeners.surfaces import CommandHandler, Later, Reply
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
from bot.posts import checkins as posts
from bot.services import checkins
from bot.services.checkins import EvaluationReport
from bot.views import checkins as views
from bot.views import reports
from bot.views.message import Message, Upload


def handle_checkin(turn: Turn, request: CheckinRequest) -> Reply:
    session, project, user = turn.session, turn.project, turn.caller.user_id
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
            return views.checkin_list(
                checkins.measures_of(session=session, project=project),
                checkins.upcoming_checkins(session=session, project=project, now=turn.now()),
                zone,
            )
        case ScheduleCheckin(spec=spec, title=title):
            schedule = checkins.schedule_checkin(
                session=session, project=project, by=user, spec=spec, title=title, clock=turn.now
            )
            return views.checkin_scheduled(
                checkins.upcoming(schedule, project, now=turn.now()), zone
            )
        case ChangeCheckin(action=action, schedule_id=schedule_id):
            schedule = checkins.change_checkin(
                session=session, project=project, by=user, schedule_id=schedule_id, action=action
            )
            changed = checkins.upcoming(schedule, project, now=turn.now())
            return views.checkin_changed(changed, action, zone)
        case Report():
            report = checkins.report_of(session=session, project=project)
            if report.empty:
                return reports.no_report()
            return Later(prepare=lambda: _charts(report), finish=_share(report))
    raise AssertionError(f"unhandled checkin request {request!r}")


def _charts(report: EvaluationReport) -> list[tuple[int, Upload]]:
    """Each measure's chart, drawn outside any transaction: drawing is slow."""
    return [
        (series.measure.id or 0, reports.chart_upload(series))
        for series in report.series
        if series.points
    ]


def _share(report: EvaluationReport) -> Callable[[Turn, list[tuple[int, Upload]]], Message]:
    def share(turn: Turn, charts: list[tuple[int, Upload]]) -> Message:
        summary = reports.report_summary(report)
        posts.share_report(
            turn.session, turn.project, summary, charts, request_id=turn.caller.request_id
        )
        return reports.report_shared(len(charts))

    return share


COMMAND: CommandHandler[CheckinRequest] = CommandHandler(
    forms=CHECKIN, parse=parse_checkin, handle=handle_checkin
)
