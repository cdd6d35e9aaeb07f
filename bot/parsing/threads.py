"""Slack `message` events into what changed in a thread: a reply, an edit or a deletion.

Most channel messages are not in a thread at all; those, the bot's own
messages, and changes that are not edits (an unfurl, a reply count going up)
come out as None, without touching the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.parsing.slack_text import to_plain

# Subtypes of new messages that people write; anything else (joins, topic changes) is not a reply.
_WRITTEN = frozenset({None, "thread_broadcast", "file_share"})


@dataclass(frozen=True)
class Bot:
    """How the bot's own messages are recognised: its user id and its bot id."""

    user_id: str | None
    bot_id: str | None

    def wrote(self, message: dict[str, Any]) -> bool:
        return bool(
            (self.bot_id and message.get("bot_id") == self.bot_id)
            or (self.user_id and message.get("user") == self.user_id)
        )


@dataclass(frozen=True)
class Reply:
    channel_id: str
    thread_ts: str
    message_ts: str
    user_id: str | None
    text: str


@dataclass(frozen=True)
class Edit:
    channel_id: str
    thread_ts: str
    message_ts: str
    text: str


@dataclass(frozen=True)
class Deletion:
    channel_id: str
    thread_ts: str
    message_ts: str


ThreadChange = Reply | Edit | Deletion


def thread_change(event: dict[str, Any], bot: Bot) -> ThreadChange | None:
    subtype = event.get("subtype")
    channel = event.get("channel", "")
    if subtype == "message_changed":
        message = event.get("message") or {}
        if "edited" not in message or not _a_reply(message) or bot.wrote(message):
            return None
        text = to_plain(message.get("text", ""))
        return Edit(channel, message["thread_ts"], message["ts"], text)
    if subtype == "message_deleted":
        previous = event.get("previous_message") or {}
        if not _a_reply(previous) or bot.wrote(previous):
            return None
        return Deletion(channel, previous["thread_ts"], event.get("deleted_ts") or previous["ts"])
    if subtype not in _WRITTEN or not _a_reply(event) or bot.wrote(event):
        return None
    text = to_plain(event.get("text", ""))
    return Reply(channel, event["thread_ts"], event["ts"], event.get("user"), text)


def _a_reply(message: dict[str, Any]) -> bool:
    """In a thread, and not the message that started it."""
    thread_ts = message.get("thread_ts")
    return bool(thread_ts) and thread_ts != message.get("ts")
