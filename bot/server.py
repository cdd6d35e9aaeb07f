"""The web server of every `changebot run`: gunicorn, with `/healthz` and the public pages.

In HTTP mode Slack's requests come in at `/slack/…` beside the public pages
(`/f/…`, bot/web). In Socket Mode Slack's come over the WebSocket that the
worker opens (bot/socket_mode.py), and the server answers only `/healthz` and
the public pages; the same gunicorn serves both modes, so that the pages get
the same production server, deadlines and shutdown either way.

gunicorn (one gthread worker, with a deadline for each request to arrive:
see bot/http_worker.py) is the production server: on SIGTERM it stops
accepting connections, lets in-flight requests finish within the grace
period, and only then runs `worker_exit`, where the worker finishes the work
it has already acked. The app and runtime are built in the worker, after the
fork, so no thread or connection crosses it. The worker only answers: the
outbox sender and the scheduler run in the instance's background process
(bot/background.py), started once gunicorn is ready and stopped after its
workers.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import threading
import weakref
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.glogging import Logger as GunicornLogger
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.app import create_app, token_source
from bot.background import BackgroundProcess, start_background
from bot.config import Settings
from bot.edge import SlackEdge, WsgiApp
from bot.http_worker import DeadlineWorker
from bot.logs import EscapingFormatter
from bot.runtime import Runtime, build_runtime
from bot.scheduling.scheduler import LEASE_NAME
from bot.web.app import PUBLIC_PREFIXES, create_public_app
from storage.db import make_engine

log = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
# How long /healthz waits for the database: it must answer within a second.
HEALTH_WAIT_SECONDS = 0.75


# What every answer outside the public pages (which set their own, bot/web/app.py) carries:
# Bolt's OAuth pages above all. The install page sets the state's cookie, so no cache may
# keep it for the next visitor; none of them may be framed; Bolt's pages have inline style
# and the "Add to Slack" image from Slack's own site, and nothing else.
SLACK_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src https://platform.slack-edge.com;"
        " form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def wsgi_app(runtime: Runtime, slack_handler: WsgiApp) -> WsgiApp:
    """Route `/healthz` here, the public pages to bot/web, and everything else (events
    through the edge, OAuth) to `slack_handler`."""
    public_pages = create_public_app(runtime)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(PUBLIC_PREFIXES):
            return public_pages(environ, start_response)
        start_response = _with_headers(start_response, SLACK_PAGE_HEADERS)
        if path == HEALTH_PATH and environ.get("REQUEST_METHOD") == "GET":
            return _health(runtime, start_response)
        return slack_handler(environ, start_response)

    return application


def _with_headers(
    start_response: Callable[..., Any], headers: dict[str, str]
) -> Callable[..., Any]:
    """`start_response`, adding each of `headers` that the answer does not set itself."""

    def starting(status: str, answer_headers: list[tuple[str, str]], *exc_info: Any) -> Any:
        present = {name.lower() for name, _ in answer_headers}
        added = [(name, value) for name, value in headers.items() if name.lower() not in present]
        return start_response(status, [*answer_headers, *added], *exc_info)

    return starting


def not_found(_environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """What answers Slack's paths where Slack does not come over HTTP (Socket Mode, the console)."""
    body = b"Not found"
    start_response(
        "404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))]
    )
    return [body]


def _health(runtime: Runtime, start_response: Callable[..., Any]) -> Iterable[bytes]:
    answer = _database_answer(runtime.engine, within=HEALTH_WAIT_SECONDS)
    if answer is None:
        status, body = "503 Service Unavailable", {"ok": False, "database": "unreachable"}
    else:
        scheduler = runtime.runs_the_jobs(lease_holder=answer.scheduler_holder)
        status, body = "200 OK", {"ok": True, "scheduler": scheduler}
    payload = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
    )
    return [payload]


@dataclass(frozen=True)
class _Answer:
    """The database's answer to a health question: what failed, or who holds the jobs' lease."""

    failure: str | None = None
    scheduler_holder: str | None = None


def _database_answer(engine: Engine, *, within: float) -> _Answer | None:
    """The database's answer within `within` seconds, or None when it fails or is too slow.

    The question is a transaction like any request's: on SQLite it begins
    IMMEDIATE and, while another process holds the write lock, waits out the
    15 s busy timeout. So it is asked in a thread of its own, and a check
    waits for the answer only briefly. Checks that come while a question is
    still waiting share it instead of asking again: `/healthz` needs no
    signature, and a client polling it must not pile up threads stuck on a
    lock. A failed check is one warning line, not a traceback.
    """
    question = _question_to(engine)
    try:
        answer = question.result(timeout=within)
    except TimeoutError:
        log.warning("health check: the database did not answer within %s s", within)
        return None
    if answer.failure is not None:
        log.warning("health check: the database failed: %s", answer.failure)
        return None
    return answer


# The question in flight to each engine's database.
_questions: weakref.WeakKeyDictionary[Engine, Future[_Answer]] = weakref.WeakKeyDictionary()
_questions_lock = threading.Lock()


def _question_to(engine: Engine) -> Future[_Answer]:
    with _questions_lock:
        answer = _questions.get(engine)
        if answer is None or answer.done():
            answer = _questions[engine] = Future()
            threading.Thread(
                target=_ask, args=(engine, answer), name="health-question", daemon=True
            ).start()
        return answer


def _ask(engine: Engine, answer: Future[_Answer]) -> None:
    """Keeps only the failure's first line: an exception would keep the engine alive."""
    try:
        with engine.connect() as connection:
            holder = connection.execute(
                text("SELECT holder FROM lease WHERE name = :name"), {"name": LEASE_NAME}
            ).scalar()
    except Exception as exc:
        answer.set_result(_Answer(failure=next(iter(str(exc).splitlines()), type(exc).__name__)))
    else:
        answer.set_result(_Answer(scheduler_holder=holder))


@dataclass
class Worker:
    """What one gunicorn worker serves, and what it must close when it stops."""

    runtime: Runtime
    application: WsgiApp
    close: Callable[[], None] | None = None

    def stop(self) -> None:
        if self.close is not None:
            self.close()
        self.runtime.stop()


def worker_runtime(settings: Settings, *, background: bool) -> Runtime:
    """The runtime of one worker; with `background` it will run the sender and the jobs too."""
    engine = make_engine(settings.database_url)
    return build_runtime(
        settings,
        token_source(settings, engine),
        engine=engine,
        # A worker of `changebot run` shares its arbiter's name with the background process.
        instance_process=None if background else os.getppid(),
    )


def start_worker(runtime: Runtime, *, background: bool) -> None:
    if background:
        start_background(runtime)
    else:
        runtime.start(background=False)


def build_wsgi(settings: Settings, *, background: bool) -> tuple[Runtime, WsgiApp]:
    """The runtime and WSGI app of one HTTP worker, started and ready to serve.

    With `background`, the worker also runs the sender and the scheduler (the tests do:
    one process); `changebot run` leaves them to its background process.
    """
    runtime = worker_runtime(settings, background=background)
    edge = SlackEdge(
        SlackRequestHandler(create_app(settings, runtime)),
        signing_secret=settings.slack_signing_secret or "",
    )
    start_worker(runtime, background=background)
    return runtime, wsgi_app(runtime, edge)


def http_worker(settings: Settings) -> Worker:
    runtime, application = build_wsgi(settings, background=False)
    return Worker(runtime, application)


class ChangebotServer(BaseApplication):
    """gunicorn, configured in code: one worker with threads for requests, and beside it the
    instance's background process."""

    def __init__(
        self,
        settings: Settings,
        *,
        background: bool = True,
        worker: Callable[[Settings], Worker] = http_worker,
    ) -> None:
        self._settings = settings
        self._build_worker = worker
        self._worker: Worker | None = None
        self._background = BackgroundProcess() if background else None
        super().__init__()

    def load_config(self) -> None:
        """Everything gunicorn is told, here; nothing is read from its command line or files.

        The control socket (gunicorn 25.1+, `gunicornc`) is off: changebot has
        no use for it, since an instance is one worker beside one background
        process for its scheduler and sender (adding workers or reloading from
        outside is wrong for it) and is stopped by SIGTERM. Left on, every instance on a host
        would share `~/.gunicorn/gunicorn.ctl`, and stopping one deleted the
        socket of another.
        """
        settings = self._settings
        for name, value in {
            "bind": settings.bind,
            "workers": 1,
            "worker_class": DeadlineWorker,
            "threads": settings.http_threads,
            "timeout": 30,
            "graceful_timeout": 25,
            "keepalive": 5,
            "accesslog": None,
            "errorlog": "-",
            "logger_class": EscapingGunicornLogger,
            "loglevel": "info",
            "worker_exit": self._stop_runtime,
            "when_ready": self._start_background,
            "on_exit": self._stop_background,
            "control_socket_disable": True,
        }.items():
            self.cfg.set(name, value)

    def load(self) -> WsgiApp:
        self._worker = self._build_worker(self._settings)
        return self._worker.application

    def run(self) -> None:
        """gunicorn's own `run`, with the arbiter that minds the background process too."""
        try:
            _InstanceArbiter(self, self._background).run()
        except RuntimeError as error:  # gunicorn's refusal of its configuration, as it says it
            print(f"\nError: {error}\n", file=sys.stderr)
            sys.exit(1)

    def _start_background(self, _arbiter: Any) -> None:
        if self._background is not None:
            self._background.start()

    def _stop_background(self, _arbiter: Any) -> None:
        if self._background is not None:
            self._background.stop()

    def _stop_runtime(self, _arbiter: Any, _worker: Any) -> None:
        if self._worker is not None:
            self._worker.stop()


class _InstanceArbiter(Arbiter):
    """gunicorn's arbiter, minding the instance's background process beside its workers.

    Its `waitpid(-1)` reaps every child, the background process included: that
    one's status is collected first, by its pid, as gunicorn does for its own
    dirty arbiter, so that a crash is logged with its real code or signal. And a
    background process that ends once the instance has begun to stop (a signal
    sent to every process of the service) is not started again.
    """

    def __init__(self, app: BaseApplication, background: BackgroundProcess | None) -> None:
        super().__init__(app)
        self._background = background

    def reap_workers(self) -> None:
        if self._background is not None:
            self._background.reap()
        super().reap_workers()

    def stop(self, graceful: bool = True) -> None:
        if self._background is not None:
            self._background.winding_down()
        super().stop(graceful)


# How gunicorn names the client when it refuses a request it cannot parse.
_REFUSED_CLIENT = re.compile(r"^Invalid request from ip=\S*: ")


class EscapingGunicornLogger(GunicornLogger):
    """gunicorn's logger, its error log written through the escaping formatter.

    gunicorn's error lines quote requests it could not parse (a request line,
    a header): escaped, they cannot forge a line of their own. They name the
    client's address too, which is left out: a visitor of the public pages is
    anonymous, and a browser can send what gunicorn refuses (a header too
    large for it, say) moments before an answer.
    """

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(EscapingFormatter(self.error_fmt, self.datefmt))

    def warning(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        super().warning(_REFUSED_CLIENT.sub("Invalid request: ", str(msg)), *args, **kwargs)
