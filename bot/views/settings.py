"""`/plan settings`: one form with every setting of a project, beside the reader of its values.

Each block id is the name the settings service gives a field error, so an
error lands under the field it is about.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ConversationFilter,
    ConversationSelectElement,
    InputBlock,
    Option,
)
from slack_sdk.models.views import View

from bot.services.process_control import RULE_LENGTHS
from bot.services.projects import CALENDARS, ProjectSettings
from bot.views.inputs import Values, option, select_input, selected_in, text_in, text_input
from bot.views.message import Message, blocks, section
from bot.views.text import Limit, escape, plain
from storage.models import SignoffMode

SETTINGS_FORM = "project_settings_form"
TIMEZONE = "timezone"
CALENDAR = "calendar"
SIGNOFF = "signoff"
ANONYMOUS_CONCERNS = "anonymous_concerns"
SHARE_FEEDBACK = "share_feedback"
FORUM = "forum"
RULE_LENGTH = "rule_length"
_YES = "yes"

_SIGNOFF_LABELS = {
    SignoffMode.SINGLE: "Single: the stage's owner or a lead completes it",
    SignoffMode.JOINT: "Joint: one of the management side and one of the union side confirm",
}


def settings_form(settings: ProjectSettings, metadata: str) -> dict[str, Any]:
    calendars = [option(code, name) for code, name in CALENDARS.items()]
    signoffs = [option(mode.value, label) for mode, label in _SIGNOFF_LABELS.items()]
    lengths = [option(str(n), f"{n} points") for n in RULE_LENGTHS]
    view = View(
        type="modal",
        callback_id=SETTINGS_FORM,
        title="Project settings",
        submit="Save",
        close="Cancel",
        private_metadata=metadata,
        blocks=[
            text_input(
                TIMEZONE,
                "Time zone",
                multiline=False,
                max_length=64,
                initial=settings.timezone,
                hint="Schedules, due dates and nudges follow it, e.g. Europe/London.",
            ),
            select_input(
                CALENDAR,
                "Bank holidays",
                calendars,
                initial=_chosen(calendars, settings.calendar),
                hint="A run falling on one of these bank holidays moves to the next working day.",
            ),
            select_input(
                SIGNOFF,
                "Sign-off",
                signoffs,
                initial=_chosen(signoffs, settings.signoff_mode),
                hint="Joint: a stage is done only when both sides have confirmed it, two "
                "different people. It needs someone on each side.",
            ),
            _switch(
                ANONYMOUS_CONCERNS,
                "Concerns",
                "Show principle concerns without the name of who raised them",
                on=settings.anonymous_concerns,
                hint="People may raise a concern more freely when no name is shown.",
            ),
            _switch(
                SHARE_FEEDBACK,
                "Feedback",
                "Also post feedback in the channel",
                on=settings.post_feedback_in_channel,
                hint="Otherwise only the leads read it, in /feedback list and the export; "
                "the digest gives only a count.",
            ),
            _forum_input(settings.forum_channel_id),
            select_input(
                RULE_LENGTH,
                "Chart rules",
                lengths,
                initial=_chosen(lengths, str(settings.rule_length)),
                hint="How many points in a row on one side of the mean (a shift), or "
                "steadily rising or falling (a trend), count as a real change. 6 is usual; "
                "7 or 8 signal less often.",
            ),
        ],
    )
    return view.to_dict()


def read_settings_form(values: Values, *, project_channel: str) -> ProjectSettings:
    length = selected_in(values, RULE_LENGTH)
    forum = (values.get(FORUM, {}).get(FORUM) or {}).get("selected_conversation")
    return ProjectSettings(
        timezone=text_in(values, TIMEZONE),
        calendar=selected_in(values, CALENDAR) or "",
        signoff_mode=SignoffMode(selected_in(values, SIGNOFF) or SignoffMode.SINGLE),
        anonymous_concerns=_switched_on(values, ANONYMOUS_CONCERNS),
        post_feedback_in_channel=_switched_on(values, SHARE_FEEDBACK),
        forum_channel_id=str(forum) if forum and forum != project_channel else None,
        rule_length=int(length) if length and length.isdigit() else 0,
    )


def settings_saved(settings: ProjectSettings) -> Message:
    concerns = "without names" if settings.anonymous_concerns else "with names"
    where = f"<#{settings.forum_channel_id}>" if settings.forum_channel_id else "this channel"
    feedback = "also" if settings.post_feedback_in_channel else "not"
    lines = [
        ":gear: Settings saved.",
        f"• Time zone {escape(settings.timezone, 64)}, "
        f"bank holidays of {CALENDARS[settings.calendar]}",
        f"• Sign-off: {_SIGNOFF_LABELS[settings.signoff_mode]}",
        f"• Concerns {concerns}, posted in {where}",
        f"• Feedback {feedback} posted in the channel",
        f"• Chart rules of {settings.rule_length} points",
    ]
    text = "\n".join(lines)
    return Message(text=text, blocks=blocks(section(text)))


def _chosen(options: list[Option], value: str) -> Option | None:
    return next((each for each in options if each.value == value), None)


def _switch(block_id: str, label: str, choice: str, *, on: bool, hint: str) -> Block:
    yes = option(_YES, choice)
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=True,
        hint=plain(hint, Limit.FIELD),
        element=CheckboxesElement(
            action_id=block_id, options=[yes], initial_options=[yes] if on else None
        ),
    )


def _switched_on(values: Values, block_id: str) -> bool:
    state = values.get(block_id, {}).get(block_id) or {}
    return any(chosen.get("value") == _YES for chosen in state.get("selected_options") or [])


def _forum_input(forum_channel_id: str | None) -> Block:
    return InputBlock(
        block_id=FORUM,
        label="Concerns channel",
        optional=True,
        hint=plain(
            "Where principle concerns are posted. Leave it empty, or choose this channel "
            "again, to post them here. Invite changebot to another channel first.",
            Limit.FIELD,
        ),
        element=ConversationSelectElement(
            action_id=FORUM,
            initial_conversation=forum_channel_id,
            filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
        ),
    )
