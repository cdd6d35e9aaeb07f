"""What a lead is told when Slack says changebot can no longer post in a channel."""

from __future__ import annotations

from bot.views.message import Message, blocks, section
from bot.views.text import counted, escape

_WHY = {
    "not_in_channel": "changebot is not a member of the channel any more",
    "channel_not_found": "the channel no longer exists, or changebot cannot see it",
    "is_archived": "the channel has been archived",
}


def channel_lost(project_name: str, channel_id: str, error: str, paused: int) -> Message:
    why = _WHY.get(error, error)
    text = (
        f":warning: changebot could not post in <#{channel_id}> for *{escape(project_name, 150)}*: "
        f"{why}. {counted(paused, 'schedule')} there "
        f"{'are' if paused != 1 else 'is'} paused so nothing piles up.\n"
        "Invite changebot back (`/invite @changebot`), or unarchive the channel, then resume "
        "the check-ins with `/checkin resume ID` and set reminders and the digest again."
    )
    return Message(text=text, blocks=blocks(section(text)))
