"""Block Kit as a person reads it in a terminal: what the console shows of changebot's posts.

Pure functions of the blocks and a directory of names, so the console's screen is tested
without a workspace. Buttons are numbered in the order they appear, continuing from the
number the caller gives: one numbering runs through a whole console session, so `:press N`
always names exactly one button, even after more output has scrolled past.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

DIVIDER = "─" * 24
CONTEXT_MARK = "» "
THREAD_MARK = "  ↳ "
_TOKEN = re.compile(r"<([^<>]+)>")
_EMOJI_CODE = re.compile(r":([a-z0-9_+-]+):")
# The emoji codes changebot writes, as Slack shows them; any other code stays as typed.
EMOJI = {
    "alarm_clock": "⏰",
    "arrow_forward": "▶️",
    "bar_chart": "📊",
    "bell": "🔔",
    "busts_in_silhouette": "👥",
    "calendar": "📆",
    "chart_with_upwards_trend": "📈",
    "clipboard": "📋",
    "compass": "🧭",
    "confetti_ball": "🎊",
    "double_vertical_bar": "⏸️",
    "eyes": "👀",
    "handshake": "🤝",
    "hourglass": "⌛",
    "hourglass_flowing_sand": "⏳",
    "inbox_tray": "📥",
    "large_blue_circle": "🔵",
    "large_green_circle": "🟢",
    "large_yellow_circle": "🟡",
    "leftwards_arrow_with_hook": "↩️",
    "memo": "📝",
    "newspaper": "📰",
    "no_bell": "🔕",
    "no_entry_sign": "🚫",
    "red_circle": "🔴",
    "speech_balloon": "💬",
    "straight_ruler": "📏",
    "tada": "🎉",
    "triangular_flag_on_post": "🚩",
    "trophy": "🏆",
    "warning": "⚠️",
    "wave": "👋",
    "white_check_mark": "✅",
    "white_circle": "⚪",
    "x": "❌",
}

Block = dict[str, Any]


@dataclass(frozen=True)
class Names:
    """What the ids in Slack's markup stand for: the console's directory of people and places.

    `dms` maps a direct-message channel to the person it is with, so a DM reads as one.
    """

    users: Mapping[str, str] = field(default_factory=dict)
    channels: Mapping[str, str] = field(default_factory=dict)
    dms: Mapping[str, str] = field(default_factory=dict)

    def user(self, user_id: str, label: str = "") -> str:
        return self.users.get(user_id) or label or user_id

    def channel(self, channel_id: str, label: str = "") -> str:
        return self.channels.get(channel_id) or label or channel_id


@dataclass(frozen=True)
class Rendered:
    """Lines to print, and the button elements numbered in them, in number order."""

    lines: list[str]
    buttons: list[Block] = field(default_factory=list)


def decode(mrkdwn: str, names: Names) -> str:
    """Slack's markup as it reads on screen: mentions by name, links with their label.

    Tokens are read before entities are decoded, so text a person typed as `&lt;@U1&gt;`
    shows as the literal `<@U1>` it was, never as a mention.
    """
    spelled = _TOKEN.sub(lambda match: _spell_out(match.group(1), names), mrkdwn)
    return emojis(spelled.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))


def emojis(text: str) -> str:
    """Emoji codes (`:tada:`) as the emoji Slack shows for them."""
    return _EMOJI_CODE.sub(lambda match: EMOJI.get(match.group(1), match.group(0)), text)


def _spell_out(token: str, names: Names) -> str:
    target, _, label = token.partition("|")
    if target.startswith("@"):
        return "@" + names.user(target[1:], label)
    if target.startswith("#"):
        return "#" + names.channel(target[1:], label)
    if target.startswith("!"):
        # <!here>, <!subteam^S1|@team>, <!date^…|fallback>: the label is what Slack shows.
        return label or "@" + target[1:]
    return f"{label} ({target})" if label and label != target else target


def text_of(text: Block | None, names: Names) -> str:
    """A text object's words: mrkdwn decoded, plain_text as written (Slack shows it so)."""
    if not text:
        return ""
    words = str(text.get("text", ""))
    return decode(words, names) if text.get("type") == "mrkdwn" else emojis(words)


def framed(prefix: str, lines: list[str]) -> list[str]:
    """`prefix` before the first line and the rest indented under it, like a chat message."""
    indent = " " * len(prefix)
    return [(prefix if index == 0 else indent) + line for index, line in enumerate(lines or [""])]


def render_message(message: Block, names: Names, *, first_button: int = 1) -> Rendered:
    """A message's blocks, or its fallback text when it has none, and any files shared."""
    if message.get("blocks"):
        rendered = render_blocks(message["blocks"], names, first_button=first_button)
    else:
        rendered = Rendered(decode(str(message.get("text") or ""), names).splitlines())
    files = [f"[file: {shared.get('title') or shared.get('name')}]" for shared in _files(message)]
    return Rendered(rendered.lines + files, rendered.buttons)


def _files(message: Block) -> list[Block]:
    return [shared for shared in message.get("files") or [] if isinstance(shared, dict)]


def render_view(view: Block, names: Names, *, first_button: int = 1) -> Rendered:
    """A modal or Home tab: its title, its blocks with input fields numbered, its submit."""
    rendered = render_blocks(view.get("blocks") or [], names, first_button=first_button)
    title = text_of(view.get("title"), names)
    lines = [f"== {title} ==", *rendered.lines] if title else rendered.lines
    if view.get("submit"):
        lines.append(f"[{text_of(view['submit'], names)}] sends the form")
    return Rendered(lines, rendered.buttons)


def render_blocks(blocks: list[Block], names: Names, *, first_button: int = 1) -> Rendered:
    canvas = _Canvas(names, first_button)
    for block in blocks:
        _BLOCKS.get(str(block.get("type")), _unknown_block)(block, canvas)
    return Rendered(canvas.lines, canvas.buttons)


class _Canvas:
    """The lines being written, and the running numbers of buttons and input fields."""

    def __init__(self, names: Names, first_button: int) -> None:
        self.names = names
        self.lines: list[str] = []
        self.buttons: list[Block] = []
        self._first_button = first_button
        self._inputs = 0

    def write(self, text: str) -> None:
        self.lines.extend(text.splitlines() or [""])

    def text(self, text: Block | None) -> str:
        return text_of(text, self.names)

    def element(self, element: Block) -> str:
        kind = str(element.get("type"))
        if kind == "button":
            self.buttons.append(element)
            return f"[{self._first_button + len(self.buttons) - 1}] {self.text(element['text'])}"
        if kind == "image":
            return f"[image: {element.get('alt_text', '')}]"
        if kind in ("mrkdwn", "plain_text"):
            return self.text(element)
        placeholder = self.text(element.get("placeholder"))
        return f"[{kind}: {placeholder}]" if placeholder else f"[{kind}]"

    def next_input(self) -> int:
        self._inputs += 1
        return self._inputs


def _header(block: Block, canvas: _Canvas) -> None:
    canvas.write(f"== {canvas.text(block.get('text'))} ==")


def _section(block: Block, canvas: _Canvas) -> None:
    if block.get("text"):
        canvas.write(canvas.text(block["text"]))
    for item in block.get("fields") or []:
        canvas.write("  " + canvas.text(item))
    if block.get("accessory"):
        canvas.write(canvas.element(block["accessory"]))


def _context(block: Block, canvas: _Canvas) -> None:
    words = "  ".join(canvas.element(element) for element in block.get("elements") or [])
    canvas.write(CONTEXT_MARK + words)


def _divider(_block: Block, canvas: _Canvas) -> None:
    canvas.write(DIVIDER)


def _image(block: Block, canvas: _Canvas) -> None:
    title = canvas.text(block.get("title"))
    canvas.write(f"[image: {block.get('alt_text', '')}]" + (f" {title}" if title else ""))


def _actions(block: Block, canvas: _Canvas) -> None:
    canvas.write("   ".join(canvas.element(element) for element in block.get("elements") or []))


def _input(block: Block, canvas: _Canvas) -> None:
    optional = " (optional)" if block.get("optional") else ""
    label = canvas.text(block.get("label"))
    canvas.write(f"({canvas.next_input()}) {label}{optional}: {canvas.element(block['element'])}")
    if block.get("hint"):
        canvas.write("    " + canvas.text(block["hint"]))


def _unknown_block(block: Block, canvas: _Canvas) -> None:
    canvas.write(f"[{block.get('type')} block]")


_BLOCKS: dict[str, Callable[[Block, _Canvas], None]] = {
    "header": _header,
    "section": _section,
    "context": _context,
    "divider": _divider,
    "image": _image,
    "actions": _actions,
    "input": _input,
}
