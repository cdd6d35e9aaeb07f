"""`/plan`: the project overview and its settings."""

from __future__ import annotations

from functools import partial
from zoneinfo import ZoneInfo

from bot.listeners.context import Turn
from bot.listeners.payloads import modal_metadata
from bot.listeners.surfaces import CommandHandler, Later, OpenModal, Reply
from bot.parsing.plan import (
    PLAN,
    ExportRecord,
    OpenSettings,
    PartnershipReport,
    PlanRequest,
    ScheduleDigest,
    SetLead,
    SetNeed,
    SetRole,
    SetSignoff,
    ShowOverview,
    StopDigest,
    parse_plan,
)
from bot.posts import exports
from bot.services import (
    evaluation,
    export,
    momentum,
    overview,
    partners,
    projects,
    schedules,
    stages,
)
from bot.views import export as export_views
from bot.views import momentum as momentum_views
from bot.views import partnership_report
from bot.views import plan as views
from bot.views import settings as settings_views
from bot.views.message import Message, Upload


def handle_plan(turn: Turn, request: PlanRequest) -> Reply:
    session, project, user = turn.session, turn.project, turn.caller.user_id
    match request:
        case ShowOverview():
            today = stages.today_in(project, turn.runtime.clock)
            return views.overview(
                overview.overview_of(session=session, project=project, now=turn.now()), today
            )
        case SetNeed(need=need):
            return views.need_set(
                projects.set_need(session=session, project=project, by=user, need=need)
            )
        case SetRole(user_id=partner_id, role=role):
            partner = partners.set_role(
                session=session, project=project, by=user, user_id=partner_id, role=role
            )
            return views.role_set(partner)
        case SetLead(user_id=partner_id, lead=lead):
            partner = partners.set_lead(
                session=session, project=project, by=user, user_id=partner_id, lead=lead
            )
            return views.role_set(partner)
        case OpenSettings():
            projects.require_settings_lead(session=session, project=project, by=user)
            return OpenModal(
                settings_views.settings_form(
                    projects.settings_of(project), modal_metadata(turn.caller)
                )
            )
        case SetSignoff(mode=mode):
            return views.signoff_set(
                projects.set_signoff_mode(session=session, project=project, by=user, mode=mode)
            )
        case ExportRecord():
            events = export.project_record(session=session, project=project, by=user)
            return Later(
                prepare=partial(
                    turn.runtime.names.names_of,
                    turn.client,
                    project.team_id,
                    [event.who for event in events],
                ),
                finish=partial(_send_record, events),
            )
        case PartnershipReport():
            report = evaluation.partnership_report_of(
                session=session,
                project=project,
                by=user,
                today=stages.today_in(project, turn.runtime.clock),
            )
            return Later(
                prepare=lambda: partnership_report.partnership_upload(report), finish=_send_report
            )
        case ScheduleDigest(spec=spec):
            digest, replaced = momentum.start_digest(
                session=session, project=project, by=user, spec=spec, now=turn.now()
            )
            first = schedules.next_run_of(digest, project, after=turn.now())
            return momentum_views.digest_scheduled(
                spec, first, ZoneInfo(project.timezone), replaced=len(replaced)
            )
        case StopDigest():
            stopped = momentum.stop_digest(session=session, project=project, by=user)
            return momentum_views.digest_stopped(len(stopped))
    raise AssertionError(f"unhandled plan request {request!r}")


def _send_record(events: list[export.RecordEvent], turn: Turn, names: dict[str, str]) -> Message:
    """The record's file, with the names looked up outside the first transaction."""
    project = turn.project
    upload = export_views.record_upload(
        project.name, events, timezone=project.timezone, names=names
    )
    exports.send_record(
        turn.session,
        project,
        to=turn.caller.user_id,
        upload=upload,
        request_id=turn.caller.request_id,
    )
    return views.export_on_its_way()


def _send_report(turn: Turn, upload: Upload) -> Message:
    """The PDF, drawn outside the transaction, goes to the lead privately."""
    exports.send_partnership_report(
        turn.session,
        turn.project,
        to=turn.caller.user_id,
        upload=upload,
        request_id=turn.caller.request_id,
    )
    return views.report_on_its_way()


COMMAND: CommandHandler[PlanRequest] = CommandHandler(
    forms=PLAN, parse=parse_plan, handle=handle_plan
)
