"""HTTP mode: the Bolt app behind gunicorn, with `/healthz` beside `/slack/events`.

gunicorn (one gthread worker, with a deadline for each request to arrive:
see bot/http_worker.py) is the production server: on SIGTERM it stops
accepting connections, lets in-flight requests finish within the grace
period, and only then runs `worker_exit`, where the runtime stops the
scheduler and lets the sender record its last post. The app and runtime are
built in the worker, after the fork, so no thread or connection crosses it.
"""

from __future__ import annotations

import json
import logging
import threading
import weakref
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import Any

from gunicorn.app.base import BaseApplication
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.app import create_app, token_source
from bot.config import Settings
from bot.http_worker import DeadlineWorker
from bot.runtime import Runtime, build_runtime
from storage.db import make_engine

log = logging.getLogger(__name__)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
HEALTH_PATH = "/healthz"
# How long /healthz waits for the database: it must answer within a second.
HEALTH_WAIT_SECONDS = 0.75


def wsgi_app(runtime: Runtime, bolt_handler: SlackRequestHandler) -> WsgiApp:
    """Route `/healthz` here and everything else (events, OAuth) to Bolt."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") == "GET":
            return _health(runtime, start_response)
        return bolt_handler(environ, start_response)

    return application


def _health(runtime: Runtime, start_response: Callable[..., Any]) -> Iterable[bytes]:
    if not _database_answers(runtime.engine, within=HEALTH_WAIT_SECONDS):
        status, body = "503 Service Unavailable", {"ok": False, "database": "unreachable"}
    else:
        status, body = "200 OK", {"ok": True, "scheduler": runtime.scheduler.leading}
    payload = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
    )
    return [payload]


def _database_answers(engine: Engine, *, within: float) -> bool:
    """Whether `engine`'s database answers `SELECT 1` within `within` seconds.

    The question is a transaction like any request's: on SQLite it begins
    IMMEDIATE and, while another process holds the write lock, waits out the
    15 s busy timeout. So it is asked in a thread of its own, and a check
    waits for the answer only briefly. Checks that come while a question is
    still waiting share it instead of asking again: `/healthz` needs no
    signature, and a client polling it must not pile up threads stuck on a
    lock. A failed check is one warning line, not a traceback.
    """
    answer = _question_to(engine)
    try:
        failure = answer.result(timeout=within)
    except TimeoutError:
        log.warning("health check: the database did not answer within %s s", within)
        return False
    if failure is not None:
        log.warning("health check: the database failed: %s", failure)
        return False
    return True


# The question in flight to each engine's database: None once answered, else what failed.
_questions: weakref.WeakKeyDictionary[Engine, Future[str | None]] = weakref.WeakKeyDictionary()
_questions_lock = threading.Lock()


def _question_to(engine: Engine) -> Future[str | None]:
    with _questions_lock:
        answer = _questions.get(engine)
        if answer is None or answer.done():
            answer = _questions[engine] = Future()
            threading.Thread(
                target=_ask, args=(engine, answer), name="health-question", daemon=True
            ).start()
        return answer


def _ask(engine: Engine, answer: Future[str | None]) -> None:
    """Keeps only the failure's first line: an exception would keep the engine alive."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        answer.set_result(next(iter(str(exc).splitlines()), type(exc).__name__))
    else:
        answer.set_result(None)


def build_wsgi(settings: Settings) -> tuple[Runtime, WsgiApp]:
    """The runtime and WSGI app of one HTTP worker, started and ready to serve."""
    engine = make_engine(settings.database_url)
    runtime = build_runtime(settings, token_source(settings, engine), engine=engine)
    app = create_app(settings, runtime)
    runtime.start()
    return runtime, wsgi_app(runtime, SlackRequestHandler(app))


class ChangebotServer(BaseApplication):
    """gunicorn, configured in code: one process per instance, threads for requests."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._runtime: Runtime | None = None
        super().__init__()

    def load_config(self) -> None:
        """Everything gunicorn is told, here; nothing is read from its command line or files.

        The control socket (gunicorn 25.1+, `gunicornc`) is off: changebot has
        no use for it, since an instance is one worker whose scheduler and
        sender live in it (adding workers or reloading from outside is wrong
        for it) and is stopped by SIGTERM. Left on, every instance on a host
        would share `~/.gunicorn/gunicorn.ctl`, and stopping one deleted the
        socket of another.
        """
        settings = self._settings
        for name, value in {
            "bind": f"{settings.host}:{settings.port}",
            "workers": 1,
            "worker_class": DeadlineWorker,
            "threads": settings.http_threads,
            "timeout": 30,
            "graceful_timeout": 25,
            "keepalive": 5,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "info",
            "worker_exit": self._stop_runtime,
            "control_socket_disable": True,
        }.items():
            self.cfg.set(name, value)

    def load(self) -> WsgiApp:
        self._runtime, application = build_wsgi(self._settings)
        return application

    def _stop_runtime(self, _arbiter: Any, _worker: Any) -> None:
        if self._runtime is not None:
            self._runtime.stop()
