"""Socket Mode: the same app, reached over Slack's WebSocket instead of public HTTP.

The handler opens its connection through `app.client`, so `SLACK_API_URL`
applies to `apps.connections.open` as to every other call.
"""

from __future__ import annotations

import logging
import signal
import threading

from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.app import create_app, token_source
from bot.background import start_background
from bot.config import Settings
from bot.runtime import build_runtime
from storage.db import make_engine

log = logging.getLogger(__name__)


def run_socket_mode(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    runtime = build_runtime(settings, token_source(settings, engine), engine=engine)
    app = create_app(settings, runtime)
    handler = SocketModeHandler(app, app_token=settings.slack_app_token)
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    start_background(runtime)
    handler.connect()
    log.info("connected to Slack in Socket Mode")
    stopping.wait()
    log.info("stopping: closing the Socket Mode connection")
    handler.close()
    runtime.stop()
