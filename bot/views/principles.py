"""The agreed principles in Block Kit: the list, the edit form (beside its reader), reminders."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement
from slack_sdk.models.views import View

from bot.errors import InvalidInput
from bot.parsing.schedule import ScheduleSpec
from bot.services.principles import (
    MAX_PRINCIPLES,
    MEANING_LENGTH,
    TITLE_LENGTH,
    PrincipleDraft,
    PrinciplesEdit,
    Reminder,
)
from bot.views.dates import schedule_times
from bot.views.inputs import Values, text_in, text_input
from bot.views.message import Message, blocks, context, mention, section
from bot.views.text import counted, escape
from storage.models import Principle

EDIT_FORM = "principles_edit"
EDIT_TITLE = "Edit the principles"
# The reminder's button: opens the concern form with the reminder's principle chosen.
RAISE_FROM_REMINDER = "principle_raise_concern"
# Empty slots at the end of the edit form, for new principles.
_NEW_SLOTS = 2
_MENTIONS_SHOWN = 40


def _title_block(slot: int) -> str:
    return f"title-{slot}"


def _meaning_block(slot: int) -> str:
    return f"meaning-{slot}"


# Where an error about the set as a whole is shown.
FIRST_TITLE = _title_block(1)


def principle_line(principle: Principle) -> str:
    return (
        f"*{principle.position}. {escape(principle.title, 150)}*: {escape(principle.meaning, 600)}"
    )


def principle_list(principles: list[Principle], agreed: list[str], *, caller: str) -> Message:
    """`/principles`: the set, numbered, and who has agreed to it."""
    items = [section(":compass: *The principles we agreed to work by*")]
    items += [section(principle_line(principle)) for principle in principles]
    items.append(section(_agreement_line(agreed)))
    if caller not in agreed:
        items.append(context("Agree to them with `/principles agree`."))
    text = f"The {counted(len(principles), 'principle')} we agreed to work by"
    return Message(text=text, blocks=blocks(*items))


def _agreement_line(agreed: list[str]) -> str:
    if not agreed:
        return ":hourglass: Nobody has agreed to this set yet."
    shown = ", ".join(mention(user_id) for user_id in agreed[:_MENTIONS_SHOWN])
    if len(agreed) > _MENTIONS_SHOWN:
        shown += f" and {len(agreed) - _MENTIONS_SHOWN} more"
    noun = "partner has" if len(agreed) == 1 else "partners have"
    return f":handshake: {len(agreed)} {noun} agreed: {shown}."


def agreement_recorded(*, new: bool) -> Message:
    text = (
        ":handshake: Thank you: your agreement to the principles is recorded."
        if new
        else "You have already agreed to the principles; nothing has changed."
    )
    return Message(text=text, blocks=blocks(section(text)))


def edit_form(principles: list[Principle], metadata: str) -> dict[str, Any]:
    """The lead's form: one title and meaning per principle, and empty ones to add more."""
    slots = min(len(principles) + _NEW_SLOTS, MAX_PRINCIPLES)
    items: list[Block] = [
        context(
            "Reword a principle in place. Clear its title and meaning to remove it; fill an empty "
            "one to add one. Saving a changed set clears every agreement, and the channel is "
            "asked to agree again."
        )
    ]
    for slot in range(1, slots + 1):
        current = principles[slot - 1] if slot <= len(principles) else None
        items += _slot_inputs(slot, current)
    view = View(
        type="modal",
        callback_id=EDIT_FORM,
        title=EDIT_TITLE,
        submit="Save",
        close="Cancel",
        private_metadata=metadata,
        blocks=items,
    )
    return view.to_dict()


def _slot_inputs(slot: int, current: Principle | None) -> list[Block]:
    label = f"Principle {slot}" if current is not None else f"New principle ({slot})"
    return [
        text_input(
            _title_block(slot),
            label,
            optional=True,
            multiline=False,
            max_length=TITLE_LENGTH,
            initial=current.title if current else None,
        ),
        text_input(
            _meaning_block(slot),
            "What it means, in one line",
            optional=True,
            max_length=MEANING_LENGTH,
            initial=current.meaning if current else None,
        ),
    ]


def read_edit_form(values: Values) -> list[PrincipleDraft]:
    """The principles as submitted, in order, empty slots dropped."""
    drafts = []
    for slot in range(1, MAX_PRINCIPLES + 1):
        title, meaning = text_in(values, _title_block(slot)), text_in(values, _meaning_block(slot))
        if meaning and not title:
            raise InvalidInput(
                "Give this principle a title, or clear its meaning too to remove it.",
                field=_title_block(slot),
            )
        if title:
            drafts.append(PrincipleDraft(title=title, meaning=meaning))
    if not drafts:
        raise InvalidInput("Keep at least one principle.", field=FIRST_TITLE)
    return drafts


def edit_saved(edit: PrinciplesEdit) -> Message:
    """What the lead who saved the form is told."""
    if not edit.changed:
        text = "Nothing changed: the principles are as they were, and so are the agreements."
    else:
        text = (
            f":white_check_mark: Saved: {counted(len(edit.principles), 'principle')}. "
            f"{_cleared(edit.cleared)} The channel has been asked to agree again."
        )
    return Message(text=text, blocks=blocks(section(text)))


def principles_changed(edit: PrinciplesEdit, *, by: str) -> Message:
    """What the channel is told: the new set, and that everyone should agree again."""
    heading = f":compass: {mention(by)} has changed the principles we work by."
    lines = [section(principle_line(principle)) for principle in edit.principles]
    ask = f"{_cleared(edit.cleared)} Please read them and agree again with `/principles agree`."
    return Message(
        text=f"{heading} Please agree again with /principles agree.",
        blocks=blocks(section(heading), *lines, context(ask)),
    )


def _cleared(count: int) -> str:
    if count == 0:
        return "Nobody had agreed to the old set yet."
    noun = "agreement was" if count == 1 else "agreements were"
    return f"{count} {noun} cleared."


def reminder(due: Reminder) -> Message:
    """One principle, with its meaning and a button to raise a concern about it."""
    principle = due.principle
    title = escape(principle.title, 150)
    button = ButtonElement(
        text="Raise a concern",
        action_id=RAISE_FROM_REMINDER,
        value=str(principle.position),
    )
    return Message(
        text=f":compass: Principle {principle.position} of {due.total}: {title}",
        blocks=blocks(
            section(
                f":compass: *Principle {principle.position} of {due.total}: {title}*\n"
                f"{escape(principle.meaning, 2000)}"
            ),
            context(
                "Is something not working to this principle? Raise a concern: it gets its own "
                "thread, and leads are asked to respond. `/principles` lists them all."
            ),
            ActionsBlock(elements=[button]),
        ),
    )


def reminder_scheduled(
    spec: ScheduleSpec, first: datetime | None, zone: ZoneInfo, *, replaced: int
) -> Message:
    text = (
        ":alarm_clock: The channel will be reminded of one principle "
        f"{schedule_times(spec, first, zone)}, in turn."
    )
    if replaced:
        text += " This replaces the reminder that was set before."
    return Message(text=text, blocks=blocks(section(text)))


def reminders_stopped(count: int) -> Message:
    text = (
        ":no_bell: Principle reminders are stopped."
        if count
        else "There were no principle reminders to stop."
    )
    return Message(text=text, blocks=blocks(section(text)))
