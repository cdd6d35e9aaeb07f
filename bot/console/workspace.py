"""A simulated Slack workspace with the real changebot in it, for the console.

Everything runs in this process: the stand-in plays the Slack Web API on loopback, the
people's requests are signed as Slack signs them and handed to `App.dispatch`, and the
outbox is delivered synchronously after each action instead of by the sender's thread.
So when an action returns, everything the app did about it (the reply, the posts, a
modal) has been recorded, and the console can print it in order before the next prompt.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, wait
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from apscheduler.job import Job
from slack_bolt import App, BoltResponse

from bot.app import create_app, token_source
from bot.background import start_background
from bot.config import Settings
from bot.console.render import Names
from bot.console.requests import RequestFactory, SignedRequest
from bot.console.standin import Call, SlackStandIn
from bot.runtime import Runtime, build_runtime
from bot.views.text import Limit, escape
from storage.db import make_engine
from storage.migrate import upgrade

CONSOLE_TOKEN = "xoxb-console"  # noqa: S105 - the stand-in accepts any token
# How long an action may keep the app busy after Bolt's ack before the console moves on.
SETTLE_SECONDS = 10.0
_MENTION = re.compile(r"(?<![\w<@#|])([@#])([\w-]+)")
_BROADCASTS = frozenset({"here", "channel", "everyone"})

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class Person:
    name: str
    user_id: str
    # Who they are in the story; their role in a project is given in changebot itself.
    persona: str


@dataclass(frozen=True)
class Place:
    name: str
    channel_id: str


PEOPLE = (
    Person("alex", "UALEX", "project lead"),
    Person("morgan", "UMORGAN", "management"),
    Person("sam", "USAM", "staff"),
    Person("jo", "UJO", "union representative"),
    Person("pat", "UPAT", "service user"),
)
CHANNELS = (Place("new-ward", "CNEWWARD"), Place("forum", "CFORUM"))


@dataclass(frozen=True)
class Activity:
    """What one action led to: Bolt's answer to the request, then every Web API call made."""

    response: BoltResponse | None
    calls: list[Call]


class Workspace:
    """The people, the channels and the app, and the things a person can do in Slack."""

    def __init__(
        self,
        *,
        standin: SlackStandIn,
        app: App,
        runtime: Runtime,
        requests: RequestFactory,
        listeners: _Listeners,
    ) -> None:
        self.standin = standin
        self.app = app
        self.runtime = runtime
        self._requests = requests
        self._listeners = listeners
        self._lock = threading.Lock()
        self._calls: list[Call] = []
        standin.subscribe(self._record)
        self.names = Names(
            users={standin.bot_user_id: "changebot"} | {p.user_id: p.name for p in PEOPLE},
            channels={place.channel_id: place.name for place in CHANNELS},
            dms={standin.channel_info(p.user_id)["id"]: p.name for p in PEOPLE},
        )

    def person(self, name: str) -> Person | None:
        return next((p for p in PEOPLE if p.name == name.lstrip("@").lower()), None)

    def place(self, name: str) -> Place | None:
        return next((p for p in CHANNELS if p.name == name.lstrip("#").lower()), None)

    def slack_text(self, typed: str) -> str:
        """Typed text as Slack sends it (`should_escape`): escaped, with mentions as ids."""
        return _MENTION.sub(self._mention, escape(typed, Limit.MESSAGE_TEXT))

    def _mention(self, match: re.Match[str]) -> str:
        sigil, name = match.groups()
        if sigil == "@" and name in _BROADCASTS:
            return f"<!{name}>"
        person, place = self.person(name), self.place(name)
        if sigil == "@" and person:
            return f"<@{person.user_id}|{person.name}>"
        if sigil == "#" and place:
            return f"<#{place.channel_id}|{place.name}>"
        return match.group(0)

    # -- what a person does ------------------------------------------------------------

    def command(self, *, user: Person, place: Place, command: str, text: str) -> Activity:
        signed = self._requests.slash_command(
            command, self.slack_text(text), user_id=user.user_id, channel_id=place.channel_id
        )
        return self._dispatch(signed)

    def press(
        self, *, user: Person, channel_id: str, message: dict[str, Any], element: dict[str, Any]
    ) -> Activity:
        """A click on a button in a message the stand-in stored, or in an ephemeral one."""
        signed = self._requests.block_action(
            user_id=user.user_id, channel_id=channel_id, message=message, action=element
        )
        return self._dispatch(signed)

    def press_in_view(
        self, *, user: Person, view: dict[str, Any], element: dict[str, Any]
    ) -> Activity:
        signed = self._requests.view_action(user_id=user.user_id, view=view, action=element)
        return self._dispatch(signed)

    def submit(self, *, user: Person, view: dict[str, Any], values: dict[str, Any]) -> Activity:
        signed = self._requests.view_submission(user_id=user.user_id, view=view, values=values)
        return self._dispatch(signed)

    def open_home(self, user: Person) -> Activity:
        dm = self.standin.channel_info(user.user_id)["id"]
        event = {"type": "app_home_opened", "user": user.user_id, "channel": dm, "tab": "home"}
        return self._dispatch(self._requests.event(event))

    def mention(self, *, user: Person, place: Place, text: str, ts: str) -> Activity:
        """A top-level message that @mentions changebot; `ts` is the message's own."""
        event = {
            "type": "app_mention",
            "user": user.user_id,
            "text": f"<@{self.standin.bot_user_id}> {self.slack_text(text)}",
            "ts": ts,
            "channel": place.channel_id,
        }
        return self._dispatch(self._requests.event(event))

    # -- the app's own clock -----------------------------------------------------------

    def jobs(self) -> list[Job]:
        return self.runtime.scheduler.jobs()

    def due_jobs(self) -> list[Job]:
        now = self.runtime.clock()
        return [job for job in self.jobs() if job.next_run_time and job.next_run_time <= now]

    def run_job(self, job: Job) -> Activity:
        """Run a scheduled job now, in this process, as the scheduler would have."""
        self.runtime.scheduler.run_now(job)
        return self.catch_up()

    def catch_up(self) -> Activity:
        """Deliver what is due in the outbox, and return every call not yet seen."""
        self.runtime.sender.deliver_due()
        with self._lock:
            calls, self._calls = self._calls, []
        return Activity(None, calls)

    def view(self, view_id: str) -> dict[str, Any] | None:
        """The stand-in's current copy of a modal or Home tab."""
        homes = {home["id"]: home for home in self.standin.home_views.values()}
        return self.standin.views.get(view_id) or homes.get(view_id)

    def _dispatch(self, signed: SignedRequest) -> Activity:
        response = self.app.dispatch(signed.bolt_request())
        self._listeners.settle(SETTLE_SECONDS)
        return Activity(response, self.catch_up().calls)

    def _record(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)


class _Listeners(Executor):
    """The runtime's pool for listeners' work, watched, so the console can wait for it.

    A listener acks as soon as it can (a button at once, a command within its deadline)
    and its work may carry on in this pool. Waiting for the pool to be idle is what makes
    an action's output complete when the console prints it.
    """

    def __init__(self, pool: Executor) -> None:
        self._pool = pool
        self._lock = threading.Lock()
        self._running: set[Future[Any]] = set()

    @classmethod
    def watch(cls, runtime: Runtime) -> _Listeners:
        watched = cls(runtime.command_pool)
        runtime.command_pool = watched
        return watched

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future = self._pool.submit(fn, *args, **kwargs)
        with self._lock:
            self._running.add(future)
        future.add_done_callback(self._finished)
        return future

    def _finished(self, future: Future[Any]) -> None:
        with self._lock:
            self._running.discard(future)

    def settle(self, timeout: float) -> None:
        with self._lock:
            running = list(self._running)
        wait(running, timeout)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._pool.shutdown(wait, cancel_futures=cancel_futures)


def _said_plainly(record: logging.LogRecord) -> bool:
    """Drop Bolt's "Unhandled request" warning: the console tells the person in its place."""
    return not record.getMessage().startswith("Unhandled request")


def _console_settings(settings: Settings, standin: SlackStandIn) -> Settings:
    """The operator's settings pointed at the stand-in, in single-workspace mode."""
    return settings.model_copy(
        update={
            "slack_bot_token": CONSOLE_TOKEN,
            "slack_signing_secret": secrets.token_hex(16),
            "slack_app_token": None,
            "slack_client_id": None,
            "slack_client_secret": None,
            "slack_api_url": standin.api_url,
        }
    )


@contextmanager
def open_workspace(settings: Settings) -> Iterator[Workspace]:
    """The stand-in with the directory, and the app migrated, built and started against it."""
    with SlackStandIn() as standin:
        for person in PEOPLE:
            standin.add_user(person.user_id, person.name)
        for place in CHANNELS:
            standin.add_channel(place.channel_id, place.name)
        app_settings = _console_settings(settings, standin)
        upgrade(app_settings.database_url, encryption_keys=app_settings.encryption_keys)
        engine = make_engine(app_settings.database_url)
        runtime = build_runtime(app_settings, token_source(app_settings, engine), engine=engine)
        try:
            app = create_app(app_settings, runtime)
            listeners = _Listeners.watch(runtime)
            app.logger.addFilter(_said_plainly)
            try:
                start_background(runtime, deliver_in_background=False)
                yield Workspace(
                    standin=standin,
                    app=app,
                    runtime=runtime,
                    requests=_requests(app_settings, standin),
                    listeners=listeners,
                )
            finally:
                app.logger.removeFilter(_said_plainly)
                listeners.shutdown()
        finally:
            runtime.stop()


def _requests(settings: Settings, standin: SlackStandIn) -> RequestFactory:
    return RequestFactory(
        signing_secret=str(settings.slack_signing_secret), team_id=standin.team_id, standin=standin
    )


def message_ts() -> str:
    """A timestamp for a message the console itself makes up (a person's, or an ack's)."""
    return f"{time.time():.6f}"
