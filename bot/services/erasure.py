"""Forgetting a person for a data-protection request (SPEC §5).

A person's rows of membership (their partner roles, their agreements to the
principles) are removed. Everything else they took part in stays, because the
project's record is the team's: a concern, a sign-off, an answer to a check-in
is kept, attributed to a former partner instead of to them. Messages to them
alone (direct and ephemeral), sent or not, are dropped from the outbox. Their
mention goes from everything kept: anyone's words (`<@U1|jo>` in a concern's
reply), and every outbox row, sent or not, since the outbox keeps what it
posted and a person's erasure must reach that copy too.

A former partner is stored as an id that Slack can never issue (Slack's ids are
upper-case letters and digits), so no code can mistake one for a person to
message. Where a unique index holds one row per person (a check-in run has one
answer each), the row's own id is appended: two forgotten people who answered
the same run stay two answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import String, cast, delete, inspect, literal, update
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, select

from storage.models import (
    CheckinResponse,
    Concern,
    ConcernEntry,
    Feedback,
    FeedbackLink,
    Installation,
    OutboxMessage,
    Partner,
    Principle,
    PrincipleAgreement,
    Project,
    Schedule,
    Stage,
    StageHistory,
    StageSignoff,
    YouSaidWeDid,
)

FORMER_PARTNER = "former-partner"
# What a mention of the person becomes in a post.
FORMER_PARTNER_WORDS = "a former partner"
_SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]+")
# Where someone's words (and the posts that carry them) are kept, so where a mention can be:
# the unbounded columns, which the longer words of a former partner cannot overflow.
_MENTIONS_HELD_IN: tuple[Any, ...] = (
    col(Project.need),
    col(Principle.meaning),
    col(Stage.title),
    col(Stage.outcome),
    col(StageSignoff.outcome),
    col(StageHistory.outcome),
    col(Feedback.text),
    col(YouSaidWeDid.you_said),
    col(YouSaidWeDid.we_did),
    col(Concern.text),
    col(Concern.resolution_note),
    col(ConcernEntry.text),
    col(CheckinResponse.working),
    col(CheckinResponse.not_working),
    col(OutboxMessage.payload),
)


def is_former_partner(user_id: str) -> bool:
    """True for the id that stands for someone forgotten, whatever row it is in."""
    return user_id.startswith(FORMER_PARTNER)


def is_slack_user_id(text: str) -> bool:
    """Whether `text` has the shape of a Slack user id (`U…` or `W…`)."""
    return _SLACK_USER_ID.fullmatch(text) is not None


def _count(label: str) -> Any:
    return field(default=0, metadata={"label": label})


@dataclass(frozen=True)
class Erasure:
    """How many records of each kind one `forget_person` changed."""

    partner_roles: int = _count("partner roles removed")
    projects_without_a_lead: int = _count(
        "projects left with no lead (anyone in the channel can now name one: /plan lead @name)"
    )
    principle_agreements: int = _count("principle agreements removed")
    feedback: int = _count("feedback now from a former partner")
    concerns_raised: int = _count("concerns raised, now by a former partner")
    concerns_acknowledged: int = _count("concerns acknowledged, now by a former partner")
    concerns_resolved: int = _count("concerns resolved, now by a former partner")
    concern_history: int = _count("concern history entries, now by a former partner")
    checkin_answers: int = _count("check-in answers, now from a former partner")
    stages_owned: int = _count("stages owned, now by a former partner")
    stages_completed: int = _count("stages completed, now by a former partner")
    stages_created: int = _count("stages created, now by a former partner")
    signoffs: int = _count("sign-offs, now by a former partner")
    stage_history: int = _count("stage completions and reopenings, now by a former partner")
    schedules: int = _count("schedules created, now by a former partner")
    feedback_links: int = _count("feedback links made, now by a former partner")
    you_said_we_did: int = _count("“You said, we did” answers, now by a former partner")
    installations: int = _count("app installations, their user token removed")
    direct_messages: int = _count("messages to them alone, deleted")
    mentions: int = _count("texts and posts that mentioned them, mention replaced")

    def counts(self) -> list[tuple[str, int]]:
        """Each kind's label and count, in a fixed order."""
        return [(kind.metadata["label"], getattr(self, kind.name)) for kind in fields(self)]

    @property
    def changed(self) -> int:
        return sum(count for _, count in self.counts())


def forget_person(*, session: Session, user_id: str) -> Erasure:
    """Remove `user_id` from every project; running it again changes nothing."""
    led = _projects_led_by(session, user_id)
    return Erasure(
        partner_roles=_remove(session, col(Partner.user_id), user_id),
        projects_without_a_lead=_without_a_lead(session, led),
        principle_agreements=_remove(session, col(PrincipleAgreement.user_id), user_id),
        feedback=_reattribute(session, col(Feedback.author_id), user_id),
        concerns_raised=_reattribute(session, col(Concern.raised_by), user_id),
        concerns_acknowledged=_reattribute(session, col(Concern.acknowledged_by), user_id),
        concerns_resolved=_reattribute(session, col(Concern.resolved_by), user_id),
        concern_history=_reattribute(session, col(ConcernEntry.user_id), user_id),
        checkin_answers=_reattribute_checkin_answers(session, user_id),
        stages_owned=_reattribute(session, col(Stage.owner_id), user_id),
        stages_completed=_reattribute(session, col(Stage.completed_by), user_id),
        stages_created=_reattribute(session, col(Stage.created_by), user_id),
        signoffs=_reattribute(session, col(StageSignoff.user_id), user_id),
        stage_history=_reattribute(session, col(StageHistory.user_id), user_id),
        schedules=_reattribute(session, col(Schedule.created_by), user_id),
        feedback_links=_reattribute(session, col(FeedbackLink.created_by), user_id),
        you_said_we_did=_reattribute(session, col(YouSaidWeDid.published_by), user_id),
        installations=_forget_installer(session, user_id),
        direct_messages=_drop_direct_messages(session, user_id),
        mentions=_unmention(session, user_id),
    )


def _projects_led_by(session: Session, user_id: str) -> list[int]:
    query = select(Partner.project_id).where(
        Partner.user_id == user_id, col(Partner.is_lead).is_(True)
    )
    return list(session.exec(query))


def _without_a_lead(session: Session, projects: list[int]) -> int:
    """How many of these projects have no lead left (bot/services/partners.py `set_lead`)."""
    still_led = select(Partner.project_id).where(
        col(Partner.project_id).in_(projects), col(Partner.is_lead).is_(True)
    )
    led: set[int] = set(session.exec(still_led))
    return len(set(projects) - led)


def _remove(session: Session, column: Mapped[Any], user_id: str) -> int:
    return _rows(session, delete(_table_of(column)).where(column == user_id))


def _reattribute(session: Session, column: Mapped[Any], user_id: str) -> int:
    statement = update(_table_of(column)).where(column == user_id).values({column: FORMER_PARTNER})
    return _rows(session, statement)


def _table_of(column: Mapped[Any]) -> Any:
    """The model a column belongs to, so that one helper serves every table."""
    return inspect(column).class_


def _reattribute_checkin_answers(session: Session, user_id: str) -> int:
    """One former partner per answer: a run holds one answer per `user_id`."""
    per_answer = literal(f"{FORMER_PARTNER}-") + cast(col(CheckinResponse.id), String)
    statement = (
        update(CheckinResponse)
        .where(col(CheckinResponse.user_id) == user_id)
        .values(user_id=per_answer)
    )
    return _rows(session, statement)


def _forget_installer(session: Session, user_id: str) -> int:
    """The installing person's id and user token go; the workspace's bot token stays."""
    statement = (
        update(Installation)
        .where(col(Installation.user_id) == user_id)
        .values(user_id=FORMER_PARTNER, user_token=None)
    )
    return _rows(session, statement)


def _drop_direct_messages(session: Session, user_id: str) -> int:
    """Messages to them, in their DM (a reply there too) or shown to them alone.

    Sent ones go as well: their key and their text name them, and nothing
    posts a key of a forgotten person again.
    """
    to_them = (col(OutboxMessage.channel_id) == user_id) | (
        col(OutboxMessage.visible_to) == user_id
    )
    return _rows(session, delete(OutboxMessage).where(to_them))


def _unmention(session: Session, user_id: str) -> int:
    """Their mention, in anyone's words and in any post, becomes "a former partner"."""
    mention = _mention_of(user_id)
    changed = 0
    for column in _MENTIONS_HELD_IN:
        table = _table_of(column)
        holding = select(table.id, column).where(column.contains(f"@{user_id}", autoescape=True))
        for row_id, text in session.exec(holding).all():
            unmentioned = mention.sub(FORMER_PARTNER_WORDS, text)
            # `@U1` is also found in `@U12`'s mention, which stays.
            if unmentioned != text:
                session.exec(update(table).where(table.id == row_id).values({column: unmentioned}))
                changed += 1
    return changed


def _mention_of(user_id: str) -> re.Pattern[str]:
    """`<@U1>` as changebot writes it, `<@U1|jo>` as Slack sends typed text (`should_escape`),
    and either escaped (`&lt;@U1|jo&gt;`) as typed text is posted back."""
    user = re.escape(user_id)
    return re.compile(rf"<@{user}(?:\|[^<>]*)?>|&lt;@{user}(?:\|[^<>&]*)?&gt;")


def _rows(session: Session, statement: Any) -> int:
    return int(session.exec(statement).rowcount)
