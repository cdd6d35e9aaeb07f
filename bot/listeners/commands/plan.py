"""`/plan`: the project overview and its settings."""

from __future__ import annotations

from bot import jobs
from bot.delivery import enqueue
from bot.listeners.commands.runner import CommandContext, CommandHandler
from bot.parsing.plan import (
    PLAN,
    ExportRecord,
    PlanRequest,
    ScheduleDigest,
    SetNeed,
    SetRole,
    SetSignoff,
    ShowOverview,
    StopDigest,
    parse_plan,
)
from bot.runtime import after_commit
from bot.services import export, momentum, overview, projects, stages
from bot.views import export as export_views
from bot.views import momentum as momentum_views
from bot.views import plan as views
from bot.views.message import Message
from storage.models import Schedule


def handle_plan(ctx: CommandContext, request: PlanRequest) -> Message:
    session, project, user = ctx.session, ctx.project, ctx.caller.user_id
    match request:
        case ShowOverview():
            today = stages.today_in(project, ctx.runtime.clock)
            return views.overview(
                overview.overview_of(session=session, project=project, now=ctx.now()), today
            )
        case SetNeed(need=need):
            return views.need_set(
                projects.set_need(session=session, project=project, by=user, need=need)
            )
        case SetRole(user_id=partner_id, role=role):
            partner = projects.set_role(
                session=session, project=project, by=user, user_id=partner_id, role=role
            )
            return views.role_set(partner)
        case SetSignoff(mode=mode):
            return views.signoff_set(
                projects.set_signoff_mode(session=session, project=project, by=user, mode=mode)
            )
        case ExportRecord():
            return _export(ctx)
        case ScheduleDigest(spec=spec):
            digest, replaced = momentum.start_digest(
                session=session, project=project, by=user, spec=spec, now=ctx.now()
            )
            for schedule in (*replaced, digest):
                _sync_after_commit(ctx, schedule)
            return momentum_views.digest_scheduled(spec.describe(), len(replaced))
        case StopDigest():
            stopped = momentum.stop_digest(session=session, project=project, by=user)
            for schedule in stopped:
                _sync_after_commit(ctx, schedule)
            return momentum_views.digest_stopped(len(stopped))
    raise AssertionError(f"unhandled plan request {request!r}")


def _sync_after_commit(ctx: CommandContext, schedule: Schedule) -> None:
    runtime, project = ctx.runtime, ctx.project
    after_commit(ctx.session, lambda: jobs.sync_schedule(runtime, schedule, project))


def _export(ctx: CommandContext) -> Message:
    project, user = ctx.project, ctx.caller.user_id
    events = export.project_record(session=ctx.session, project=project, by=user)
    enqueue(
        ctx.session,
        key=f"export:{project.id}:{user}:{ctx.now():%Y%m%dT%H%M%S%f}",
        team_id=project.team_id,
        channel_id=user,
        message=export_views.record_upload(project.name, events, timezone=project.timezone),
    )
    return views.export_on_its_way()


PLAN_COMMAND: CommandHandler[PlanRequest] = CommandHandler(
    forms=PLAN, parse=parse_plan, handle=handle_plan
)
