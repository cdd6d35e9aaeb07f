"""HTTP mode: the Bolt app behind gunicorn, with `/healthz` beside `/slack/events`.

gunicorn (one gthread worker) is the production server: on SIGTERM it stops
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
from collections.abc import Callable, Iterable
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger as GunicornLogger
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text

from bot.app import create_app, token_source
from bot.background import BackgroundProcess, start_background
from bot.config import Settings
from bot.edge import ReplayGuard, SlackEdge, WsgiApp
from bot.logs import EscapingFormatter
from bot.runtime import Runtime, build_runtime
from storage.db import make_engine

log = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"


def wsgi_app(runtime: Runtime, bolt_handler: WsgiApp) -> WsgiApp:
    """Route `/healthz` here and everything else (events through the edge, OAuth) to Bolt."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") == "GET":
            return _health(runtime, start_response)
        return bolt_handler(environ, start_response)

    return application


def _health(runtime: Runtime, start_response: Callable[..., Any]) -> Iterable[bytes]:
    try:
        with runtime.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        log.exception("health check: the database does not answer")
        status, body = "503 Service Unavailable", {"ok": False, "database": "unreachable"}
    else:
        status, body = "200 OK", {"ok": True, "scheduler": runtime.scheduler.leading}
    payload = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
    )
    return [payload]


def build_wsgi(settings: Settings, *, background: bool) -> tuple[Runtime, WsgiApp]:
    """The runtime and WSGI app of one HTTP worker, started and ready to serve.

    With `background`, the worker also runs the sender and the scheduler (the tests do:
    one process); `changebot run` leaves them to its background process.
    """
    engine = make_engine(settings.database_url)
    runtime = build_runtime(settings, token_source(settings, engine), engine=engine)
    edge = SlackEdge(
        SlackRequestHandler(create_app(settings, runtime)),
        signing_secret=settings.slack_signing_secret or "",
        replays=ReplayGuard(engine),
    )
    if background:
        start_background(runtime)
    else:
        runtime.start(background=False)
    return runtime, wsgi_app(runtime, edge)


class ChangebotServer(BaseApplication):
    """gunicorn, configured in code: one worker with threads for requests, and beside it the
    instance's background process."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._runtime: Runtime | None = None
        self._background = BackgroundProcess()
        super().__init__()

    def load_config(self) -> None:
        settings = self._settings
        for name, value in {
            "bind": f"{settings.host}:{settings.port}",
            "workers": 1,
            "worker_class": "gthread",
            "threads": settings.http_threads,
            "timeout": 30,
            "graceful_timeout": 25,
            "keepalive": 5,
            "accesslog": None,
            "errorlog": "-",
            "logger_class": EscapingGunicornLogger,
            "loglevel": "info",
            "worker_exit": self._stop_runtime,
            "when_ready": lambda _arbiter: self._background.start(),
            "on_exit": lambda _arbiter: self._background.stop(),
        }.items():
            self.cfg.set(name, value)

    def load(self) -> WsgiApp:
        self._runtime, application = build_wsgi(self._settings, background=False)
        return application

    def _stop_runtime(self, _arbiter: Any, _worker: Any) -> None:
        if self._runtime is not None:
            self._runtime.stop()


class EscapingGunicornLogger(GunicornLogger):
    """gunicorn's logger, its error log written through the escaping formatter.

    gunicorn's error lines quote requests it could not parse (a request line,
    a header): escaped, they cannot forge a line of their own.
    """

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(EscapingFormatter(self.error_fmt, self.datefmt))
