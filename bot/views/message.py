"""A rendered message: Block Kit blocks plus the plain fallback Slack shows in notifications."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    BlockElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.services.erasure import FORMER_PARTNER_WORDS, is_former_partner
from bot.views.text import Limit, plain, truncate


@dataclass(frozen=True)
class Message:
    """What changebot says: `text` is already safe mrkdwn, `blocks` already built."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        return {"text": truncate(self.text, Limit.FALLBACK), "blocks": self.blocks}


@dataclass(frozen=True)
class Upload:
    """A file to share (a CSV export, a chart), with a safe mrkdwn comment; an image has
    `alt_text`, what a screen reader says of it in Slack in place of the picture."""

    filename: str
    title: str
    content: bytes
    comment: str = ""
    alt_text: str = ""

    def payload(self) -> dict[str, Any]:
        file = {
            "filename": self.filename,
            "title": plain(self.title, 250),
            "content_base64": base64.b64encode(self.content).decode(),
        }
        if self.alt_text:
            file["alt_txt"] = plain(self.alt_text, Limit.ALT_TEXT)
        return {"file": file, "initial_comment": truncate(self.comment, Limit.SECTION)}


def header(text: str) -> Block:
    return HeaderBlock(text=PlainTextObject(text=plain(text, Limit.HEADER), emoji=True))


def section(mrkdwn: str, *, accessory: BlockElement | None = None) -> Block:
    """A section of safe mrkdwn (escape user text before composing it), maybe with a button."""
    return SectionBlock(
        text=MarkdownTextObject(text=truncate(mrkdwn, Limit.SECTION)), accessory=accessory
    )


def confirm_dialog(title: str, text: str, *, confirm: str, deny: str = "Cancel") -> ConfirmObject:
    """Block Kit's "are you sure?" dialog, for a button whose action cannot be undone."""
    return ConfirmObject(
        title=plain(title, 100), text=truncate(text, 300), confirm=confirm, deny=deny
    )


def divider() -> Block:
    return DividerBlock()


def context(*mrkdwn: str) -> Block:
    return ContextBlock(
        elements=[MarkdownTextObject(text=truncate(line, Limit.CONTEXT)) for line in mrkdwn[:10]]
    )


def blocks(*items: Block) -> list[dict[str, Any]]:
    return [item.to_dict() for item in items[:50]]


def mention(user_id: str | None) -> str:
    """A user mention built from an id Slack gave us, never from typed text.

    Someone forgotten (`changebot forget`) is shown as a former partner, never as an id.
    """
    if user_id and is_former_partner(user_id):
        return FORMER_PARTNER_WORDS
    return f"<@{user_id}>" if user_id else "nobody"
