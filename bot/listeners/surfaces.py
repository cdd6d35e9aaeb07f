"""One way to run a listener's work, per surface Slack reaches changebot by.

Every listener is a module-level function decorated with the surface it
serves. The decorator reads who is acting from the payload, runs the work as
one `Turn` (one transaction: the only place a listener's transaction is
opened) and answers Slack the way that surface needs:

    surface  in time            refused (domain error)  unexpected failure  too slow
    command  reply in the ack   ephemeral refusal       apology in the ack  empty ack; reply later
    button   ephemeral reply    ephemeral refusal       ephemeral apology   (acked at once)
    form     the ack's answer   errors under fields     "nothing saved"     "nothing saved yet"
    event    200                200 (logged)            500: Slack retries  (Slack retries)

A form and an event are each stored once: the request's id (the view's, the
event's) is recorded in the same transaction as the work, so a retry after
a failure does the work, and a retry after a success does nothing.

A replay (the same signed request sent again) is recognised the same way:
the first turn of every request records its signature (bot/services/replays.py)
before the work, and a signature already recorded gets an empty answer and
does nothing. A request refused or failed is rolled back, its signature too,
so its replay is refused or fails again, still changing nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

from slack_bolt import Ack, BoltContext, BoltResponse, Respond
from slack_sdk import WebClient

from bot.errors import ChangebotError
from bot.listeners import failures
from bot.listeners.context import Turn, runtime_of, sighting_of
from bot.listeners.payloads import (
    Press,
    caller_of_action,
    caller_of_command,
    caller_of_event,
    caller_of_submission,
    press_of,
)
from bot.parsing.forms import CommandForms, ShowHelp
from bot.runtime import Runtime
from bot.services import events, replays
from bot.services.projects import Caller
from bot.services.replays import Sighting
from bot.views import replies
from bot.views.message import Message

log = logging.getLogger(__name__)

# Slack wants every ack within 3 seconds; these leave room for the trip back.
ACK_DEADLINE = 2.0
FORM_DEADLINE = 2.0
Json = dict[str, Any]
Request = TypeVar("Request")
T = TypeVar("T")


@dataclass(frozen=True)
class OpenModal:
    """An answer that is a form to fill in rather than a message."""

    view: Json


@dataclass(frozen=True)
class Later(Generic[T]):
    """An answer in two steps: `prepare` runs outside any transaction (drawing charts, say),
    then `finish` gets its result in a new turn and gives the reply."""

    prepare: Callable[[], T]
    finish: Callable[[Turn, T], Message]


# What the person who acted is finally told, or shown.
Answer = Message | OpenModal
Reply = Answer | Later[Any]
# A form's answer: the ack's body (`response_action` and a view), or None to close it.
FormAnswer = Json | None
# What an event's work may leave to do once its transaction has committed (a Web API call).
AfterCommit = Callable[[], None] | None


class _AlreadyDone(Exception):
    """This form or event was stored before: a retry, or a replay."""


class _Replayed(Exception):
    """This very request (its signature) was processed before: it is answered empty."""


class _TooLate(Exception):
    """The person was already told that the form could not be saved in time."""


def answer_turn(
    runtime: Runtime,
    caller: Caller,
    client: WebClient,
    work: Callable[[Turn], Reply],
    *,
    sighting: Sighting | None,
) -> Answer:
    """The work's reply, its `Later` steps done: nothing slow is done inside a transaction."""
    reply = run_turn(runtime, caller, client, work, sighting=sighting)
    while isinstance(reply, Later):
        reply = run_turn(runtime, caller, client, partial(_finish, reply, reply.prepare()))
    return reply


def _finish(later: Later[T], prepared: T, turn: Turn) -> Reply:
    return later.finish(turn, prepared)


def run_turn(
    runtime: Runtime,
    caller: Caller,
    client: WebClient,
    work: Callable[[Turn], T],
    *,
    sighting: Sighting | None = None,
    once: str | None = None,
    given_up: threading.Event | None = None,
) -> T:
    """The work in one transaction; a domain error or a failure rolls all of it back."""
    with runtime.transaction() as session:
        if sighting and not replays.first_sighting(session=session, sighting=sighting):
            raise _Replayed()
        if once and not events.first_delivery(session=session, event_id=once, team_id=None):
            raise _AlreadyDone(once)
        done = work(Turn(session, runtime, caller, client))
        if given_up is not None and given_up.is_set():
            raise _TooLate(once)
        return done


# -- slash commands -----------------------------------------------------------------------


@dataclass(frozen=True)
class CommandHandler(Generic[Request]):
    """One slash command: its forms (for help and usage errors), its parser, what it does."""

    forms: CommandForms
    parse: Callable[[str], Request | ShowHelp]
    handle: Callable[[Turn, Request], Reply]


def command_listener(handlers: Mapping[str, CommandHandler[Any]]) -> Callable[..., None]:
    """One listener for every slash command, which hands each to its handler by name.

    Parse, then do the work on the runtime's pool: its reply travels in the ack when it is
    done within `ACK_DEADLINE`, otherwise the ack goes empty and the reply follows. One
    listener rather than one per command: Bolt tries the listeners' matchers in turn, and
    each matcher tried cost a command as much as a database statement.
    """

    def on_command(
        ack: Ack, respond: Respond, client: WebClient, command: Json, context: BoltContext
    ) -> None:
        handler = handlers[command["command"]]
        text = command.get("text") or ""
        asked = handler.forms.help_for(text)
        if asked is not None:
            ack(**_ephemeral(replies.usage(asked)))
            return
        try:
            request = handler.parse(text)
        except ChangebotError as error:
            ack(**_ephemeral(replies.refusal(error)))
            return
        if isinstance(request, ShowHelp):
            ack(**_ephemeral(replies.usage(handler.forms.usage())))
            return
        runtime = runtime_of(context)
        work = runtime.command_pool.submit(
            answer_turn,
            runtime,
            caller_of_command(command),
            client,
            lambda turn: handler.handle(turn, request),
            sighting=sighting_of(context),
        )
        opener = _modal_opener(client, command.get("trigger_id"))
        try:
            reply = work.result(timeout=ACK_DEADLINE)
        except FutureTimeout:
            ack()
            work.add_done_callback(lambda done: _reply_later(done, respond, opener))
            return
        except _Replayed:
            _ignore_replay()
            ack()
            return
        except ChangebotError as error:
            ack(**_ephemeral(replies.refusal(error, forms=handler.forms.usage_for(text))))
            return
        if isinstance(reply, OpenModal):
            ack()
            opener(reply)
        else:
            ack(**_ephemeral(reply))

    return on_command


# -- buttons and shortcuts -----------------------------------------------------------------


def button(work: Callable[[Turn, Press], Reply]) -> Callable[..., None]:
    """Ack at once, do the work on the pool, and tell the presser privately how it went."""
    return _interaction(work, press_of)


def shortcut(work: Callable[[Turn, Json], Reply]) -> Callable[..., None]:
    """A shortcut is answered as a button is; `work` gets the whole payload (its message)."""
    return _interaction(work, lambda body: body)


def _interaction(
    work: Callable[[Turn, Any], Reply], picked: Callable[[Json], Any]
) -> Callable[..., None]:
    def on_interaction(
        ack: Ack, body: Json, respond: Respond, client: WebClient, context: BoltContext
    ) -> None:
        ack()
        runtime = runtime_of(context)
        argument = picked(body)
        done = runtime.command_pool.submit(
            answer_turn,
            runtime,
            caller_of_action(body),
            client,
            lambda turn: work(turn, argument),
            sighting=sighting_of(context),
        )
        opener = _modal_opener(client, body.get("trigger_id"))
        done.add_done_callback(lambda finished: _reply_later(finished, respond, opener))

    on_interaction.__name__ = f"on_{work.__name__}"
    on_interaction.__doc__ = work.__doc__
    return on_interaction


# -- forms (modal submissions) -------------------------------------------------------------


def form(
    work: Callable[[Turn, Json, Json], FormAnswer],
    *,
    fallback: str,
    fields: Mapping[str, str] | None = None,
) -> Callable[..., None]:
    """Store a modal's submission once, and answer within Slack's 3 seconds.

    `work` gets the turn, the submitted view and the modal's metadata. A domain
    error shows under the block `fields` maps its field to (a view's reader names
    its blocks itself), or under `fallback`, an input block of the form.
    """
    blocks = fields or {}

    def on_submission(ack: Ack, body: Json, client: WebClient, context: BoltContext) -> None:
        runtime = runtime_of(context)
        caller, metadata = caller_of_submission(body)
        view = body["view"]
        given_up = threading.Event()
        done: Future[FormAnswer] = runtime.command_pool.submit(
            run_turn,
            runtime,
            caller,
            client,
            lambda turn: work(turn, view, metadata),
            sighting=sighting_of(context),
            once=f"view:{view.get('id')}",
            given_up=given_up,
        )
        try:
            answer = done.result(timeout=FORM_DEADLINE)
        except FutureTimeout:
            given_up.set()
            ack(**_form_error(replies.NOT_SAVED_YET, fallback))
            return
        except _Replayed:
            _ignore_replay()
            ack()
            return
        except _AlreadyDone:
            ack(response_action="update", view=replies.finished_form("Saved", replies.saved()))
            return
        except ChangebotError as error:
            field = error.field or fallback
            ack(**_form_error(error.message, blocks.get(field, field)))
            return
        except Exception as error:
            failures.log_failure(error, "form")
            ack(**_form_error(replies.FAILED, fallback))
            return
        ack(**(answer or {}))

    on_submission.__name__ = f"on_{work.__name__}"
    return on_submission


def _form_error(message: str, block_id: str) -> Json:
    return {"response_action": "errors", "errors": {block_id: message}}


# -- events --------------------------------------------------------------------------------


def event(
    work: Callable[[Turn, Any], AfterCommit],
    *,
    read: Callable[[Json, BoltContext], Any] = lambda event, _context: event,
) -> Callable[..., BoltResponse | None]:
    """Handle an event once, in the request: stored, or a 5xx so that Slack retries it.

    `read` turns the event into what `work` needs, before any transaction, or
    into None when there is nothing to do (most channel messages). `work` may
    return what to do once its transaction has committed (a Web API call).
    """

    def on_event(
        body: Json, event: Json, client: WebClient, context: BoltContext
    ) -> BoltResponse | None:
        wanted = read(event, context)
        if wanted is None:
            return None
        runtime = runtime_of(context)
        try:
            after = run_turn(
                runtime,
                caller_of_event(body, event),
                client,
                lambda turn: work(turn, wanted),
                sighting=sighting_of(context),
                once=body.get("event_id"),
            )
        except _Replayed:
            _ignore_replay()
            return None
        except _AlreadyDone:
            log.info("event %s was already handled; ignoring Slack's retry", body.get("event_id"))
            return None
        except ChangebotError as error:
            log.info("event %s refused: %s", body.get("event_id"), type(error).__name__)
            return None
        if after is not None:
            after()
        return None

    on_event.__name__ = f"on_{work.__name__}"
    return on_event


# -- answering -----------------------------------------------------------------------------


def _ignore_replay() -> None:
    log.info("ignored a replay of a request already processed")


def _ephemeral(message: Message) -> Json:
    return {"response_type": "ephemeral", **message.payload()}


def _modal_opener(client: WebClient, trigger_id: object) -> Callable[[OpenModal], None]:
    """Open a modal on the request's trigger (valid for 3 seconds after the request)."""

    def open_modal(reply: OpenModal) -> None:
        client.views_open(trigger_id=str(trigger_id or ""), view=reply.view)

    return open_modal


def _reply_later(
    done: Future[Answer], respond: Respond, opener: Callable[[OpenModal], None]
) -> None:
    """Deliver work that finished after its ack: the reply, a refusal, or an apology."""
    try:
        reply = done.result()
    except _Replayed:
        _ignore_replay()
        return
    except ChangebotError as error:
        respond(
            response_type="ephemeral", replace_original=False, **replies.refusal(error).payload()
        )
        return
    except Exception as error:
        failures.log_failure(error, "button")
        failures.apologise(respond)
        return
    try:
        if isinstance(reply, OpenModal):
            opener(reply)
        else:
            respond(response_type="ephemeral", replace_original=False, **reply.payload())
    except Exception as error:
        failures.log_failure(error, "reply")
