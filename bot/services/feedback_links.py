"""Public feedback links (SPEC §7): one current link per project, or per stage on request.

The token is the only secret of a link: 128 random bits, so that nobody finds a
project's page by guessing. Replacing a link keeps the old row as `replaced`,
so that its token can still say so; closing keeps the token, so that "You
said, we did" stays at the same address while feedback is closed.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session, col, select

from bot.services.partners import require_lead
from bot.services.stages import get_stage
from storage.models import FeedbackLink, LinkState, Project, Stage, saved_id

log = logging.getLogger(__name__)

TOKEN_BYTES = 16
# What `secrets.token_urlsafe` makes, at most the column's width: anything else is not ours
# (and a NUL, say, would be refused by PostgreSQL rather than simply not found).
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


class LinkChange(StrEnum):
    """What `/feedback link` did to the link it hands back."""

    MADE = "made"
    REOPENED = "reopened"
    UNCHANGED = "unchanged"
    REPLACED = "replaced"
    CLOSED = "closed"


@dataclass(frozen=True)
class LinkAnswer:
    """A link a lead asked for, with what was done to it."""

    link: FeedbackLink
    stage: Stage | None
    change: LinkChange


@dataclass(frozen=True)
class PublicLink:
    """What a public page knows of the token it was reached by."""

    link: FeedbackLink
    project: Project
    stage: Stage | None

    @property
    def open(self) -> bool:
        return self.link.state == LinkState.OPEN


def link_subject(project: Project, stage: Stage | None) -> str:
    """What a link asks about, as its page and its QR code and poster are headed."""
    if stage is None:
        return project.name
    return f"“{stage.title}”, stage {stage.position} of {project.name}"


def share_link(
    *, session: Session, project: Project, by: str, stage_number: int | None = None
) -> LinkAnswer:
    """The current link, made on first use and opened again if it was closed."""
    require_lead(session=session, project=project, user_id=by, action="hand out the feedback link")
    stage = _stage(session, project, stage_number)
    current = _current(session, project, stage)
    if current is None:
        return LinkAnswer(_new_link(session, project, stage, by), stage, LinkChange.MADE)
    if current.state == LinkState.CLOSED:
        current.state = LinkState.OPEN
        session.add(current)
        log.info("feedback link %s reopened in project %s", current.id, project.id)
        return LinkAnswer(current, stage, LinkChange.REOPENED)
    return LinkAnswer(current, stage, LinkChange.UNCHANGED)


def replace_link(
    *, session: Session, project: Project, by: str, stage_number: int | None = None
) -> LinkAnswer:
    """A new token; the old link answers that it has been replaced."""
    require_lead(session=session, project=project, user_id=by, action="replace the feedback link")
    stage = _stage(session, project, stage_number)
    current = _current(session, project, stage)
    if current is not None:
        current.state = LinkState.REPLACED
        session.add(current)
    link = _new_link(session, project, stage, by)
    return LinkAnswer(link, stage, LinkChange.REPLACED if current else LinkChange.MADE)


def close_link(
    *, session: Session, project: Project, by: str, stage_number: int | None = None
) -> LinkAnswer | None:
    """Stop taking answers at the link (None: there was no link to close)."""
    require_lead(session=session, project=project, user_id=by, action="close the feedback link")
    stage = _stage(session, project, stage_number)
    current = _current(session, project, stage)
    if current is None:
        return None
    current.state = LinkState.CLOSED
    session.add(current)
    log.info("feedback link %s closed in project %s", current.id, project.id)
    return LinkAnswer(current, stage, LinkChange.CLOSED)


def find_link(*, session: Session, token: str) -> PublicLink | None:
    """The link a token names, in whatever state; None for a token never handed out."""
    if not _TOKEN.fullmatch(token):
        return None
    link = session.exec(select(FeedbackLink).where(FeedbackLink.token == token)).first()
    if link is None:
        return None
    project = session.get(Project, link.project_id)
    if project is None:
        return None
    stage = session.get(Stage, link.stage_id) if link.stage_id is not None else None
    return PublicLink(link, project, stage)


def public_token(*, session: Session, project: Project) -> str | None:
    """The token whose "You said, we did" page to point people to: the project's own link's,
    else its newest stage link's; None before the project has handed out any link."""
    query = (
        select(FeedbackLink.token)
        .where(FeedbackLink.project_id == project.id, FeedbackLink.state != LinkState.REPLACED)
        .order_by(col(FeedbackLink.stage_id).is_not(None), col(FeedbackLink.id).desc())
    )
    return session.exec(query).first()


def open_token(*, session: Session, project: Project) -> str | None:
    """The token of the project's own link while it takes answers, to invite people to it."""
    query = select(FeedbackLink.token).where(
        FeedbackLink.project_id == project.id,
        col(FeedbackLink.stage_id).is_(None),
        FeedbackLink.state == LinkState.OPEN,
    )
    return session.exec(query).first()


def _current(session: Session, project: Project, stage: Stage | None) -> FeedbackLink | None:
    for_stage = (
        col(FeedbackLink.stage_id).is_(None)
        if stage is None
        else col(FeedbackLink.stage_id) == stage.id
    )
    query = select(FeedbackLink).where(
        FeedbackLink.project_id == project.id, for_stage, FeedbackLink.state != LinkState.REPLACED
    )
    return session.exec(query.with_for_update()).first()


def _new_link(session: Session, project: Project, stage: Stage | None, by: str) -> FeedbackLink:
    link = FeedbackLink(
        project_id=saved_id(project),
        stage_id=stage.id if stage is not None else None,
        token=secrets.token_urlsafe(TOKEN_BYTES),
        created_by=by,
    )
    session.add(link)
    session.flush()
    log.info("feedback link %s made in project %s", link.id, project.id)
    return link


def _stage(session: Session, project: Project, number: int | None) -> Stage | None:
    if number is None:
        return None
    return get_stage(session=session, project=project, number=number)
