"""The one place where user text is made safe for Slack.

Every piece of text a person typed passes `escape` before it goes into a
message, a view or a notification: `&`, `<` and `>` become entities (so no
text can turn into `<!channel>` or a link the writer did not make) and text
too long for its Block Kit field is cut with an ellipsis, never rejected.
"""

from __future__ import annotations

import re
from enum import IntEnum

ELLIPSIS = "…"

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ENTITY_AT_END = re.compile(r"&[a-z]{0,3}$")
_OPEN_TOKEN_AT_END = re.compile(r"<[^>]*$")


class Limit(IntEnum):
    """Block Kit's limits, in characters, for the fields changebot fills."""

    SECTION = 3000
    FIELD = 2000
    CONTEXT = 2000
    HEADER = 150
    BUTTON = 75
    OPTION = 75
    MODAL_TITLE = 24
    INPUT_VALUE = 3000
    FALLBACK = 3000
    MESSAGE_TEXT = 40000
    # Not Block Kit's, but the files API's: an image's description for a screen reader.
    ALT_TEXT = 1000


def escape(text: str, limit: int = Limit.SECTION) -> str:
    """Escape Slack's control characters in `text` and fit it into `limit` characters."""
    cleaned = _CONTROL.sub("", text)
    escaped = "".join(_ENTITIES.get(char, char) for char in cleaned)
    return truncate(escaped, limit)


def truncate(text: str, limit: int) -> str:
    """Cut already-safe mrkdwn to `limit` characters, never through an entity or through
    one of Slack's `<…>` tokens (a mention, a date, a link): half of one reads as junk.

    Every `<` in safe text opens a token changebot made, since a person's are escaped.
    """
    if len(text) <= limit:
        return text
    cut = _ENTITY_AT_END.sub("", text[: limit - len(ELLIPSIS)])
    return _OPEN_TOKEN_AT_END.sub("", cut).rstrip() + ELLIPSIS


def plain(text: str, limit: int) -> str:
    """Text for a `plain_text` object: no entities needed, only control characters and length."""
    cleaned = _CONTROL.sub("", text)
    if len(cleaned) <= limit:
        return cleaned
    return cleaned[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS


def quote(text: str, limit: int) -> str:
    """User text as a Slack block quote: escaped, cut to `limit`, every line marked."""
    return "\n".join(f">{line}" for line in escape(text, limit).splitlines() or [""])


def counted(count: int, noun: str, plural: str = "") -> str:
    """A count and its noun, agreeing: "1 concern", "3 concerns", "1 reply", "1,200 replies"."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"
