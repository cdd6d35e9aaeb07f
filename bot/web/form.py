"""What the feedback form asks (SPEC §7), and how its answers and their problems are shown.

The choices' values are the domain's (`Experience`, `PageSource`); their
labels and the fields' ids are the page's. A problem from the service is
keyed by field name, and each field's id on the page is its name, so the
error summary links straight to it (for radios, to the first one, as GOV.UK
does).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.services.page_answers import FIELDS, MAX_ANSWER_LENGTH, PageAnswer
from storage.models import Experience, PageSource

EXPERIENCE_QUESTION = "Overall, how was your experience of our service?"
EXPERIENCES = (
    (Experience.VERY_GOOD, "Very good"),
    (Experience.GOOD, "Good"),
    (Experience.NEITHER, "Neither good nor poor"),
    (Experience.POOR, "Poor"),
    (Experience.VERY_POOR, "Very poor"),
    (Experience.DONT_KNOW, "Don't know"),
)
SOURCE_QUESTION = "Which best describes you?"
SOURCES = (
    (PageSource.SERVICE_USER, "I use the service"),
    (PageSource.CARER, "A carer, family member or friend"),
    (PageSource.STAFF, "Staff"),
    (PageSource.OTHER, "Other"),
    (PageSource.NOT_SAID, "Prefer not to say"),
)
TEXT_QUESTIONS = (("good", "What was good?"), ("better", "What could be better?"))
TEXT_HINT = f"You can write up to {MAX_ANSWER_LENGTH:,} characters. Do not include your name."

# The hidden fields: the anti-forgery token, and the one only robots fill in.
FORGERY_FIELD = "form_token"
ROBOT_FIELD = "website"
# Where the summary points when the problem is the whole form's (it was open too long).
SEND_BUTTON = "send"
EXPIRED = (
    "This page was open for more than a day, so your answers were not sent."
    " Check them and press Send again."
)


@dataclass(frozen=True)
class FormState:
    """The form as it is shown: what was typed, and the problems by field id, in order."""

    answer: PageAnswer = field(default_factory=PageAnswer)
    problems: Mapping[str, str] = field(default_factory=dict)


def read_answer(form: Mapping[str, str]) -> PageAnswer:
    """The posted values as they came, each field read once (a repeated one: its first)."""
    return PageAnswer(**{name: form.get(name, "") for name in FIELDS})


def robot_filled(form: Mapping[str, str]) -> bool:
    return bool(form.get(ROBOT_FIELD, "").strip())


def expired(answer: PageAnswer) -> FormState:
    return FormState(answer, {SEND_BUTTON: EXPIRED})
