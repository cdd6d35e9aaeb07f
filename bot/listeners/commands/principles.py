"""`/principles`: the agreed principles, agreement to them, their reminders and their edit form."""

from __future__ import annotations

from functools import partial

from bot import jobs
from bot.listeners.commands.runner import CommandContext, CommandHandler, OpenModal, Reply
from bot.listeners.interactions import modal_metadata
from bot.parsing.principles import (
    PRINCIPLES,
    AgreePrinciples,
    EditPrinciples,
    PrinciplesRequest,
    ShowPrinciples,
    StartReminders,
    StopReminders,
    parse_principles,
)
from bot.runtime import after_commit
from bot.services import principles, projects
from bot.views import principles as views
from storage.models import Schedule


def handle_principles(ctx: CommandContext, request: PrinciplesRequest) -> Reply:
    session, project, user = ctx.session, ctx.project, ctx.caller.user_id
    match request:
        case ShowPrinciples():
            return views.principle_list(
                principles.list_principles(session=session, project=project),
                principles.agreed_by(session=session, project=project),
                caller=user,
            )
        case AgreePrinciples():
            new = principles.agree(session=session, project=project, by=user, clock=ctx.now)
            return views.agreement_recorded(new=new)
        case EditPrinciples():
            projects.require_lead(
                session=session, project=project, user_id=user, action="edit the principles"
            )
            current = principles.list_principles(session=session, project=project)
            return OpenModal(views.edit_form(current, modal_metadata(ctx.caller)))
        case StartReminders(spec=spec):
            reminder, replaced = principles.start_reminders(
                session=session, project=project, by=user, spec=spec, now=ctx.now()
            )
            _sync_after_commit(ctx, [*replaced, reminder])
            return views.reminder_scheduled(spec.describe(), replaced=len(replaced))
        case StopReminders():
            stopped = principles.stop_reminders(session=session, project=project, by=user)
            _sync_after_commit(ctx, stopped)
            return views.reminders_stopped(len(stopped))
    raise AssertionError(f"unhandled principles request {request!r}")


def _sync_after_commit(ctx: CommandContext, changed: list[Schedule]) -> None:
    """Jobs follow their schedules' rows, so they change only once the rows have committed."""
    runtime, project = ctx.runtime, ctx.project
    for schedule in changed:
        after_commit(ctx.session, partial(jobs.sync_schedule, runtime, schedule, project))


PRINCIPLES_COMMAND: CommandHandler[PrinciplesRequest] = CommandHandler(
    forms=PRINCIPLES, parse=parse_principles, handle=handle_principles
)
