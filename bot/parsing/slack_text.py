"""Slack's encoded message text into the plain text a person meant.

Slash-command and message text arrives in Slack's encoding: `&amp;`,
`&lt;`, `&gt;` for the literal characters and `<…>` for mentions and links.
changebot stores plain text (what the person typed, with `@alex`,
`@channel` and `#general` spelled out) and escapes it again, once, on the
way out (`bot.views.text.escape`). Storing plain text also keeps anything
pasted in from becoming a live broadcast when it is shown later.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"<([^<>]*)>")
_USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>")


def to_plain(text: str) -> str:
    """Decode Slack's entities and spell out mentions, broadcasts and links."""
    decoded = _TOKEN.sub(_spell_out, text)
    return decoded.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def user_id_in(token: str) -> str | None:
    """The user id of a `<@U…>` mention that makes up the whole token, if it is one."""
    match = _USER_MENTION.fullmatch(token.strip())
    return match.group(1) if match else None


def _spell_out(match: re.Match[str]) -> str:
    inner = match.group(1)
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return "@" + (label or target[1:])
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if target.startswith("!"):
        # `<!here>`, `<!subteam^S1|@nurses>`: a group's label has its `@` already.
        name = target[1:].split("^", 1)[0]
        return "@" + (label or name).removeprefix("@")
    return f"{label} ({target})" if label and label != target else target
