"""Who is acting and where, read from what Slack sent: one function per kind of payload.

A button press carries its channel; a modal does not, so every modal changebot
opens records its project's channel in `private_metadata` (`modal_metadata`)
and the submission reads it back. Each caller carries the request's own id
(a trigger, a view, an event): what it posts is keyed by it, so a retried or
replayed request posts nothing new.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.errors import InvalidInput
from bot.services.projects import Caller

Json = dict[str, Any]


OUT_OF_DATE = "That button is out of date: use the command again instead."


@dataclass(frozen=True)
class Press:
    """A button press: the button's value, and the message the button is on."""

    value: str
    message_ts: str | None = None

    def number(self) -> int:
        """The value as the id it carries; a button changebot did not make is refused."""
        if not self.value.isdigit():
            raise InvalidInput(OUT_OF_DATE)
        return int(self.value)

    def numbers(self) -> tuple[int, int]:
        """A value of two ids, `A:B` (a stage and its completion round, say)."""
        first, _, second = self.value.partition(":")
        if not (first.isdigit() and second.isdigit()):
            raise InvalidInput(OUT_OF_DATE)
        return int(first), int(second)


def press_of(body: Json) -> Press:
    action = (body.get("actions") or [{}])[0]
    container = body.get("container") or {}
    return Press(value=str(action.get("value") or ""), message_ts=container.get("message_ts"))


def caller_of_command(command: Json) -> Caller:
    return Caller(
        team_id=str(command["team_id"]),
        channel_id=str(command["channel_id"]),
        user_id=str(command["user_id"]),
        channel_name=str(command.get("channel_name") or ""),
        request_id=str(command.get("trigger_id") or ""),
    )


def caller_of_action(body: Json) -> Caller:
    """The person pressing a button (or using a shortcut), and the channel it is in."""
    channel = body.get("channel") or {}
    container = body.get("container") or {}
    return Caller(
        team_id=(body.get("team") or {}).get("id") or body.get("user", {}).get("team_id", ""),
        channel_id=channel.get("id") or container.get("channel_id", ""),
        user_id=body["user"]["id"],
        channel_name=channel.get("name", ""),
        request_id=str(body.get("trigger_id") or ""),
    )


def modal_metadata(caller: Caller, **extra: Any) -> str:
    """`private_metadata` for a modal opened for `caller`'s project (under Slack's 3,000)."""
    return json.dumps({"team": caller.team_id, "channel": caller.channel_id, **extra})


def caller_of_submission(body: Json) -> tuple[Caller, Json]:
    """The person submitting a modal, its project's channel, and the rest of its metadata."""
    view = body["view"]
    metadata = json.loads(view.get("private_metadata") or "{}")
    caller = Caller(
        team_id=metadata.pop("team", None) or body["team"]["id"],
        channel_id=metadata.pop("channel", ""),
        user_id=body["user"]["id"],
        request_id=str(view.get("id") or ""),
    )
    return caller, metadata


def caller_of_event(body: Json, event: Json) -> Caller:
    return Caller(
        team_id=str(body.get("team_id") or ""),
        channel_id=str(event.get("channel") or ""),
        user_id=str(event.get("user") or ""),
        request_id=str(body.get("event_id") or ""),
        enterprise_id=body.get("enterprise_id"),
    )
