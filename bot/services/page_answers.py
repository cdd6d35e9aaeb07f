"""Answers from the public feedback page (SPEC §7), checked and stored as feedback.

An answer is anonymous by construction: the page asks for no name, and
nothing about the browser or its address reaches this module. Every problem
with an answer is found at once, so that the page can list them all.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, replace
from typing import TypeVar

from sqlmodel import Session

from bot.errors import ChangebotError, NotAllowed
from bot.services.feedback import Given
from bot.services.feedback_links import PublicLink
from storage.models import Experience, Feedback, PageSource, saved_id

log = logging.getLogger(__name__)

MAX_ANSWER_LENGTH = 2000

# The Friends and Family Test answer as the feedback's rating (5 is best); "Don't know" has none.
RATING_OF = {
    Experience.VERY_GOOD: 5,
    Experience.GOOD: 4,
    Experience.NEITHER: 3,
    Experience.POOR: 2,
    Experience.VERY_POOR: 1,
    Experience.DONT_KNOW: None,
}

# The page's fields, in the order the page asks them (and lists their problems).
FIELDS = ("experience", "good", "better", "source")
_NOT_AN_EXPERIENCE = "Choose one of the answers about your experience, or none."
_NOT_A_SOURCE = "Choose one of the descriptions, or none."
_NOTHING_ANSWERED = (
    "Answer at least one question: how your experience was, what was good, or what could be better."
)
_Choice = TypeVar("_Choice", Experience, PageSource)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

GOOD_HEADING = "What was good"
BETTER_HEADING = "What could be better"


@dataclass(frozen=True)
class PageAnswer:
    """The form's values as they arrived: any text, any choice, all of it possibly empty."""

    experience: str = ""
    good: str = ""
    better: str = ""
    source: str = ""


class AnswerProblems(ChangebotError):
    """What is wrong with an answer, by field (`experience`, `good`, `better`, `source`)."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(" ".join(problems.values()))
        self.problems = problems


def answer_length(text: str) -> int:
    """Characters as the person sees them: a line ending is one, however the browser sent it."""
    return len(_as_typed(text))


def take_answer(*, session: Session, link: PublicLink, answer: PageAnswer) -> Given:
    """Store the answer as the project's (or the stage's) anonymous feedback."""
    if not link.open:
        raise NotAllowed("This feedback link is not taking answers.")
    answer = replace(answer, good=_as_typed(answer.good), better=_as_typed(answer.better))
    experience, source = _checked(answer)
    good, better = _said(answer.good), _said(answer.better)
    feedback = Feedback(
        project_id=saved_id(link.project),
        stage_id=link.link.stage_id,
        rating=RATING_OF[experience] if experience is not None else None,
        experience=experience,
        source_role=source,
        author_id=None,
        text=_feedback_text(good, better),
        link_id=saved_id(link.link),
    )
    session.add(feedback)
    session.flush()
    log.info("page answer stored as feedback %s in project %s", feedback.id, link.project.id)
    return Given(link.project, feedback, link.stage)


def _checked(answer: PageAnswer) -> tuple[Experience | None, PageSource]:
    problems: dict[str, str] = {}
    experience = _chosen(Experience, answer.experience, problems, "experience", _NOT_AN_EXPERIENCE)
    for field, question in (("good", "What was good?"), ("better", "What could be better?")):
        length = answer_length(getattr(answer, field).strip())
        if length > MAX_ANSWER_LENGTH:
            problems[field] = (
                f"Your answer to “{question}” must be {MAX_ANSWER_LENGTH:,} characters or"
                f" fewer: it has {length:,}."
            )
    source = _chosen(PageSource, answer.source, problems, "source", _NOT_A_SOURCE)
    answered = experience or _said(answer.good) or _said(answer.better)
    if not problems and not answered:
        problems["experience"] = _NOTHING_ANSWERED
    if problems:
        raise AnswerProblems(dict(sorted(problems.items(), key=lambda item: FIELDS.index(item[0]))))
    return experience, source or PageSource.NOT_SAID


def _chosen(
    kind: type[_Choice], value: str, problems: dict[str, str], field: str, problem: str
) -> _Choice | None:
    """The choice a value names; None when none was made or, noting the problem, it names none."""
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        problems[field] = problem
        return None


def _feedback_text(good: str, better: str) -> str:
    parts = ((GOOD_HEADING, good), (BETTER_HEADING, better))
    return "\n\n".join(f"{heading}: {said}" for heading, said in parts if said)


def _said(text: str) -> str:
    """The text without the space around it, or nothing when it is all blank: spaces, or
    characters that show nothing (a zero-width space, a byte-order mark, a word joiner)."""
    text = text.strip()
    shown = any(not (c.isspace() or unicodedata.category(c) == "Cf") for c in text)
    return text if shown else ""


def _as_typed(text: str) -> str:
    """The text as the person typed it: one kind of line ending, and no control characters
    (a browser sends none of them; PostgreSQL refuses a NUL)."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
