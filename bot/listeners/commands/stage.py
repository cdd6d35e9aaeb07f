"""`/stage`: the action plan's stages."""

from __future__ import annotations

from bot.listeners.context import Turn
from bot.listeners.surfaces import CommandHandler, Reply
from bot.parsing.stage import (
    STAGE,
    AddStage,
    CompleteStage,
    ListStages,
    ReopenStage,
    StageRequest,
    StartStage,
    parse_stage,
)
from bot.posts.celebrations import announce_completion
from bot.services import stages
from bot.views import stages as views


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
            reopened = stages.reopen_stage(session=session, project=project, number=number, by=user)
            return views.stage_reopened(reopened)
    raise AssertionError(f"unhandled stage request {request!r}")


COMMAND: CommandHandler[StageRequest] = CommandHandler(
    forms=STAGE, parse=parse_stage, handle=handle_stage
)
