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
        Form("anonymous [#N] TEXT", "feedback with no trace of who gave it (or `anon`)"),
        Form("", "a form: stage, rating, whose view, anonymous, text"),
        Form("help", "this message"),
    ),
)

# `#7` before the text names a stage; `#general` (a channel, which Slack sends as
# `<#C…|general>`) or `#1a` is just part of the feedback.
_STAGE_PREFIX = re.compile(r"#\d+(?=\s|$)")
# `anonymous` (or `anon`) before or after the stage: store no author.
_ANONYMOUS_PREFIX = re.compile(r"(?:anonymous|anon)(?=\s|$)", re.IGNORECASE)


@dataclass(frozen=True)
class GiveFeedback:
    text: str
    stage_number: int | None = None
    anonymous: bool = False


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
    anonymous, stripped = _peel_anonymous(stripped)
    match = _STAGE_PREFIX.match(stripped)
    number = None
    if match is not None:
        number = whole_number(match.group())
        if number is None:
            raise FEEDBACK.error(f"`{match.group()}` is not a stage number.", form="#N")
        stripped = stripped[match.end() :].strip()
        if not anonymous:
            anonymous, stripped = _peel_anonymous(stripped)
    said = to_plain(stripped).strip()
    if not said:
        about = f" on stage {number}" if number is not None else ""
        raise FEEDBACK.error(
            f"Say what your feedback{about} is.", form="anonymous" if anonymous else "#N"
        )
    return GiveFeedback(said, number, anonymous)


def _peel_anonymous(text: str) -> tuple[bool, str]:
    match = _ANONYMOUS_PREFIX.match(text)
    if match is None:
        return False, text
    return True, text[match.end() :].strip()
