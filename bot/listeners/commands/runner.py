"""Running a slash command: parse, act in one transaction, reply ephemerally, on time.

Slack wants an ack within 3 seconds. The work runs on a small pool; when it
finishes within `ACK_DEADLINE` its reply travels in the ack itself (one round
trip, the common case), otherwise the command is acked empty at once and the
reply follows through the `response_url`. Either way the ack is never late,
whatever the database or the Web API is doing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from bot.errors import ChangebotError
from bot.parsing.forms import CommandForms, ShowHelp
from bot.runtime import Runtime
from bot.services.projects import Caller, project_for
from bot.views import replies
from bot.views.message import Message
from storage.models import Project

log = logging.getLogger(__name__)

ACK_DEADLINE = 2.0
Request = TypeVar("Request")


@dataclass(frozen=True)
class CommandContext:
    """What a command handler works with: one session, the project, who is calling."""

    session: Session
    project: Project
    caller: Caller
    runtime: Runtime
    # The request's Web API client, for reads a reply needs (a permalink); posts go
    # through the outbox.
    client: WebClient

    def now(self) -> datetime:
        return self.runtime.clock()


@dataclass(frozen=True)
class OpenModal:
    """A command's answer that is a form to fill in rather than a message."""

    view: dict[str, Any]


Reply = Message | OpenModal


@dataclass(frozen=True)
class CommandHandler(Generic[Request]):
    """One slash command: its forms (for help), its parser and what it does."""

    forms: CommandForms
    parse: Callable[[str], Request | ShowHelp]
    handle: Callable[[CommandContext, Request], Reply]


def ephemeral(message: Message) -> dict[str, Any]:
    return {"response_type": "ephemeral", **message.payload()}


class CommandRunner:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    def listener(self, handler: CommandHandler[Any]) -> Callable[..., None]:
        def on_command(
            ack: Ack, respond: Respond, client: WebClient, command: dict[str, Any]
        ) -> None:
            try:
                request = handler.parse(command.get("text") or "")
            except ChangebotError as error:
                ack(**ephemeral(replies.refusal(error)))
                return
            if isinstance(request, ShowHelp):
                ack(**ephemeral(replies.usage(handler.forms.usage())))
                return
            caller = Caller(
                team_id=command["team_id"],
                channel_id=command["channel_id"],
                user_id=command["user_id"],
                channel_name=command.get("channel_name") or "",
            )
            work = self._runtime.command_pool.submit(self._run, handler, caller, request, client)
            self._reply(ack, respond, work, opener=_modal_opener(client, command))

        on_command.__name__ = f"on_{handler.forms.command.lstrip('/')}_command"
        return on_command

    def _reply(
        self,
        ack: Ack,
        respond: Respond,
        work: Future[Reply],
        *,
        opener: Callable[[OpenModal], None],
    ) -> None:
        try:
            reply = work.result(timeout=ACK_DEADLINE)
        except FutureTimeout:
            ack()
            work.add_done_callback(lambda done: _deliver_late(done.result(), respond, opener))
            return
        if isinstance(reply, OpenModal):
            ack()
            opener(reply)
        else:
            ack(**ephemeral(reply))

    def _run(
        self, handler: CommandHandler[Any], caller: Caller, request: Any, client: WebClient
    ) -> Reply:
        """The command's unit of work; a refusal or a failure rolls everything back."""
        try:
            with self._runtime.transaction() as session:
                project = project_for(
                    session=session,
                    caller=caller,
                    timezone=self._runtime.settings.changebot_timezone,
                )
                context = CommandContext(session, project, caller, self._runtime, client)
                return handler.handle(context, request)
        except ChangebotError as error:
            return replies.refusal(error)
        except Exception:
            log.exception(
                "%s failed for %s in %s", handler.forms.command, caller.user_id, caller.channel_id
            )
            return replies.failure()


def _modal_opener(client: WebClient, command: dict[str, Any]) -> Callable[[OpenModal], None]:
    """Open a modal on the command's trigger (valid for 3 seconds after the command)."""
    trigger_id = command.get("trigger_id", "")

    def open_modal(reply: OpenModal) -> None:
        client.views_open(trigger_id=trigger_id, view=reply.view)

    return open_modal


def _deliver_late(reply: Reply, respond: Respond, opener: Callable[[OpenModal], None]) -> None:
    if isinstance(reply, OpenModal):
        opener(reply)
    else:
        respond(**ephemeral(reply))
