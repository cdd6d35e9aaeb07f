"""You said, we did: a lead's answer to feedback, published on the public page (SPEC §7).

What is published is the lead's edit of the feedback, never the feedback as it
was written: a person's words reach the page only through this step, in which
the lead takes out anything that could identify someone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.errors import InvalidInput, NotFound
from bot.services.feedback import feedback_side
from bot.services.partners import require_lead, sides_shown_anonymously
from storage.models import Feedback, Project, Stage, YouSaidWeDid, saved_id

log = logging.getLogger(__name__)

RECENT_FEEDBACK = 20
MAX_PAIR_LENGTH = 2000


@dataclass(frozen=True)
class Answerable:
    """One piece of feedback, as a lead sees it to answer: its stage, its published pair, and
    the side it is shown with (`feedback_side`)."""

    feedback: Feedback
    stage: Stage | None
    pair: YouSaidWeDid | None
    side: str

    @property
    def published(self) -> bool:
        return self.pair is not None and self.pair.withdrawn_at is None


def recent_feedback(*, session: Session, project: Project, by: str) -> list[Answerable]:
    """The 20 most recent pieces of feedback, newest first, each with its pair if answered."""
    require_lead(session=session, project=project, user_id=by, action="see every piece of feedback")
    query = (
        select(Feedback, Stage, YouSaidWeDid)
        .outerjoin(Stage, col(Stage.id) == Feedback.stage_id)
        .outerjoin(YouSaidWeDid, col(YouSaidWeDid.feedback_id) == Feedback.id)
        .where(Feedback.project_id == project.id)
        .order_by(col(Feedback.created_at).desc(), col(Feedback.id).desc())
        .limit(RECENT_FEEDBACK)
    )
    shown = sides_shown_anonymously(session=session, project=project)
    return [
        Answerable(feedback, stage, pair, feedback_side(feedback, shown=shown))
        for feedback, stage, pair in session.exec(query)
    ]


def answerable(*, session: Session, project: Project, by: str, feedback_id: int) -> Answerable:
    """The feedback a lead is about to answer (or to answer again)."""
    require_lead(session=session, project=project, user_id=by, action="answer feedback publicly")
    feedback = session.get(Feedback, feedback_id)
    if feedback is None or feedback.project_id != project.id:
        raise NotFound("That feedback is no longer in this project.")
    stage = session.get(Stage, feedback.stage_id) if feedback.stage_id is not None else None
    shown = sides_shown_anonymously(session=session, project=project)
    return Answerable(
        feedback, stage, _pair_of(session, feedback_id), feedback_side(feedback, shown=shown)
    )


def publish(
    *,
    session: Session,
    project: Project,
    by: str,
    feedback_id: int,
    you_said: str,
    we_did: str,
    now: datetime,
) -> YouSaidWeDid:
    """Publish (or publish again, as edited) the answer to one piece of feedback."""
    answering = answerable(session=session, project=project, by=by, feedback_id=feedback_id)
    you_said, we_did = _checked("you_said", you_said), _checked("we_did", we_did)
    pair = answering.pair or YouSaidWeDid(
        project_id=saved_id(project), feedback_id=feedback_id, published_by=by
    )
    pair.you_said, pair.we_did, pair.published_by = you_said, we_did, by
    pair.published_at, pair.withdrawn_at = now, None
    session.add(pair)
    session.flush()
    log.info("you-said-we-did %s published in project %s", pair.id, project.id)
    return pair


def withdraw(
    *, session: Session, project: Project, by: str, feedback_id: int, now: datetime
) -> YouSaidWeDid:
    """Take an answer off the public page; the feedback can be answered again later."""
    answering = answerable(session=session, project=project, by=by, feedback_id=feedback_id)
    if not answering.published or answering.pair is None:
        raise NotFound("That feedback has no answer on the public page.")
    answering.pair.withdrawn_at = now
    session.add(answering.pair)
    log.info("you-said-we-did %s withdrawn in project %s", answering.pair.id, project.id)
    return answering.pair


def published_pairs(
    *, session: Session, project: Project, since: datetime | None = None
) -> list[YouSaidWeDid]:
    """What the public page shows, newest first; with `since`, only those published since."""
    query = select(YouSaidWeDid).where(
        YouSaidWeDid.project_id == project.id, col(YouSaidWeDid.withdrawn_at).is_(None)
    )
    if since is not None:
        query = query.where(col(YouSaidWeDid.published_at) >= since)
    query = query.order_by(col(YouSaidWeDid.published_at).desc(), col(YouSaidWeDid.id).desc())
    return list(session.exec(query))


def waiting_for_response(*, session: Session, project: Project) -> int:
    """Answers from the public page that no published "we did" answers yet."""
    answered = select(YouSaidWeDid.feedback_id).where(col(YouSaidWeDid.withdrawn_at).is_(None))
    query = (
        select(func.count())
        .select_from(Feedback)
        .where(
            Feedback.project_id == project.id,
            col(Feedback.link_id).is_not(None),
            col(Feedback.id).not_in(answered),
        )
    )
    return session.exec(query).one()


def _pair_of(session: Session, feedback_id: int) -> YouSaidWeDid | None:
    return session.exec(select(YouSaidWeDid).where(YouSaidWeDid.feedback_id == feedback_id)).first()


def _checked(field: str, text: str) -> str:
    said = text.strip()
    if not said:
        raise InvalidInput("This cannot be empty.", field=f"you_said_we_did.{field}")
    if len(said) > MAX_PAIR_LENGTH:
        raise InvalidInput(
            f"Keep it to {MAX_PAIR_LENGTH:,} characters (this has {len(said):,}).",
            field=f"you_said_we_did.{field}",
        )
    return said
