"""Events API callbacks: each event is handled once, then routed by type."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient

from bot.listeners.events import threads, workspace
from bot.runtime import Runtime
from bot.services import events, overview
from bot.views import home as home_views

log = logging.getLogger(__name__)

Listener = threads.Listener


def register_deduplication(app: App, runtime: Runtime) -> None:
    @app.middleware
    def handle_each_event_once(body: dict[str, Any], next_: Callable[[], BoltResponse]) -> Any:
        event_id = body.get("event_id")
        if body.get("type") != "event_callback" or not event_id:
            return next_()
        with runtime.transaction() as session:
            first = events.first_delivery(
                session=session, event_id=event_id, team_id=body.get("team_id")
            )
        if first:
            return next_()
        log.info("event %s was already handled; ignoring Slack's retry", event_id)
        return BoltResponse(status=200, body="")


def _home_tab(runtime: Runtime) -> Listener:
    def publish_home(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") != "home":
            return
        now = runtime.clock()
        with runtime.transaction() as session:
            overviews = overview.overviews_for(
                session=session, team_id=body["team_id"], user_id=event["user"], now=now
            )
        client.views_publish(user_id=event["user"], view=home_views.home(overviews, now))

    return publish_home


# Event type → listener factory; manifest.yml subscribes to exactly these.
EVENT_LISTENERS: dict[str, Callable[[Runtime], Listener]] = {
    "app_home_opened": _home_tab,
    "app_mention": threads.mention,
    "message": threads.thread_message,
    "app_uninstalled": workspace.uninstalled,
    "tokens_revoked": workspace.tokens_revoked,
}


def register(app: App, runtime: Runtime) -> None:
    for event_type, build in EVENT_LISTENERS.items():
        app.event(event_type)(build(runtime))
