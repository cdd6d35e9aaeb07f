"""You said, we did in Slack: the lead's list of feedback, the form that publishes an answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import ActionsBlock, ButtonElement
from slack_sdk.models.views import View

from bot.services.you_said import MAX_PAIR_LENGTH, Answerable
from bot.views import addresses
from bot.views.dates import day
from bot.views.feedback import about, answer_button, from_whom, said, spoken_label
from bot.views.inputs import Values, text_in, text_input
from bot.views.message import Message, blocks, confirm_dialog, context, header, section
from bot.views.replies import confirmation
from storage.models import Feedback, Project

YOU_SAID_FORM = "you_said_we_did_form"
WITHDRAW_ANSWER = "you_said_we_did_withdraw"
YOU_SAID = "you_said"
WE_DID = "we_did"
FIELDS = {"you_said_we_did.you_said": YOU_SAID, "you_said_we_did.we_did": WE_DID}
_QUOTED = 600


@dataclass(frozen=True)
class Pair:
    you_said: str
    we_did: str


def feedback_list(project: Project, listed: list[Answerable], *, page: str | None) -> Message:
    """The 20 most recent pieces of feedback, each with its button; `page`: where the
    published answers are, once the project has a link."""
    zone = ZoneInfo(project.timezone)
    if not listed:
        return confirmation(
            "No feedback yet. `/feedback link` gives a page where service users can answer."
        )
    items = [header(f"Recent feedback: {project.name}")]
    for answerable in listed:
        feedback = answerable.feedback
        when = day(feedback.created_at.astimezone(zone).date())
        text = f"*{when}* · on {about(answerable.stage)} {from_whom(feedback, answerable.side)}"
        items.append(
            section(
                f"{text}\n{said(feedback, _QUOTED)}",
                accessory=answer_button(feedback, answered=answerable.published),
            )
        )
        if answerable.published:
            items.append(_published_line(feedback))
    if page:
        items.append(context(f"Published answers are on “You said, we did”: <{page}>"))
    return Message(text=f"Recent feedback: {len(listed)}", blocks=blocks(*items))


def _published_line(feedback: Feedback) -> ActionsBlock:
    label = "Take it off the page"
    withdraw = ButtonElement(
        text=label,
        action_id=WITHDRAW_ANSWER,
        value=str(feedback.id),
        accessibility_label=spoken_label(label, feedback),
        confirm=confirm_dialog(
            "Take this off “You said, we did”?",
            "The answer leaves the public page at once. You can publish one again later.",
            confirm="Take it off",
            deny="Keep it",
        ),
    )
    return ActionsBlock(block_id=f"published-{feedback.id}", elements=[withdraw])


def you_said_form(answerable: Answerable, metadata: str) -> dict[str, Any]:
    """Two fields: "You said", from the feedback, for the lead to edit; and "We did"."""
    pair = answerable.pair
    you_said = pair.you_said if pair is not None else answerable.feedback.text
    view = View(
        type="modal",
        callback_id=YOU_SAID_FORM,
        title="You said, we did",
        submit="Publish",
        close="Cancel",
        private_metadata=metadata,
        blocks=[
            section(
                "What you publish here appears on the project's public page, with today's date."
                " Nothing anyone wrote is published until you send this form."
            ),
            text_input(
                YOU_SAID,
                "You said",
                hint="Put it in your own words and remove anything that could identify a person:"
                " names, ages, dates, bed or room numbers, a rare condition.",
                max_length=MAX_PAIR_LENGTH,
                initial=you_said or None,
            ),
            text_input(
                WE_DID,
                "We did",
                hint="What changed because of it, in plain English.",
                max_length=MAX_PAIR_LENGTH,
                initial=pair.we_did if pair is not None else None,
            ),
        ],
    )
    return view.to_dict()


def read_you_said_form(values: Values) -> Pair:
    return Pair(you_said=text_in(values, YOU_SAID), we_did=text_in(values, WE_DID))


def published(page: str | None) -> Message:
    where = f" at <{page}>" if page else ""
    return confirmation(f":loudspeaker: Published on “You said, we did”{where}.")


def withdrawn() -> Message:
    return confirmation(":wastebasket: Taken off “You said, we did”.")


def page_of(base: str, token: str | None) -> str | None:
    """The public page's address, if the project has a feedback link yet."""
    return addresses.you_said_page(base, token) if token else None
