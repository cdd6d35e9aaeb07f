"""`/stage`: the action plan's stages."""

from __future__ import annotations

from bot.listeners.context import Turn
from bot.listeners.surfaces import CommandHandler, Reply
from bot.parsing.stage import (
    STAGE,
    AddStage,
    CompleteStage,
    ListStages,
    MoveStage,
    RemoveStage,
    ReopenStage,
    RetitleStage,
    SetStageDue,
    SetStageOwner,
    StageRequest,
    StartStage,
    parse_stage,
)
from bot.posts.celebrations import announce_completion, announce_reopening
from bot.services import stages
from bot.views import stages as views
from storage.models import Stage


def handle_stage(turn: Turn, request: StageRequest) -> Reply:
    session, project, user = turn.session, turn.project, turn.caller.user_id
    today = stages.today_in(project, turn.runtime.clock)
    match request:
        case AddStage(title=title, due_on=due_on, owner_id=owner_id):
            stage = stages.add_stage(
                session=session,
                project=project,
                by=user,
                title=title,
                due_on=due_on,
                owner_id=owner_id,
            )
            return views.stage_added(stage, today)
        case ListStages():
            found = stages.list_stages(session=session, project=project)
            return views.stage_list(
                found, stages.progress_of(session=session, project=project), today
            )
        case StartStage(number=number):
            started = stages.start_stage(
                session=session, project=project, number=number, by=user, clock=turn.runtime.clock
            )
            return views.stage_started(started)
        case CompleteStage(number=number, outcome=outcome):
            result = stages.complete_stage(
                session=session,
                project=project,
                number=number,
                by=user,
                outcome=outcome,
                clock=turn.runtime.clock,
            )
            return announce_completion(session, result)
        case ReopenStage(number=number):
            reopened = stages.reopen_stage(
                session=session, project=project, number=number, by=user, clock=turn.runtime.clock
            )
            announce_reopening(session, project, reopened, by=user)
            return views.stage_reopened(reopened)
        case RetitleStage() | SetStageDue() | SetStageOwner():
            return views.stage_edited(_edit(turn, request), today)
        case MoveStage(number=number, to=to):
            moved = stages.move_stage(
                session=session, project=project, number=number, to=to, by=user
            )
            return views.stage_moved(
                moved, stages.list_stages(session=session, project=project), today
            )
        case RemoveStage(number=number):
            stage = stages.check_removal(session=session, project=project, number=number, by=user)
            return views.removal_question(stage)
    raise AssertionError(f"unhandled stage request {request!r}")


def _edit(turn: Turn, request: RetitleStage | SetStageDue | SetStageOwner) -> Stage:
    session, project, user = turn.session, turn.project, turn.caller.user_id
    match request:
        case RetitleStage(number=number, title=title):
            return stages.retitle_stage(
                session=session, project=project, number=number, by=user, title=title
            )
        case SetStageDue(number=number, due_on=due_on):
            return stages.set_stage_due(
                session=session, project=project, number=number, by=user, due_on=due_on
            )
        case SetStageOwner(number=number, owner_id=owner_id):
            return stages.set_stage_owner(
                session=session, project=project, number=number, by=user, owner_id=owner_id
            )
    raise AssertionError(f"unhandled stage edit {request!r}")


COMMAND: CommandHandler[StageRequest] = CommandHandler(
    forms=STAGE, parse=parse_stage, handle=handle_stage
)
