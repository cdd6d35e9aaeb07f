"""`/checkin`: measures, scheduled evaluation check-ins and the impact report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.listeners.context import Turn
from bot.listeners.payloads import modal_metadata
from bot.listeners.surfaces import CommandHandler, Later, OpenModal, Reply
from bot.parsing.checkin import (
    CHECKIN,
    AddMeasure,
    ChangeCheckin,
    CheckinRequest,
    ListCheckins,
    ListMeasures,
    MeasureRequest,
    PasteData,
    RebaseMeasure,
    RemoveMeasure,
    Report,
    ScheduleCheckin,
    parse_checkin,
)
from bot.posts import checkins as posts
from bot.services import checkins, evaluation, measures
from bot.services.evaluation import EvaluationReport
from bot.views import checkins as views
from bot.views import measures as measure_views
from bot.views import reports
from bot.views.message import Message, Upload


def handle_checkin(turn: Turn, request: CheckinRequest) -> Reply:
    session, project, user = turn.session, turn.project, turn.caller.user_id
    zone = ZoneInfo(project.timezone)
    match request:
        case AddMeasure() | ListMeasures() | PasteData() | RebaseMeasure() | RemoveMeasure():
            return _handle_measure(turn, request)
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
            report = evaluation.report_of(session=session, project=project)
            if report.empty:
                return reports.no_report()
            return Later(prepare=lambda: _files(report), finish=_share(report))
    raise AssertionError(f"unhandled checkin request {request!r}")


def _handle_measure(turn: Turn, request: MeasureRequest) -> Reply:
    session, project, user = turn.session, turn.project, turn.caller.user_id
    match request:
        case AddMeasure(name=name, unit=unit, target=target, direction=direction):
            measure = measures.add_measure(
                session=session,
                project=project,
                by=user,
                name=name,
                unit=unit,
                target=target,
                direction=direction,
            )
            return views.measure_added(measure)
        case ListMeasures():
            return measure_views.measure_list(measures.series_of(session=session, project=project))
        case PasteData(name=name):
            measure = measures.measure_for_lead(
                session=session, project=project, by=user, name=name, action="add a measure's data"
            )
            metadata = modal_metadata(turn.caller, measure=measure.id)
            return OpenModal(measure_views.data_form(measure, metadata))
        case RebaseMeasure(name=name, on=on):
            return measure_views.rebased(
                measures.rebase_measure(session=session, project=project, by=user, name=name, on=on)
            )
        case RemoveMeasure(name=name):
            measure = measures.measure_for_lead(
                session=session, project=project, by=user, name=name, action="remove measures"
            )
            return measure_views.confirm_removal(measure)
    raise AssertionError(f"unhandled measure request {request!r}")


@dataclass(frozen=True)
class _Files:
    charts: list[tuple[int, Upload]]
    table: Upload | None


def _files(report: EvaluationReport) -> _Files:
    """Each measure's chart and `measures.csv`, made outside any transaction: drawing is slow."""
    judged = [(series, series.chart()) for series in report.series if series.observations]
    charts = [
        (series.measure.id or 0, reports.chart_upload(series, chart, report.completed))
        for series, chart in judged
    ]
    return _Files(charts, reports.csv_upload(judged) if judged else None)


def _share(report: EvaluationReport) -> Callable[[Turn, _Files], Message]:
    def share(turn: Turn, files: _Files) -> Message:
        summary = reports.report_summary(report)
        posts.share_report(
            turn.session,
            turn.project,
            summary,
            files.charts,
            files.table,
            request_id=turn.caller.request_id,
        )
        return reports.report_shared(len(files.charts))

    return share


COMMAND: CommandHandler[CheckinRequest] = CommandHandler(
    forms=CHECKIN, parse=parse_checkin, handle=handle_checkin
)
