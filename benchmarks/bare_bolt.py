"""A bare Bolt app on changebot's server stack: the baseline of benchmarks/ack_latency.py.

The same gunicorn configuration as `changebot run` (it reuses `ChangebotServer` and only
swaps the app it loads): one gthread worker, HTTP_THREADS threads, the same timeouts and
keep-alive. The Bolt app checks signatures like changebot's and has the same listener
pool, but its one listener only calls `ack()`: no database, no outbox, no reply.

Run by the benchmark as `python benchmarks/bare_bolt.py` with changebot's environment
(SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL pointing at a stand-in, since Bolt
calls auth.test at start, PORT, HOST, HTTP_THREADS).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.config import Settings
from bot.server import ChangebotServer, WsgiApp


def bare_app(settings: Settings) -> WsgiApp:
    """Bolt with one listener for every command that acks and does nothing else."""
    client = WebClient(base_url=settings.slack_api_url, token=settings.slack_bot_token, timeout=10)
    app = App(
        signing_secret=settings.slack_signing_secret or "",
        client=client,
        process_before_response=False,
        # As changebot's app (bot/app.py), so that only the listeners' work differs.
        listener_executor=ThreadPoolExecutor(max_workers=16, thread_name_prefix="bolt"),
    )

    @app.command(re.compile(r".*"))
    def ack_only(ack: Ack) -> None:
        ack()

    bolt = SlackRequestHandler(app)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            body = json.dumps({"ok": True}).encode()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        return bolt(environ, start_response)

    return application


class BareBoltServer(ChangebotServer):
    """changebot's gunicorn configuration, serving the bare app instead of changebot."""

    def load(self) -> WsgiApp:
        return bare_app(self._settings)


if __name__ == "__main__":
    BareBoltServer(Settings(), background=False).run()
