"""What button and modal listeners share: who is acting, where, and how refusals look.

A button press carries its channel; a modal does not, so every modal changebot
opens records its project's channel in `private_metadata` (see
`modal_metadata`) and reads it back here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond
from sqlmodel import Session

from bot.errors import ChangebotError
from bot.runtime import Runtime
from bot.services.projects import Caller, project_for
from bot.views import replies
from bot.views.message import Message
from storage.models import Project

# The block that shows a modal-wide error when an error names no field.
GENERAL_ERROR_BLOCK = "general"


def caller_of_action(body: dict[str, Any]) -> Caller:
    """The person pressing a button, and the channel of the message it is on."""
    channel = body.get("channel") or {}
    container = body.get("container") or {}
    return Caller(
        team_id=(body.get("team") or {}).get("id") or body.get("user", {}).get("team_id", ""),
        channel_id=channel.get("id") or container.get("channel_id", ""),
        user_id=body["user"]["id"],
        channel_name=channel.get("name", ""),
    )


def modal_metadata(caller: Caller, **extra: Any) -> str:
    """`private_metadata` for a modal opened for `caller`'s project (under Slack's 3,000)."""
    return json.dumps({"team": caller.team_id, "channel": caller.channel_id, **extra})


def caller_of_submission(body: dict[str, Any]) -> tuple[Caller, dict[str, Any]]:
    """The person submitting a modal, its project's channel, and the rest of its metadata."""
    metadata = json.loads(body["view"].get("private_metadata") or "{}")
    caller = Caller(
        team_id=metadata.pop("team", None) or body["team"]["id"],
        channel_id=metadata.pop("channel", ""),
        user_id=body["user"]["id"],
    )
    return caller, metadata


def act(runtime: Runtime, respond: Respond, work: Callable[[Session], Message]) -> None:
    """Do a button's work in one transaction and tell the presser the outcome privately.

    A domain error rolls the work back and is explained; anything else
    propagates to the app's error handler, which logs it and apologises.
    """
    try:
        with runtime.transaction() as session:
            reply = work(session)
    except ChangebotError as error:
        refuse(respond, error)
        return
    respond(response_type="ephemeral", replace_original=False, **reply.payload())


def submit(
    runtime: Runtime,
    ack: Ack,
    caller: Caller,
    work: Callable[[Session, Project], dict[str, Any] | None],
    *,
    fallback: str = GENERAL_ERROR_BLOCK,
) -> None:
    """Do a modal's work in one transaction, in the project it was opened for, and answer it.

    `work` returns the ack's body (an updated view, say), or None to close the
    form. A domain error rolls the work back and keeps the form open with the
    error under its field (or under `fallback`, an input block of the form).
    """
    try:
        with runtime.transaction() as session:
            project = project_for(
                session=session, caller=caller, timezone=runtime.settings.changebot_timezone
            )
            answer = work(session, project)
    except ChangebotError as error:
        ack(**field_errors(error, fallback=fallback))
        return
    ack(**(answer or {}))


def refuse(respond: Respond, error: ChangebotError) -> None:
    """Tell only the person who pressed the button why nothing happened."""
    respond(response_type="ephemeral", replace_original=False, **replies.refusal(error).payload())


def field_errors(error: ChangebotError, *, fallback: str = GENERAL_ERROR_BLOCK) -> dict[str, Any]:
    """A modal's answer that keeps it open with the error under the field it concerns
    (or under the `fallback` input block when the error names none)."""
    return {
        "response_action": "errors",
        "errors": {error.field or fallback: error.message},
    }
