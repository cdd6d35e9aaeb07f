"""`/feedback` text into typed requests (SPEC §3)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from enum import StrEnum

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
        Form("link [#N]", "the public feedback page's link, QR code and poster (leads)"),
        Form("link [#N] new", "replace the link: the old one stops working (leads)"),
        Form("link [#N] off", "close the link: its page says feedback is closed (leads)"),
        Form("list", "the 20 most recent pieces of feedback, to answer publicly (leads)"),
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


class LinkAction(StrEnum):
    SHOW = "show"
    NEW = "new"
    OFF = "off"


@dataclass(frozen=True)
class ManageLink:
    """`/feedback link [#N] [new|off]`: the public page's link for the project or a stage."""

    action: LinkAction = LinkAction.SHOW
    stage_number: int | None = None


@dataclass(frozen=True)
class ListFeedback:
    """`/feedback list`: the recent feedback, each to answer on "You said, we did"."""


FeedbackRequest = GiveFeedback | OpenFeedbackForm | ManageLink | ListFeedback | ShowHelp


def parse_feedback(text: str) -> FeedbackRequest:
    stripped = text.strip()
    if not stripped:
        return OpenFeedbackForm()
    if stripped.lower() == "help":
        return ShowHelp()
    if stripped.lower() == "list":
        return ListFeedback()
    meant = FEEDBACK.mistyped(stripped) if " " not in stripped else None
    if meant is not None:
        raise FEEDBACK.error(
            f"Did you mean `/feedback {meant}`? `{to_plain(stripped)}` was not saved as "
            "feedback: give feedback in a few words.",
            form="TEXT",
        )
    link = _link_request(stripped)
    if link is not None:
        return link
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


def _link_request(text: str) -> ManageLink | None:
    """`link`, then a stage and `new` or `off` in either order; anything else is feedback.

    "/feedback link to the rota is broken" is feedback about a link, not a request for one.
    """
    word, *rest = text.lower().split()
    if word != "link" or len(rest) > 2:
        return None
    stages = [part for part in rest if _STAGE_PREFIX.fullmatch(part)]
    _refuse_a_mistyped_action([part for part in rest if part not in stages])
    actions = [LinkAction(part) for part in rest if part in (LinkAction.NEW, LinkAction.OFF)]
    if len(stages) + len(actions) != len(rest) or len(stages) > 1 or len(actions) > 1:
        return None
    number = whole_number(stages[0]) if stages else None
    if stages and number is None:
        raise FEEDBACK.error(f"`{stages[0]}` is not a stage number.", form="link [#N]")
    return ManageLink(actions[0] if actions else LinkAction.SHOW, number)


def _refuse_a_mistyped_action(words: list[str]) -> None:
    """`link nwe`: a slip for `new` or `off` is said to be one, rather than kept as feedback."""
    if len(words) != 1:
        return
    actions = [action.value for action in (LinkAction.NEW, LinkAction.OFF)]
    matches = difflib.get_close_matches(words[0], actions, n=1, cutoff=0.6)
    if matches and matches[0] != words[0]:
        raise FEEDBACK.error(
            f"Did you mean `/feedback link {matches[0]}`? "
            f"`{to_plain(words[0])}` is not something a link can do.",
            form=f"link [#N] {matches[0]}",
        )


def _peel_anonymous(text: str) -> tuple[bool, str]:
    match = _ANONYMOUS_PREFIX.match(text)
    if match is None:
        return False, text
    return True, text[match.end() :].strip()
