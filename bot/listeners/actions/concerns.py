"""The buttons on a concern's card (Acknowledge, Resolve, Withdraw) and on a principle reminder.

A card's buttons name the concern by id; its project is the concern's, not
the channel's, as the forum channel need not be the project's channel.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from bot import forum
from bot.errors import ChangebotError
from bot.listeners.interactions import act, caller_of_action, modal_metadata, refuse
from bot.listeners.submissions.concerns import open_concern_form
from bot.runtime import Runtime
from bot.services import concerns
from bot.services.projects import Caller
from bot.views import concerns as views
from bot.views.message import Message
from bot.views.principles import RAISE_FROM_REMINDER
from storage.models import Concern, Project


def register(app: App, runtime: Runtime) -> None:
    @app.action(views.ACKNOWLEDGE)
    def acknowledge(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond
    ) -> None:
        ack()
        caller = caller_of_action(body)

        def work(session: Session) -> Message:
            project, concern = _concern(session, caller, action)
            concerns.acknowledge_concern(
                session=session,
                project=project,
                concern=concern,
                by=caller.user_id,
                clock=runtime.clock,
            )
            forum.post_status_change(session, project, concern)
            return views.status_recorded(concern)

        act(runtime, respond, work)

    @app.action(views.WITHDRAW)
    def withdraw(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        caller = caller_of_action(body)

        def work(session: Session) -> Message:
            project, concern = _concern(session, caller, action)
            concerns.withdraw_concern(
                session=session, concern=concern, by=caller.user_id, clock=runtime.clock
            )
            forum.post_status_change(session, project, concern)
            return views.status_recorded(concern)

        act(runtime, respond, work)

    @app.action(views.RESOLVE)
    def open_resolution_form(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        """Check who is resolving before the form opens, so nobody writes a note for nothing."""
        ack()
        caller = caller_of_action(body)
        try:
            with runtime.transaction() as session:
                project, concern = _concern(session, caller, action)
                concerns.require_resolvable(
                    session=session, project=project, concern=concern, by=caller.user_id
                )
        except ChangebotError as error:
            refuse(respond, error)
            return
        metadata = modal_metadata(caller, concern=concern.id)
        client.views_open(trigger_id=body["trigger_id"], view=views.resolve_form(concern, metadata))

    @app.action(RAISE_FROM_REMINDER)
    def raise_from_reminder(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        """The reminder's button: the concern form, with the reminder's principle chosen."""
        ack()
        open_concern_form(
            runtime,
            client,
            trigger_id=body["trigger_id"],
            caller=caller_of_action(body),
            chosen=int(action["value"]),
        )


def _concern(session: Session, caller: Caller, action: dict[str, Any]) -> tuple[Project, Concern]:
    return concerns.concern_by_id(
        session=session, team_id=caller.team_id, concern_id=int(action["value"]), lock=True
    )
