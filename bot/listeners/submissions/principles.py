"""The lead's principles form: the new set is saved and the channel asked to agree again."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from sqlmodel import Session

from bot.delivery import enqueue
from bot.listeners.interactions import caller_of_submission, submit
from bot.runtime import Runtime
from bot.services import principles
from bot.views import principles as views
from bot.views import replies
from storage.models import Project


def register(app: App, runtime: Runtime) -> None:
    @app.view(views.EDIT_FORM)
    def save_principles(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        caller, _ = caller_of_submission(body)

        def work(session: Session, project: Project) -> dict[str, Any]:
            drafts = views.read_edit_form(view["state"]["values"])
            edit = principles.edit_principles(
                session=session, project=project, by=caller.user_id, drafts=drafts
            )
            if edit.changed:
                # One announcement per saved form, however often Slack delivers it.
                enqueue(
                    session,
                    key=f"principles:edited:{project.id}:{view['id']}",
                    team_id=project.team_id,
                    channel_id=project.channel_id,
                    message=views.principles_changed(edit, by=caller.user_id),
                )
            outcome = replies.finished_form(views.EDIT_TITLE, views.edit_saved(edit))
            return {"response_action": "update", "view": outcome}

        submit(runtime, ack, caller, work, fallback=views.FIRST_TITLE)
