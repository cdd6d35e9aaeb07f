"""Block Kit limits that Slack enforces by refusing the whole payload.

The stand-in runs these checks on everything the app sends, so that a message one block
too long fails in a test the way it would fail in production instead of passing against a
lenient fake. Each problem starts with the JSON pointer of the offending value, as Slack's
own error messages do, so that the builder at fault is easy to find.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Literal

Surface = Literal["message", "modal", "home"]
Problems = Iterator[str]

MAX_BLOCKS: dict[Surface, int] = {"message": 50, "modal": 100, "home": 100}
MAX_MESSAGE_TEXT = 40_000
MAX_ID = 255
MAX_PRIVATE_METADATA = 3_000
MAX_MODAL_CHROME = 24
MAX_PLAIN_TEXT_INPUT = 3_000
# Options a choice element may hold; static selects from PLATFORM.md, the rest from the
# element reference (overflow menus take 5, checkboxes and radio buttons 10).
MAX_OPTIONS = {
    "static_select": 100,
    "multi_static_select": 100,
    "overflow": 5,
    "checkboxes": 10,
    "radio_buttons": 10,
}

ANY_TEXT = ("plain_text", "mrkdwn")
PLAIN = ("plain_text",)


def block_kit_problems(blocks: object, *, surface: Surface) -> list[str]:
    """Everything Slack would refuse in `blocks` shown on `surface`; empty when it is valid."""
    return list(_blocks("/blocks", blocks, surface))


def view_problems(view: object) -> list[str]:
    """Problems in a modal or Home tab view: its blocks, title, buttons and identifiers."""
    if not isinstance(view, dict):
        return ["/view: not an object"]
    surface: Surface = "home" if view.get("type") == "home" else "modal"
    problems = list(_blocks("/view/blocks", view.get("blocks"), surface))
    if surface == "modal":
        problems.extend(_modal_chrome(view))
    problems.extend(
        _over("/view/private_metadata", view.get("private_metadata"), MAX_PRIVATE_METADATA)
    )
    problems.extend(_over("/view/callback_id", view.get("callback_id"), MAX_ID))
    problems.extend(_over("/view/external_id", view.get("external_id"), MAX_ID))
    return problems


def text_problems(text: object) -> list[str]:
    """A message `text` Slack would truncate (it does not refuse it, unlike blocks)."""
    return list(_over("/text", text, MAX_MESSAGE_TEXT))


def _over(pointer: str, value: object, limit: int | None) -> Problems:
    if limit is not None and isinstance(value, str | list) and len(value) > limit:
        unit = "characters" if isinstance(value, str) else "items"
        yield f"{pointer}: {len(value)} {unit}, over the limit of {limit}"


def _items(value: object) -> list[Any]:
    """The value when it is an array; the checks skip anything else rather than crash."""
    return value if isinstance(value, list) else []


def _text(
    pointer: str,
    text: object,
    limit: int | None,
    *,
    types: tuple[str, ...] = ANY_TEXT,
    optional: bool = False,
) -> Problems:
    if text is None and optional:
        return
    if not isinstance(text, dict):
        yield f"{pointer}: missing text object"
        return
    if text.get("type") not in types:
        yield f"{pointer}/type: {text.get('type')!r} is not {' or '.join(types)}"
    content = text.get("text")
    if not isinstance(content, str) or not content:
        yield f"{pointer}/text: empty"
    else:
        yield from _over(f"{pointer}/text", content, limit)


def _blocks(pointer: str, blocks: object, surface: Surface) -> Problems:
    if not isinstance(blocks, list):
        yield f"{pointer}: not an array"
        return
    yield from _over(pointer, blocks, MAX_BLOCKS[surface])
    yield from _duplicate_block_ids(pointer, blocks)
    for index, block in enumerate(blocks):
        yield from _block(f"{pointer}/{index}", block)


def _duplicate_block_ids(pointer: str, blocks: list[Any]) -> Problems:
    seen: set[str] = set()
    for index, block in enumerate(blocks):
        block_id = block.get("block_id") if isinstance(block, dict) else None
        if block_id in seen:
            yield f"{pointer}/{index}/block_id: {block_id!r} is used by an earlier block"
        if isinstance(block_id, str):
            seen.add(block_id)


def _block(pointer: str, block: object) -> Problems:
    if not isinstance(block, dict):
        yield f"{pointer}: not an object"
        return
    yield from _over(f"{pointer}/block_id", block.get("block_id"), MAX_ID)
    check = _BLOCK_CHECKS.get(block.get("type"))
    if check is not None:
        yield from check(pointer, block)


def _section(pointer: str, block: dict[str, Any]) -> Problems:
    yield from _text(f"{pointer}/text", block.get("text"), 3_000, optional="fields" in block)
    fields = _items(block.get("fields"))
    yield from _over(f"{pointer}/fields", fields, 10)
    for index, field in enumerate(fields):
        yield from _text(f"{pointer}/fields/{index}", field, 2_000)
    if "accessory" in block:
        yield from _element(f"{pointer}/accessory", block["accessory"])


def _header(pointer: str, block: dict[str, Any]) -> Problems:
    yield from _text(f"{pointer}/text", block.get("text"), 150, types=PLAIN)


def _context(pointer: str, block: dict[str, Any]) -> Problems:
    elements = _items(block.get("elements"))
    yield from _over(f"{pointer}/elements", elements, 10)
    for index, element in enumerate(elements):
        if not (isinstance(element, dict) and element.get("type") == "image"):
            yield from _text(f"{pointer}/elements/{index}", element, None)


def _actions(pointer: str, block: dict[str, Any]) -> Problems:
    elements = _items(block.get("elements"))
    yield from _over(f"{pointer}/elements", elements, 25)
    for index, element in enumerate(elements):
        yield from _element(f"{pointer}/elements/{index}", element)


def _input(pointer: str, block: dict[str, Any]) -> Problems:
    yield from _text(f"{pointer}/label", block.get("label"), 2_000, types=PLAIN)
    yield from _text(f"{pointer}/hint", block.get("hint"), 2_000, types=PLAIN, optional=True)
    yield from _element(f"{pointer}/element", block.get("element"))


def _element(pointer: str, element: object) -> Problems:
    if not isinstance(element, dict):
        yield f"{pointer}: not an object"
        return
    yield from _over(f"{pointer}/action_id", element.get("action_id"), MAX_ID)
    placeholder = element.get("placeholder")
    yield from _text(f"{pointer}/placeholder", placeholder, 150, types=PLAIN, optional=True)
    check = _ELEMENT_CHECKS.get(element.get("type"))
    if check is not None:
        yield from check(pointer, element)
    yield from _choices(pointer, element)


def _button(pointer: str, element: dict[str, Any]) -> Problems:
    yield from _text(f"{pointer}/text", element.get("text"), 75, types=PLAIN)
    yield from _over(f"{pointer}/accessibility_label", element.get("accessibility_label"), 75)
    yield from _over(f"{pointer}/value", element.get("value"), 2_000)
    yield from _over(f"{pointer}/url", element.get("url"), 3_000)


def _plain_text_input(pointer: str, element: dict[str, Any]) -> Problems:
    max_length = element.get("max_length")
    if isinstance(max_length, int) and max_length > MAX_PLAIN_TEXT_INPUT:
        yield f"{pointer}/max_length: {max_length}, over the limit of {MAX_PLAIN_TEXT_INPUT}"


def _choices(pointer: str, element: dict[str, Any]) -> Problems:
    """The options of any choice element, flat or in groups."""
    kind = element.get("type")
    limit = MAX_OPTIONS.get(kind) if isinstance(kind, str) else None
    text_types = ANY_TEXT if kind in ("checkboxes", "radio_buttons") else PLAIN
    yield from _options(f"{pointer}/options", element.get("options"), limit, text_types)
    groups = _items(element.get("option_groups"))
    yield from _over(f"{pointer}/option_groups", groups, limit)
    for index, group in enumerate(groups):
        group_pointer = f"{pointer}/option_groups/{index}"
        if not isinstance(group, dict):
            yield f"{group_pointer}: not an object"
            continue
        yield from _text(f"{group_pointer}/label", group.get("label"), 75, types=PLAIN)
        yield from _options(f"{group_pointer}/options", group.get("options"), limit, text_types)


def _options(
    pointer: str, options: object, limit: int | None, text_types: tuple[str, ...]
) -> Problems:
    yield from _over(pointer, options, limit)
    for index, option in enumerate(_items(options)):
        option_pointer = f"{pointer}/{index}"
        if not isinstance(option, dict):
            yield f"{option_pointer}: not an object"
            continue
        yield from _text(f"{option_pointer}/text", option.get("text"), 75, types=text_types)
        yield from _over(f"{option_pointer}/value", option.get("value"), 150)
        description = option.get("description")
        yield from _text(f"{option_pointer}/description", description, 75, optional=True)


def _modal_chrome(view: dict[str, Any]) -> Problems:
    """Title and buttons; Slack also wants a submit button as soon as there is an input."""
    yield from _text("/view/title", view.get("title"), MAX_MODAL_CHROME, types=PLAIN)
    for name in ("submit", "close"):
        text = view.get(name)
        yield from _text(f"/view/{name}", text, MAX_MODAL_CHROME, types=PLAIN, optional=True)
    has_input = any(
        isinstance(block, dict) and block.get("type") == "input"
        for block in _items(view.get("blocks"))
    )
    if has_input and view.get("submit") is None:
        yield "/view/submit: required when the view has an input block"


_Check = Callable[[str, dict[str, Any]], Problems]

_BLOCK_CHECKS: dict[object, _Check] = {
    "section": _section,
    "header": _header,
    "context": _context,
    "actions": _actions,
    "input": _input,
}
_ELEMENT_CHECKS: dict[object, _Check] = {
    "button": _button,
    "plain_text_input": _plain_text_input,
}
