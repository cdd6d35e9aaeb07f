"""The concern forms: raising one (from the shortcut or a reminder) and resolving one.

Each form's opener sits beside its submission, as its builder sits beside its
reader in the views.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlmodel import Session

from bot import forum
from bot.errors import ChangebotError
from bot.listeners.interactions import caller_of_submission, field_errors, modal_metadata, submit
from bot.runtime import Runtime
from bot.services import concerns, principles
from bot.services.concerns import Origin
from bot.services.projects import Caller, project_for
from bot.views import concerns as views
from bot.views import replies
from storage.models import Project


def open_concern_form(
    runtime: Runtime,
    client: WebClient,
    *,
    trigger_id: str,
    caller: Caller,
    chosen: int | None = None,
    thread_ts: str | None = None,
) -> None:
    """The concern form for the caller's project; given a thread, the concern is linked to it."""
    with runtime.transaction() as session:
        project = project_for(
            session=session, caller=caller, timezone=runtime.settings.changebot_timezone
        )
        listed = principles.list_principles(session=session, project=project)
    metadata = modal_metadata(caller, thread=thread_ts) if thread_ts else modal_metadata(caller)
    client.views_open(trigger_id=trigger_id, view=views.raise_form(listed, metadata, chosen=chosen))


def register(app: App, runtime: Runtime) -> None:
    @app.view(views.RAISE_FORM)
    def raise_concern(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        caller, metadata = caller_of_submission(body)
        thread_ts = metadata.get("thread")

        def work(session: Session, project: Project) -> dict[str, Any]:
            form = views.read_raise_form(view["state"]["values"])
            raised = concerns.raise_concern(
                session=session,
                project=project,
                by=caller.user_id,
                number=form.number,
                text=form.text,
                origin=Origin(caller.channel_id, thread_ts) if thread_ts else None,
                clock=runtime.clock,
            )
            forum.post_raised(session, raised)
            outcome = views.concern_posted(raised.concern, to_raiser=True)
            return {
                "response_action": "update",
                "view": replies.finished_form("Concern raised", outcome),
            }

        submit(runtime, ack, caller, work, fallback=views.PRINCIPLE)

    @app.view(views.RESOLVE_FORM)
    def resolve_concern(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        caller, metadata = caller_of_submission(body)
        try:
            with runtime.transaction() as session:
                project, concern = concerns.concern_by_id(
                    session=session,
                    team_id=caller.team_id,
                    concern_id=int(metadata["concern"]),
                    lock=True,
                )
                concerns.resolve_concern(
                    session=session,
                    project=project,
                    concern=concern,
                    by=caller.user_id,
                    note=views.read_resolve_form(view["state"]["values"]),
                    clock=runtime.clock,
                )
                forum.post_status_change(session, project, concern)
        except ChangebotError as error:
            ack(**field_errors(error, fallback=views.NOTE))
            return
        ack()
