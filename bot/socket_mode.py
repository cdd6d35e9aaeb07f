"""Socket Mode: the same app, reached over Slack's WebSocket instead of public HTTP.

It runs under the same gunicorn as HTTP mode (bot/server.py): the worker
opens the Socket Mode connection and answers `/healthz` and the public pages
on `PORT` (SPEC §5, §7), and the sender and the scheduler run in the
instance's background process, as in HTTP mode. So acks never compete with
posting, and the public pages get the production server (a deadline for
each request, graceful SIGTERM) rather than a development one.

The handler opens its connection through `app.client`, so `SLACK_API_URL`
applies to `apps.connections.open` as to every other call.
"""

from __future__ import annotations

import logging

from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.app import create_app
from bot.config import Settings
from bot.server import ChangebotServer, Worker, not_found, start_worker, worker_runtime, wsgi_app

log = logging.getLogger(__name__)


def run_socket_mode(settings: Settings) -> None:
    ChangebotServer(settings, worker=socket_worker).run()


def socket_worker(settings: Settings, *, background: bool = False) -> Worker:
    """A worker connected to Slack over the WebSocket, serving `/healthz` and the pages."""
    runtime = worker_runtime(settings, background=background)
    handler = SocketModeHandler(create_app(settings, runtime), app_token=settings.slack_app_token)
    start_worker(runtime, background=background)
    handler.connect()
    log.info("connected to Slack in Socket Mode")
    return Worker(runtime, wsgi_app(runtime, not_found), close=handler.close)
