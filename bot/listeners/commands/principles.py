"""`/principles`: the agreed principles, agreement to them, their reminders and their edit form."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.listeners.context import Turn
from bot.listeners.payloads import modal_metadata
from bot.listeners.surfaces import CommandHandler, OpenModal, Reply
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
from bot.services import principles, schedules
from bot.views import principles as views


def handle_principles(turn: Turn, request: PrinciplesRequest) -> Reply:
    session, project, user = turn.session, turn.project, turn.caller.user_id
    match request:
        case ShowPrinciples():
            return views.principle_list(
                principles.list_principles(session=session, project=project),
                principles.agreed_by(session=session, project=project),
                caller=user,
            )
        case AgreePrinciples():
            new = principles.agree(session=session, project=project, by=user, clock=turn.now)
            return views.agreement_recorded(new=new)
        case EditPrinciples():
            current = principles.principles_to_edit(session=session, project=project, by=user)
            return OpenModal(views.edit_form(current, modal_metadata(turn.caller)))
        case StartReminders(spec=spec):
            reminder, replaced = principles.start_reminders(
                session=session, project=project, by=user, spec=spec, now=turn.now()
            )
            first = schedules.next_run_of(reminder, project, after=turn.now())
            return views.reminder_scheduled(
                spec, first, ZoneInfo(project.timezone), replaced=len(replaced)
            )
        case StopReminders():
            stopped = principles.stop_reminders(session=session, project=project, by=user)
            return views.reminders_stopped(len(stopped))
    raise AssertionError(f"unhandled principles request {request!r}")


COMMAND: CommandHandler[PrinciplesRequest] = CommandHandler(
    forms=PRINCIPLES, parse=parse_principles, handle=handle_principles
)
