"""Feedback in Block Kit: the form (beside the reader of its values) and the acknowledgements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import ButtonElement
from slack_sdk.models.views import View

from bot.services.feedback import RATINGS, FormChoices, Given
from bot.views.inputs import (
    Values,
    anonymous_in,
    anonymous_input,
    option,
    role_in,
    role_input,
    select_input,
    selected_in,
    text_in,
    text_input,
    whose_view,
)
from bot.views.message import Message, blocks, mention, section
from bot.views.replies import confirmation
from bot.views.text import Limit, escape, plain, quote
from storage.models import Experience, Feedback, PageSource, Role, Stage

FEEDBACK_FORM = "feedback_form"
ANSWER_FEEDBACK = "feedback_answer"
STAGE = "stage"
RATING = "rating"
TEXT = "text"
WHOLE_PROJECT = "project"
# The form's block for each value the domain names in its errors.
FIELDS = {"feedback.text": TEXT, "feedback.rating": RATING, "feedback.stage": STAGE}
# A static select holds 100 options; one is "the project as a whole".
MAX_STAGE_OPTIONS = 99

_RATING_WORDS = {1: "poor", 2: "fair", 3: "good", 4: "very good", 5: "excellent"}
# How a page answer's giver described themselves, and their Friends and Family Test answer.
PAGE_SOURCE_WORDS: dict[str, str] = {
    PageSource.SERVICE_USER: "a service user",
    PageSource.CARER: "a carer, family member or friend",
    PageSource.STAFF: "staff",
    PageSource.OTHER: "someone who chose “other”",
    PageSource.NOT_SAID: "someone who preferred not to say who they are",
}
EXPERIENCE_WORDS = {
    Experience.VERY_GOOD: "very good",
    Experience.GOOD: "good",
    Experience.NEITHER: "neither good nor poor",
    Experience.POOR: "poor",
    Experience.VERY_POOR: "very poor",
    Experience.DONT_KNOW: "don't know",
}


@dataclass(frozen=True)
class FeedbackForm:
    """What the form's submission says, before it is checked against the project."""

    text: str
    stage_id: int | None
    rating: int | None
    role: Role
    anonymous: bool


def feedback_form(choices: FormChoices, metadata: str) -> dict[str, Any]:
    """The `/feedback` modal: stage, rating, whose view, anonymous, and the text."""
    stages = choices.stages
    stage_options = [option(WHOLE_PROJECT, "The project as a whole")]
    stage_options += [
        option(str(stage.id), f"{stage.position}. {stage.title}")
        for stage in stages[:MAX_STAGE_OPTIONS]
    ]
    rating_options = [option(str(n), f"{n}: {_RATING_WORDS[n]}") for n in RATINGS]
    view = View(
        type="modal",
        callback_id=FEEDBACK_FORM,
        title="Feedback",
        submit="Send",
        close="Cancel",
        private_metadata=metadata,
        blocks=[
            select_input(STAGE, "What is it about?", stage_options, initial=stage_options[0]),
            select_input(RATING, "Rating", rating_options, optional=True),
            role_input(None),
            anonymous_input("Stay anonymous: store no name with this feedback"),
            text_input(TEXT, "Your feedback"),
        ],
    )
    return view.to_dict()


def read_feedback_form(values: Values) -> FeedbackForm:
    stage = selected_in(values, STAGE)
    rating = selected_in(values, RATING)
    return FeedbackForm(
        text=text_in(values, TEXT),
        stage_id=int(stage) if stage and stage != WHOLE_PROJECT else None,
        rating=int(rating) if rating else None,
        role=role_in(values),
        anonymous=anonymous_in(values),
    )


def feedback_recorded(given: Given, *, shared: bool) -> Message:
    """The private acknowledgement; it never repeats the feedback itself."""
    text = f":speech_balloon: Thank you: your feedback on {about(given.stage)} is recorded"
    text += " without your name." if given.feedback.author_id is None else "."
    text += " It is shared in the channel." if shared else " It is not posted in the channel."
    return confirmation(text)


def feedback_post(given: Given, *, side: str) -> Message:
    """Feedback shown in the channel (when the project shares it); anonymous shows no name.

    `side` is the one to show, kept back for anonymous feedback in a small project.
    A lead answers it on the public page with the button.
    """
    heading = f":speech_balloon: Feedback on {about(given.stage)} {from_whom(given.feedback, side)}"
    return Message(
        text=heading,
        blocks=blocks(
            section(
                f"{heading}\n{said(given.feedback, 2500)}",
                accessory=answer_button(given.feedback, answered=False),
            )
        ),
    )


def answer_button(feedback: Feedback, *, answered: bool) -> ButtonElement:
    """The lead's way to "You said, we did": answer the feedback, or edit the answer."""
    label = "Edit what we did" if answered else "We did something about this"
    return ButtonElement(
        text=label,
        action_id=ANSWER_FEEDBACK,
        value=str(feedback.id),
        accessibility_label=spoken_label(label, feedback),
    )


def spoken_label(label: str, feedback: Feedback) -> str:
    """What a screen reader says of a button about one piece of feedback: its label, then
    which feedback, so that a list's buttons with one label are told apart (the label
    comes first, as speech control says it)."""
    if not feedback.text:
        overall = EXPERIENCE_WORDS[feedback.experience] if feedback.experience else "no"
        return plain(f"{label}: an answer of {overall} overall, with no words", Limit.BUTTON)
    room = Limit.BUTTON - len(label) - len(": “”")
    return f"{label}: “{plain(' '.join(feedback.text.split()), room)}”"


def from_whom(feedback: Feedback, side: str) -> str:
    """ "from <@U1>, staff view · rated 4/5", or from the public page, with the giver's words."""
    if feedback.link_id is not None:
        source = PAGE_SOURCE_WORDS.get(side, side)
        overall = EXPERIENCE_WORDS.get(feedback.experience) if feedback.experience else None
        return f"from the feedback page: {source}" + (f" · overall: {overall}" if overall else "")
    who = mention(feedback.author_id) if feedback.author_id else "Someone (anonymous)"
    rating = f" · rated {feedback.rating}/5" if feedback.rating else ""
    return f"from {who}, {whose_view(side)}{rating}"


def said(feedback: Feedback, limit: int) -> str:
    """The feedback's words, quoted; a page answer may have none (only how it went overall)."""
    return quote(feedback.text, limit) if feedback.text else "_No words, only the overall answer._"


def about(stage: Stage | None) -> str:
    if stage is None:
        return "the project"
    return f"stage {stage.position} ({escape(stage.title, 300)})"
