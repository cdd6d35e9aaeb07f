"""Feedback on the project or one of its stages, anonymous when the giver asks.

Anonymous feedback is stored with no author and is never logged with one: the
only trace of who gave it is that it exists.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlmodel import Session

from bot.errors import InvalidInput
from bot.services.partners import role_of, shown_side
from bot.services.stages import get_stage, list_stages
from storage.db import insert_row
from storage.models import Feedback, Project, Role, Stage, saved_id

log = logging.getLogger(__name__)

RATINGS = range(1, 6)


@dataclass(frozen=True)
class Given:
    """Feedback just stored, with the stage it is about (None: the project as a whole)."""

    project: Project
    feedback: Feedback
    stage: Stage | None


@dataclass(frozen=True)
class FormChoices:
    """What the feedback form offers: the plan's stages.

    Whose view it is stays for the giver to choose: a side filled in for them
    would tell anyone looking over their shoulder, and tempt them to leave it.
    """

    stages: list[Stage]


def form_choices(*, session: Session, project: Project) -> FormChoices:
    return FormChoices(stages=list_stages(session=session, project=project))


def default_role(*, session: Session, project: Project, user_id: str) -> Role:
    """Whose view feedback gives unless the giver says otherwise: their partner role.

    Someone in the channel who has no role in the project yet speaks as staff.
    """
    return role_of(session=session, project=project, user_id=user_id) or Role.STAFF


def give_feedback(
    *,
    session: Session,
    project: Project,
    by: str,
    text: str,
    stage_number: int | None = None,
    stage_id: int | None = None,
    rating: int | None = None,
    role: Role | None = None,
    anonymous: bool = False,
) -> Given:
    """Store feedback; a stage is named by its number (typed) or its id (chosen in the form)."""
    if not text.strip():
        raise InvalidInput("Feedback needs some text.", field="feedback.text")
    if rating is not None and rating not in RATINGS:
        raise InvalidInput("A rating is a whole number from 1 to 5.", field="feedback.rating")
    stage = _stage(session, project, stage_number=stage_number, stage_id=stage_id)
    feedback = Feedback(
        project_id=saved_id(project),
        stage_id=stage.id if stage is not None else None,
        rating=rating,
        source_role=role or default_role(session=session, project=project, user_id=by),
        author_id=None if anonymous else by,
        text=text.strip(),
    )
    insert_row(session, feedback)
    log.info("feedback %s stored in project %s", feedback.id, project.id)
    return Given(project, feedback, stage)


def _stage(
    session: Session, project: Project, *, stage_number: int | None, stage_id: int | None
) -> Stage | None:
    if stage_number is not None:
        return get_stage(session=session, project=project, number=stage_number)
    if stage_id is None:
        return None
    stage = session.get(Stage, stage_id)
    if stage is None or stage.project_id != project.id:
        raise InvalidInput("That stage is no longer in the plan.", field="feedback.stage")
    return stage


def feedback_side(feedback: Feedback, *, shown: set[str]) -> str:
    """The side feedback is shown with (`sides_shown_anonymously` gives `shown`).

    A page answer keeps the description its giver chose: they answer among
    everyone who uses the service, not among a project's few partners, so
    saying "a carer" points to nobody.
    """
    if feedback.link_id is not None:
        return feedback.source_role
    return shown_side(feedback.source_role, anonymous=feedback.author_id is None, shown=shown)
