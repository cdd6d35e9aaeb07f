"""The Confirm button of a stage waiting for joint management-union sign-off."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from sqlmodel import Session

from bot.announce import announce_completion
from bot.listeners.interactions import act, caller_of_action
from bot.runtime import Runtime
from bot.services import stages
from bot.services.projects import project_for
from bot.views.message import Message
from bot.views.stages import CONFIRM_SIGNOFF


def register(app: App, runtime: Runtime) -> None:
    @app.action(CONFIRM_SIGNOFF)
    def confirm_signoff(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond
    ) -> None:
        ack()
        caller = caller_of_action(body)
        stage_id, _, round_ = str(action.get("value", "")).partition(":")

        def confirm(session: Session) -> Message:
            project = project_for(
                session=session, caller=caller, timezone=runtime.settings.changebot_timezone
            )
            result = stages.confirm_signoff(
                session=session,
                project=project,
                stage_id=int(stage_id),
                round_=int(round_),
                by=caller.user_id,
                clock=runtime.clock,
            )
            return announce_completion(session, result)

        act(runtime, respond, confirm)
