"""Events API callbacks: each event is handled once, then routed by type."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient

from bot.delivery import enqueue
from bot.runtime import Runtime
from bot.services import events, stages
from bot.services.projects import projects_of
from bot.views import home as home_views
from bot.views import mentions

log = logging.getLogger(__name__)

Listener = Callable[..., None]


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
        with runtime.transaction() as session:
            projects = projects_of(session=session, team_id=body["team_id"], user_id=event["user"])
            summary = [(p, stages.progress_of(session=session, project=p)) for p in projects]
        client.views_publish(user_id=event["user"], view=home_views.home(summary))

    return publish_home


def _mention(runtime: Runtime) -> Listener:
    def introduce_myself(event: dict[str, Any], body: dict[str, Any]) -> None:
        with runtime.transaction() as session:
            enqueue(
                session,
                key=f"mention:{event['channel']}:{event['ts']}",
                team_id=body["team_id"],
                channel_id=event["channel"],
                message=mentions.introduction(),
                reply_to_ts=event.get("thread_ts") or event["ts"],
            )

    return introduce_myself


def _channel_message(_runtime: Runtime) -> Listener:
    def ignore_channel_message() -> None:
        """Channel messages matter only in concern threads, which a later release follows."""

    return ignore_channel_message


# Event type → listener factory; manifest.yml subscribes to exactly these.
EVENT_LISTENERS: dict[str, Callable[[Runtime], Listener]] = {
    "app_home_opened": _home_tab,
    "app_mention": _mention,
    "message": _channel_message,
}


def register(app: App, runtime: Runtime) -> None:
    for event_type, build in EVENT_LISTENERS.items():
        app.event(event_type)(build(runtime))
