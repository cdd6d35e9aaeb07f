"""What every listener's work is given: one transaction, who is acting, and the project on demand.

`provide_runtime` is the one middleware: it puts the process's runtime into
Bolt's `context` for every request. The surfaces (bot/listeners/surfaces.py)
read it from there and run each listener's work as a `Turn`, the only place
a listener's transaction is opened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from slack_bolt import BoltContext, BoltResponse
from slack_sdk import WebClient
from sqlmodel import Session

from bot.runtime import Runtime
from bot.services.projects import Caller, project_for
from storage.models import Project

RUNTIME = "changebot_runtime"


def provide_runtime(runtime: Runtime) -> Callable[..., Any]:
    """The app's one middleware: the runtime, in `context`, for every listener."""

    def with_runtime(context: BoltContext, next_: Callable[[], BoltResponse]) -> Any:
        context[RUNTIME] = runtime
        return next_()

    return with_runtime


def runtime_of(context: BoltContext) -> Runtime:
    runtime: Runtime = context[RUNTIME]
    return runtime


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
