"""Principle concerns in Block Kit: the card, its thread lines, the list, and the two forms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement
from slack_sdk.models.views import View

from bot.errors import InvalidInput
from bot.services.concerns import ConcernList
from bot.views.inputs import Values, option, select_input, selected_in, text_in, text_input
from bot.views.message import Message, blocks, confirm_dialog, context, mention, section
from bot.views.text import counted, escape, quote
from storage.models import Concern, ConcernStatus, Principle

ACKNOWLEDGE = "concern_acknowledge"
RESOLVE = "concern_resolve"
WITHDRAW = "concern_withdraw"
RAISE_FORM = "concern_raise"
RESOLVE_FORM = "concern_resolve_form"
PRINCIPLE = "principle"
DESCRIPTION = "description"
NOTE = "note"

# The forms' blocks for each value the domain names in its errors.
RAISE_FIELDS = {"concern.text": DESCRIPTION}
RESOLVE_FIELDS = {"concern.resolution_note": NOTE}

_STATUS = {
    ConcernStatus.OPEN: ":red_circle: open",
    ConcernStatus.ACKNOWLEDGED: ":large_yellow_circle: acknowledged",
    ConcernStatus.RESOLVED: ":large_green_circle: resolved",
    ConcernStatus.WITHDRAWN: ":white_circle: withdrawn",
}
_LISTED_OPEN = 20
_LISTED_CLOSED = 10


@dataclass(frozen=True)
class RaiseForm:
    """What the concern form's submission says, before it is checked against the project."""

    number: int
    text: str


def concern_card(concern: Concern) -> Message:
    """The concern as the forum sees it; its buttons go once it is closed."""
    items: list[Block] = [
        section(f":triangular_flag_on_post: {_heading(concern)}\n{quote(concern.text, 2500)}"),
        context(f"Raised by {_raiser(concern)}", _status_line(concern)),
    ]
    if concern.status == ConcernStatus.RESOLVED:
        items.append(section(f"*Resolution:* {escape(concern.resolution_note or '', 2500)}"))
    buttons = _buttons(concern)
    if buttons:
        items.append(ActionsBlock(block_id=f"concern-{concern.id}", elements=buttons))
    text = f":triangular_flag_on_post: Concern #{concern.id} about {_principle(concern)}"
    return Message(text=text, blocks=blocks(*items))


def _buttons(concern: Concern) -> list[ButtonElement]:
    value = str(concern.id)
    if concern.status == ConcernStatus.OPEN:
        acknowledge = ButtonElement(text="Acknowledge", action_id=ACKNOWLEDGE, value=value)
        return [acknowledge, *_closing_buttons(value)]
    if concern.status == ConcernStatus.ACKNOWLEDGED:
        return _closing_buttons(value)
    return []


def _closing_buttons(value: str) -> list[ButtonElement]:
    return [
        ButtonElement(text="Resolve", action_id=RESOLVE, value=value, style="primary"),
        ButtonElement(
            text="Withdraw",
            action_id=WITHDRAW,
            value=value,
            confirm=confirm_dialog(
                "Withdraw this concern?",
                "Only the person who raised it can withdraw it, and it cannot be undone.",
                confirm="Withdraw",
                deny="Keep it",
            ),
        ),
    ]


def _status_line(concern: Concern) -> str:
    status = _STATUS[concern.status]
    if concern.status == ConcernStatus.ACKNOWLEDGED:
        return f"Status: {status} by {mention(concern.acknowledged_by)}"
    if concern.status == ConcernStatus.RESOLVED:
        return f"Status: {status} by {mention(concern.resolved_by)}"
    return f"Status: {status}"


def status_changed(concern: Concern) -> Message:
    """The line a status change adds to the concern's thread."""
    if concern.status == ConcernStatus.ACKNOWLEDGED:
        text = f":eyes: {mention(concern.acknowledged_by)} acknowledged this concern."
    elif concern.status == ConcernStatus.RESOLVED:
        text = (
            f":white_check_mark: {mention(concern.resolved_by)} resolved this concern: "
            f"{escape(concern.resolution_note or '', 2500)}"
        )
    elif concern.anonymous:
        text = ":leftwards_arrow_with_hook: The person who raised this concern withdrew it."
    else:
        text = f":leftwards_arrow_with_hook: {mention(concern.raised_by)} withdrew this concern."
    return Message(text=text, blocks=blocks(section(text)))


def status_recorded(concern: Concern) -> Message:
    """The private reply to whoever changed the status."""
    text = f"Concern #{concern.id} is now {concern.status}: its card and its thread say so."
    return Message(text=text, blocks=blocks(section(text)))


def concern_posted(concern: Concern, *, to_raiser: bool) -> Message:
    """Where a concern went: told privately to whoever raised it, or in the thread it came
    from when it lives in another channel (the forum)."""
    whose = "Your concern" if to_raiser else "Concern"
    text = (
        f":triangular_flag_on_post: {whose} #{concern.id} about {_principle(concern)} is posted "
        f"in <#{concern.channel_id}>, where leads and management respond in its thread."
    )
    return Message(text=text, blocks=blocks(section(text)))


def escalation(concern: Concern, leads: list[str]) -> Message:
    """The one reminder, in the thread, that a concern is still waiting for a response."""
    who = ", ".join(mention(user_id) for user_id in leads) or "Project leads"
    text = (
        f":bell: {who}: this concern has been open for three working days without a response. "
        "Please acknowledge it, or resolve it with a note."
    )
    return Message(text=text, blocks=blocks(section(text)))


def concern_list(listed: ConcernList, links: dict[int, str], now: datetime) -> Message:
    """`/concern list`: open ones first, oldest first, then the recently closed ones."""
    if not listed.open and not listed.closed:
        text = "No concerns have been raised recently. Raise one with `/concern N TEXT`."
        return Message(text=text, blocks=blocks(section(text)))
    items: list[Block] = [section(f"*Open concerns ({len(listed.open)})*")]
    if not listed.open:
        items.append(context("None: every concern has been resolved or withdrawn."))
    items += [_list_entry(c, listed, links, now) for c in listed.open[:_LISTED_OPEN]]
    if len(listed.open) > _LISTED_OPEN:
        more = counted(len(listed.open) - _LISTED_OPEN, "more open concern")
        items.append(context(f"…and {more}."))
    if listed.closed:
        items.append(section("*Closed in the last 30 days*"))
        items += [_list_entry(c, listed, links, now) for c in listed.closed[:_LISTED_CLOSED]]
    text = f"{counted(len(listed.open), 'open concern')}, {len(listed.closed):,} closed recently"
    return Message(text=text, blocks=blocks(*items))


def _list_entry(
    concern: Concern, listed: ConcernList, links: dict[int, str], now: datetime
) -> Block:
    replies = listed.replies.get(concern.id or 0, 0)
    parts = [
        f"*#{concern.id}* {_principle(concern)}",
        _STATUS[concern.status],
        f"raised {age(concern.created_at, now)} ago",
        counted(replies, "reply", "replies"),
    ]
    link = links.get(concern.id or 0)
    parts.append(f"<{link}|thread>" if link else "thread not posted yet")
    return section(" · ".join(parts) + f"\n{quote(concern.text, 400)}")


def age(since: datetime, now: datetime) -> str:
    """How long ago, in the largest whole unit: "5 minutes", "3 days", "6 weeks"."""
    seconds = max(0, int((now - since).total_seconds()))
    for unit, size in (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            return counted(seconds // size, unit)
    return "under a minute"


def raise_form(
    principles: list[Principle], metadata: str, *, chosen: int | None = None
) -> dict[str, Any]:
    """The concern form: which principle, and what happened."""
    options = [option(str(p.position), f"{p.position}. {p.title}") for p in principles]
    initial = next(
        (o for o, p in zip(options, principles, strict=True) if p.position == chosen), None
    )
    view = View(
        type="modal",
        callback_id=RAISE_FORM,
        title="Raise a concern",
        submit="Raise",
        close="Cancel",
        private_metadata=metadata,
        blocks=[
            select_input(
                PRINCIPLE, "Which principle is not being worked to?", options, initial=initial
            ),
            text_input(
                DESCRIPTION,
                "What happened?",
                hint="Leads and management see this in the concern's thread.",
            ),
        ],
    )
    return view.to_dict()


def read_raise_form(values: Values) -> RaiseForm:
    chosen = selected_in(values, PRINCIPLE)
    if chosen is None:
        raise InvalidInput("Choose the principle the concern is about.", field=PRINCIPLE)
    return RaiseForm(number=int(chosen), text=text_in(values, DESCRIPTION))


def resolve_form(concern: Concern, metadata: str) -> dict[str, Any]:
    view = View(
        type="modal",
        callback_id=RESOLVE_FORM,
        title="Resolve a concern",
        submit="Resolve",
        close="Cancel",
        private_metadata=metadata,
        blocks=[
            section(f"{_heading(concern)}\n{quote(concern.text, 1500)}"),
            text_input(
                NOTE, "How was it resolved?", hint="The note is posted in the concern's thread."
            ),
        ],
    )
    return view.to_dict()


def read_resolve_form(values: Values) -> str:
    return text_in(values, NOTE)


def _heading(concern: Concern) -> str:
    return f"*Concern #{concern.id}* about {_principle(concern)}"


def _principle(concern: Concern) -> str:
    return f"principle {concern.principle_position}: {escape(concern.principle_title, 150)}"


def _raiser(concern: Concern) -> str:
    """Anonymous if it was raised while concerns were, whatever the setting is now."""
    return "someone (raised anonymously)" if concern.anonymous else mention(concern.raised_by)
