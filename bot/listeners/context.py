"""What every listener's work is given: one transaction, who is acting, and the project on demand.

`provide_runtime` is the one middleware: it puts the process's runtime, and
the request's signature for the replay record, into Bolt's `context` for
every request. The surfaces (bot/listeners/surfaces.py) read them from there
and run each listener's work as a `Turn`, the only place a listener's
transaction is opened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from slack_bolt import BoltContext, BoltRequest, BoltResponse
from slack_sdk import WebClient
from sqlmodel import Session

from bot.runtime import Runtime
from bot.services.projects import Caller, project_for
from bot.services.replays import Sighting
from storage.models import Project

RUNTIME = "changebot_runtime"
SIGHTING = "changebot_sighting"


def provide_runtime(runtime: Runtime) -> Callable[..., Any]:
    """The app's one middleware: the runtime and the request's sighting, in `context`."""

    def with_runtime(
        context: BoltContext, request: BoltRequest, next_: Callable[[], BoltResponse]
    ) -> Any:
        context[RUNTIME] = runtime
        context[SIGHTING] = _sighting(request)
        return next_()

    return with_runtime


def _sighting(request: BoltRequest) -> Sighting | None:
    """The signature Slack sent, already verified (by the edge, then Bolt), or None without
    one: Socket Mode's requests come over a connection of our own and are not signed."""
    signature = (request.headers.get("x-slack-signature") or [""])[0]
    timestamp = (request.headers.get("x-slack-request-timestamp") or [""])[0]
    if not (signature and timestamp.isdigit()):
        return None
    return Sighting.of(signature.removeprefix("v0="), int(timestamp))


def runtime_of(context: BoltContext) -> Runtime:
    runtime: Runtime = context[RUNTIME]
    return runtime


def sighting_of(context: BoltContext) -> Sighting | None:
    sighting: Sighting | None = context.get(SIGHTING)
    return sighting


@dataclass
class Turn:
    """One listener's unit of work: the session, who is acting and where, the project lazily.

    The project is the caller's channel's, created on first use with the
    caller as its lead; work that acts on something found by id (a concern
    card in the forum channel) never touches it, and so never creates one.
    """

    session: Session
    runtime: Runtime
    caller: Caller
    # The request's Web API client, for reads a reply needs (a permalink); posts go
    # through bot/posts.
    client: WebClient

    @cached_property
    def project(self) -> Project:
        return project_for(
            session=self.session,
            caller=self.caller,
            timezone=self.runtime.settings.changebot_timezone,
        )

    def now(self) -> datetime:
        return self.runtime.clock()
