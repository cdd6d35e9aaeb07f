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
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

from apscheduler.job import Job
from slack_bolt import App, BoltResponse

from bot.app import create_app, token_source
from bot.background import start_background
from bot.config import Settings
from bot.console.clock import ConsoleClock, next_fire_after, steps_between
from bot.console.render import Names
from bot.console.requests import RequestFactory, SignedRequest
from bot.console.standin import Call, SlackStandIn
from bot.listeners.shortcuts import RAISE_CONCERN
from bot.runtime import Runtime, build_runtime
from bot.scheduling import jobs as standing
from bot.scheduling.sync import SCHEDULE_JOB_PREFIX
from bot.server import not_found, wsgi_app
from bot.services import partners, projects, schedules
from bot.views.text import Limit, escape
from bot.web.local import LocalPages
from storage.db import make_engine, unit_of_work
from storage.migrate import upgrade
from storage.models import ScheduleKind
from storage.types import utcnow

CONSOLE_TOKEN = "xoxb-console"  # noqa: S105 - the stand-in accepts any token
# How long an action may keep the app busy after Bolt's ack before the console moves on.
SETTLE_SECONDS = 10.0
_MENTION = re.compile(r"(?<![\w<@#|])([@#])([\w-]+)")
_BROADCASTS = frozenset({"here", "channel", "everyone"})
# Where the runs of jobs say why they did nothing (paused, done already, gone).
RUNS_LOGGER = "bot.runs"
# What each standing job is, for `:jobs` (a schedule's job is labelled from its row).
STANDING_JOBS = {
    standing.HOUSEKEEPING_JOB: "housekeeping: forget handled event ids",
    standing.REPLAY_HOUSEKEEPING_JOB: "housekeeping: forget signatures no longer fresh",
    standing.PAGE_HIT_HOUSEKEEPING_JOB: "housekeeping: forget the public pages' rate-limit hits",
    standing.CHECKIN_FOLLOW_UP_JOB: "check-in follow-ups: who has not answered yet",
    standing.CONCERN_ESCALATION_JOB: "reminders to leads about concerns left open",
    standing.OVERDUE_NUDGE_JOB: "nudges to owners of overdue stages",
}
_KINDS = {
    ScheduleKind.CHECKIN: "check-in",
    ScheduleKind.DIGEST: "digest",
    ScheduleKind.PRINCIPLE_REMINDER: "principle reminder",
}

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


@dataclass(frozen=True)
class Ran:
    """A job the console ran: when (on the console's clock), what it did, and what the
    runs said about it (why it posted nothing, when it did not)."""

    job_id: str
    label: str
    at: datetime
    activity: Activity
    said: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Member:
    """A person's part in the channel's project, as the database has it now."""

    person: Person
    side: str | None
    lead: bool


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
        clock: ConsoleClock,
        public_url: str,
    ) -> None:
        self.standin = standin
        # Where the public pages for service users are served (SPEC §7).
        self.public_url = public_url
        self.app = app
        self.runtime = runtime
        self.clock = clock
        self._requests = requests
        self._listeners = listeners
        self._lock = threading.Lock()
        self._calls: list[Call] = []
        # Up to when (on the console's clock) the jobs due have been run.
        self._jobs_run_until = clock.now()
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

    def say(self, *, user: Person, place: Place, text: str) -> dict[str, Any]:
        """A person's message in the channel, kept by the stand-in as Slack keeps it."""
        return self.standin.add_message(place.channel_id, user=user.user_id, text=text)

    def mention(self, *, user: Person, place: Place, text: str) -> tuple[dict[str, Any], Activity]:
        """A top-level message that @mentions changebot: the message, and what followed."""
        message = self.say(
            user=user, place=place, text=f"<@{self.standin.bot_user_id}> {self.slack_text(text)}"
        )
        event = {
            "type": "app_mention",
            "user": user.user_id,
            "text": message["text"],
            "ts": message["ts"],
            "channel": place.channel_id,
        }
        return message, self._dispatch(self._requests.event(event))

    def shortcut(self, *, user: Person, channel_id: str, message: dict[str, Any]) -> Activity:
        """The message shortcut "Raise principle concern", used on `message`."""
        signed = self._requests.message_shortcut(
            user_id=user.user_id, channel_id=channel_id, callback_id=RAISE_CONCERN, message=message
        )
        return self._dispatch(signed)

    def members(self, place: Place) -> list[Member] | None:
        """Each person's side and lead permission in the channel's project; None before it
        has one (whoever first uses the channel makes it)."""
        with unit_of_work(self.runtime.engine) as session:
            found = projects.projects_in_channel(
                session=session, team_id=self.standin.team_id, channel_id=place.channel_id
            )
            if not found:
                return None
            project = found[0]
            leads = set(partners.leads(session=session, project=project))
            return [
                Member(
                    person,
                    partners.role_of(session=session, project=project, user_id=person.user_id),
                    person.user_id in leads,
                )
                for person in PEOPLE
            ]

    # -- the app's own clock -----------------------------------------------------------

    def jobs(self) -> list[Job]:
        return self.runtime.scheduler.jobs()

    def next_run(self, job: Job) -> datetime | None:
        """When the job runs next on the console's clock (None when paused or all run)."""
        if job.next_run_time is None:
            return None
        return next_fire_after(job, self._jobs_run_until)

    def label(self, job_id: str) -> str:
        """What the job is: a standing job's purpose, or a schedule's kind and project."""
        if not job_id.startswith(SCHEDULE_JOB_PREFIX):
            return STANDING_JOBS.get(job_id, job_id)
        schedule_id = int(job_id.removeprefix(SCHEDULE_JOB_PREFIX))
        with unit_of_work(self.runtime.engine) as session:
            found = schedules.schedule_with_project(session=session, schedule_id=schedule_id)
            if found is None:
                return "a schedule that no longer exists"
            schedule, project = found
            kind = _KINDS.get(ScheduleKind(schedule.kind), schedule.kind)
            titled = f' "{schedule.title}"' if schedule.title else ""
            return f"{kind}{titled} of {project.name}"

    def pass_time(self, until: datetime | None = None) -> list[Ran]:
        """Move the clock on to `until` (or to now, as real time passes), running each job
        due on the way at its own time."""
        end = until or self.clock.now()
        ran = []
        for step in steps_between(self.jobs(), self._jobs_run_until, end):
            with self.clock.pinned(step.at):
                ran += [self._run(job, step.at) for job in step.jobs]
            self._jobs_run_until = step.at
        self.clock.move_to(end)
        self._jobs_run_until = max(self._jobs_run_until, end)
        return ran

    def _run(self, job: Job, at: datetime) -> Ran:
        """Run a scheduled job in this process, as the scheduler would have, and keep what
        the runs said about it."""
        label = self.label(job.id)
        with _said_by_runs() as said:
            self.runtime.scheduler.run_now(job)
        return Ran(job.id, label, at, self.catch_up(), said)

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
    and its work may carry on in this pool; what it does when the work is done (open a
    modal, answer the response_url) runs in callbacks on the future. Work counts as
    finished only once those callbacks have run too: the future handed out is completed
    from the pool's, and its callbacks run before the work is let go of.
    """

    def __init__(self, pool: Executor) -> None:
        self._pool = pool
        self._idle = threading.Condition()
        self._running = 0

    @classmethod
    def watch(cls, runtime: Runtime) -> _Listeners:
        watched = cls(runtime.command_pool)
        runtime.command_pool = watched
        return watched

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        handed_out: Future[T] = Future()
        with self._idle:
            self._running += 1
        self._pool.submit(fn, *args, **kwargs).add_done_callback(
            lambda done: self._finished(done, handed_out)
        )
        return handed_out

    def _finished(self, done: Future[T], handed_out: Future[T]) -> None:
        try:
            error = done.exception()
            if error is None:
                handed_out.set_result(done.result())
            else:
                handed_out.set_exception(error)
        finally:
            with self._idle:
                self._running -= 1
                self._idle.notify_all()

    def settle(self, timeout: float) -> None:
        with self._idle:
            self._idle.wait_for(lambda: self._running == 0, timeout)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._pool.shutdown(wait, cancel_futures=cancel_futures)


@contextmanager
def _said_by_runs() -> Iterator[list[str]]:
    """What `bot.runs` logs in the block, its info lines too, kept off the screen: the
    console tells the person itself. Warnings still reach the log."""
    runs = logging.getLogger(RUNS_LOGGER)
    said: list[str] = []
    keeper = _Keeper(said)
    level, propagate = runs.level, runs.propagate
    runs.addHandler(keeper)
    runs.setLevel(logging.INFO)
    runs.propagate = False
    try:
        yield said
    finally:
        runs.removeHandler(keeper)
        runs.setLevel(level)
        runs.propagate = propagate
        for record in keeper.warnings:
            logging.getLogger().handle(record)


class _Keeper(logging.Handler):
    def __init__(self, said: list[str]) -> None:
        super().__init__(logging.INFO)
        self.said = said
        self.warnings: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.said.append(record.getMessage())
        if record.levelno >= logging.WARNING:
            self.warnings.append(record)


def _said_plainly(record: logging.LogRecord) -> bool:
    """Drop Bolt's "Unhandled request" warning: the console tells the person in its place."""
    return not record.getMessage().startswith("Unhandled request")


def _console_settings(settings: Settings, standin: SlackStandIn, *, pages_port: int) -> Settings:
    """The operator's settings pointed at the stand-in, in single-workspace mode, with the
    links of the public pages at the port they are served on (unless PUBLIC_URL says)."""
    return settings.model_copy(
        update={
            "public_url": settings.public_url or f"http://localhost:{pages_port}",
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
    """The stand-in with the directory, and the app migrated, built and started against it,
    with the public pages on a local port."""
    with SlackStandIn() as standin, LocalPages(settings.port) as pages:
        for person in PEOPLE:
            standin.add_user(person.user_id, person.name)
        for place in CHANNELS:
            standin.add_channel(place.channel_id, place.name)
        app_settings = _console_settings(settings, standin, pages_port=pages.port)
        upgrade(app_settings.database_url, encryption_keys=app_settings.encryption_keys)
        engine = make_engine(app_settings.database_url)
        runtime = build_runtime(app_settings, token_source(app_settings, engine), engine=engine)
        clock = ConsoleClock()
        runtime.clock = clock.now
        try:
            app = create_app(app_settings, runtime)
            listeners = _Listeners.watch(runtime)
            app.logger.addFilter(_said_plainly)
            try:
                start_background(runtime, deliver_in_background=False)
                pages.serve(wsgi_app(runtime, not_found))
                yield Workspace(
                    standin=standin,
                    app=app,
                    runtime=runtime,
                    requests=_requests(app_settings, standin),
                    listeners=listeners,
                    clock=clock,
                    public_url=app_settings.public_base,
                )
            finally:
                app.logger.removeFilter(_said_plainly)
                listeners.shutdown()
        finally:
            runtime.stop()


def _requests(settings: Settings, standin: SlackStandIn) -> RequestFactory:
    """Requests are signed in real time, whatever the console's clock says: Bolt checks
    their freshness against the computer's clock."""
    return RequestFactory(
        signing_secret=str(settings.slack_signing_secret), team_id=standin.team_id, standin=standin
    )


def message_ts() -> str:
    """A timestamp for a message the console itself makes up (an ack's reply)."""
    return f"{utcnow().timestamp():.6f}"
