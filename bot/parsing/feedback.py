"""`/feedback` text into typed requests (SPEC §3)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.parsing.forms import CommandForms, Form, ShowHelp, whole_number
from bot.parsing.slack_text import to_plain

FEEDBACK = CommandForms(
    command="/feedback",
    summary="feedback on the project or a stage",
    forms=(
        Form("TEXT", "feedback on the project"),
        Form("#N TEXT", "feedback on stage N"),
        Form("", "a form: stage, rating, whose view, anonymous, text"),
        Form("help", "this message"),
    ),
)

# `#7` before the text names a stage; `#general` (a channel, which Slack sends as
# `<#C…|general>`) or `#1a` is just part of the feedback.
_STAGE_PREFIX = re.compile(r"#\d+(?=\s|$)")


@dataclass(frozen=True)
class GiveFeedback:
    text: str
    stage_number: int | None = None


@dataclass(frozen=True)
class OpenFeedbackForm:
    """No text: the person gets the form, with stage, rating, role and anonymity."""


FeedbackRequest = GiveFeedback | OpenFeedbackForm | ShowHelp


def parse_feedback(text: str) -> FeedbackRequest:
    stripped = text.strip()
    if not stripped:
        return OpenFeedbackForm()
    if stripped.lower() == "help":
        return ShowHelp()
    match = _STAGE_PREFIX.match(stripped)
    if match is None:
        return GiveFeedback(to_plain(stripped).strip())
    number = whole_number(match.group())
    if number is None:
        raise FEEDBACK.error(f"`{match.group()}` is not a stage number.", form="#N")
    said = to_plain(stripped[match.end() :]).strip()
    if not said:
        raise FEEDBACK.error(f"Say what your feedback on stage {number} is.", form="#N")
    return GiveFeedback(said, number)
