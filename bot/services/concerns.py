"""Principle concerns: raised against one principle, tracked in their Slack thread to resolution.

Three doors raise the same record: `/concern N TEXT`, the message shortcut,
and `@changebot concern N TEXT` in a thread. A concern lives in one thread of
the project's forum channel: the thread it was raised in when that thread is
in the forum channel, otherwise the thread its own card starts there. A
card's thread is only known once the card is posted; the concern learns it
from the card's outbox row the first time it is needed (bot/posts/concerns.py).

Replies in that thread are the concern's history, one entry per Slack
message (`message_ts`), edited and deleted as the messages are. Status
changes are entries too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.scheduling.calendar import add_working_days
from bot.services.partners import partner_of
from bot.services.principles import principle_called
from storage.models import (
    Concern,
    ConcernEntry,
    ConcernStatus,
    Partner,
    Project,
    Role,
    saved_id,
)
from storage.types import utcnow

Clock = Callable[[], datetime]

ESCALATE_AFTER_WORKING_DAYS = 3
RECENTLY_CLOSED = timedelta(days=30)
# Who may acknowledge and resolve a concern.
STILL_OPEN = (ConcernStatus.OPEN, ConcernStatus.ACKNOWLEDGED)
CLOSED = (ConcernStatus.RESOLVED, ConcernStatus.WITHDRAWN)


class EntryKind(StrEnum):
    """What a line of a concern's history records."""

    RAISED = "raised"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"
    ESCALATED = "escalated"
    REPLY = "reply"


@dataclass(frozen=True)
class Origin:
    """The Slack thread a concern was raised from: a mention's thread, a shortcut's message."""

    channel_id: str
    thread_ts: str
    # The mention that raised the concern: it is in the thread, but it is not a reply.
    message_ts: str | None = None
    # Another concern lives in that thread already: this one gets a thread of its own.
    holds_concern: bool = False


@dataclass(frozen=True)
class Raised:
    """A concern just raised, and the thread it came from, if any."""

    project: Project
    concern: Concern
    origin: Origin | None

    @property
    def posted_elsewhere(self) -> bool:
        """Raised in a thread outside the forum channel: that thread is told where it went."""
        return self.origin is not None and self.concern.thread_ts != self.origin.thread_ts


@dataclass(frozen=True)
class ConcernList:
    """`/concern list`: the open concerns, oldest first, then those closed recently."""

    open: list[Concern]
    closed: list[Concern]
    replies: dict[int, int]


def raise_concern(
    *,
    session: Session,
    project: Project,
    by: str,
    number: int | str,
    text: str,
    origin: Origin | None = None,
    clock: Clock = utcnow,
) -> Raised:
    """Raise a concern against principle `number`, or the principle whose title starts with
    it when it is a name (`/concern Transparency: …`)."""
    principle = principle_called(session=session, project=project, reference=number)
    description = text.strip()
    if not description:
        raise InvalidInput("Say what the concern is.", field="concern.text")
    forum = project.forum_channel_id or project.channel_id
    # Raised in a thread of the forum channel: the concern lives in that thread, unless
    # another does (a thread's replies are one concern's history).
    home = origin if origin and origin.channel_id == forum and not origin.holds_concern else None
    now = clock()
    concern = Concern(
        project_id=saved_id(project),
        principle_position=principle.position,
        principle_title=principle.title,
        text=description,
        raised_by=by,
        anonymous=project.anonymous_concerns,
        channel_id=forum,
        thread_ts=home.thread_ts if home else None,
        created_at=now,
    )
    session.add(concern)
    session.flush()
    raised_from = home.message_ts if home else None
    _add_entry(session, concern, EntryKind.RAISED, by, description, now, raised_from)
    return Raised(project=project, concern=concern, origin=origin)


def concern_by_id(
    *, session: Session, team_id: str, concern_id: int, lock: bool = False
) -> tuple[Project, Concern]:
    """A concern of this workspace and its project (a button or a form names it by id)."""
    query = (
        select(Concern, Project)
        .join(Project, col(Project.id) == col(Concern.project_id))
        .where(Concern.id == concern_id, Project.team_id == team_id)
    )
    found = session.exec(query.with_for_update(of=Concern) if lock else query).first()
    if found is None:
        raise NotFound(f"There is no concern #{concern_id} in this workspace.")
    concern, project = found
    return project, concern


def acknowledge_concern(
    *, session: Session, project: Project, concern: Concern, by: str, clock: Clock = utcnow
) -> Concern:
    require_steward(session=session, project=project, concern=concern, by=by, action="acknowledge")
    if concern.status != ConcernStatus.OPEN:
        raise InvalidInput(f"Concern #{concern.id} is already {concern.status}.")
    concern.status = ConcernStatus.ACKNOWLEDGED
    now = clock()
    concern.acknowledged_by, concern.acknowledged_at = by, now
    return _changed(session, concern, EntryKind.ACKNOWLEDGED, by, "", now)


def resolve_concern(
    *,
    session: Session,
    project: Project,
    concern: Concern,
    by: str,
    note: str,
    clock: Clock = utcnow,
) -> Concern:
    require_resolvable(session=session, project=project, concern=concern, by=by)
    if not note.strip():
        raise InvalidInput("Say how the concern was resolved.", field="concern.resolution_note")
    concern.status = ConcernStatus.RESOLVED
    now = clock()
    concern.resolved_by, concern.resolved_at = by, now
    concern.resolution_note = note.strip()
    return _changed(session, concern, EntryKind.RESOLVED, by, concern.resolution_note, now)


def require_resolvable(*, session: Session, project: Project, concern: Concern, by: str) -> None:
    """Refuse before the resolution form opens, rather than after the note is written."""
    require_steward(session=session, project=project, concern=concern, by=by, action="resolve")
    _require_still_open(concern)


def withdraw_concern(
    *, session: Session, concern: Concern, by: str, clock: Clock = utcnow
) -> Concern:
    """The raiser takes their concern back; `resolved_at` then records when it was closed."""
    if by != concern.raised_by:
        raise NotAllowed("Only the person who raised a concern can withdraw it.")
    _require_still_open(concern)
    concern.status = ConcernStatus.WITHDRAWN
    now = clock()
    concern.resolved_by, concern.resolved_at = by, now
    return _changed(session, concern, EntryKind.WITHDRAWN, by, "", now)


def require_steward(
    *, session: Session, project: Project, concern: Concern, by: str, action: str
) -> None:
    """Refuse unless `by` leads the project or is a management partner; name who may.

    Whoever raised a concern does not answer it themselves while someone else
    can: a concern is a challenge to the others, and its raiser can withdraw it.
    """
    others = [user for user in stewards(session=session, project=project) if user != by]
    if not _is_steward(partner_of(session=session, project=project, user_id=by)):
        message = f"Only a project lead or a management partner can {action} a concern."
        if by == concern.raised_by:
            message += " You raised this one, so you can withdraw it."
    elif by == concern.raised_by and others:
        message = (
            f"You raised this concern, so another lead or management partner should {action} "
            "it. You can withdraw it."
        )
    else:
        return
    raise NotAllowed(message, ask=others)


def stewards(*, session: Session, project: Project) -> list[str]:
    """The leads, then the management partners, who look after concerns."""
    query = select(Partner).where(Partner.project_id == project.id)
    partners = sorted(session.exec(query), key=lambda p: (not p.is_lead, p.id or 0))
    return [partner.user_id for partner in partners if _is_steward(partner)]


def _is_steward(partner: Partner | None) -> bool:
    return partner is not None and (partner.is_lead or partner.role == Role.MANAGEMENT)


def concern_in_thread(*, session: Session, channel_id: str, thread_ts: str) -> Concern | None:
    """The concern living in this thread, if any: an indexed look-up, as most threads have none."""
    query = select(Concern).where(Concern.thread_ts == thread_ts, Concern.channel_id == channel_id)
    return session.exec(query).first()


def unlinked_in(*, session: Session, channel_id: str) -> list[Concern]:
    """The channel's concerns whose thread is not known yet: their card starts it."""
    query = select(Concern).where(
        col(Concern.thread_ts).is_(None), Concern.channel_id == channel_id
    )
    return list(session.exec(query))


def link_thread(*, session: Session, concern: Concern, channel_id: str, thread_ts: str) -> None:
    """The concern lives in the thread its posted card started."""
    concern.thread_ts = thread_ts
    concern.channel_id = channel_id
    session.add(concern)


def record_reply(
    *, session: Session, concern: Concern, user_id: str | None, message_ts: str, text: str
) -> ConcernEntry | None:
    """Keep a reply in the concern's thread; None when that message is already kept."""
    if _entry_for(session, concern, message_ts) is not None:
        return None
    try:
        with session.begin_nested():
            return _add_entry(
                session,
                concern,
                EntryKind.REPLY,
                user_id,
                text,
                _slack_time(message_ts),
                message_ts,
            )
    except IntegrityError:
        return None  # Slack delivered the same message twice, under two event ids


def record_edit(
    *, session: Session, concern: Concern, message_ts: str, text: str, clock: Clock = utcnow
) -> ConcernEntry | None:
    """Reflect an edited reply; messages that are not kept replies are ignored."""
    entry = _entry_for(session, concern, message_ts)
    if entry is None or entry.kind != EntryKind.REPLY or entry.deleted:
        return None
    entry.text, entry.edited_at = text, clock()
    session.add(entry)
    return entry


def record_deletion(
    *, session: Session, concern: Concern, message_ts: str, clock: Clock = utcnow
) -> ConcernEntry | None:
    """A deleted reply stays in the history as deleted, without its words."""
    entry = _entry_for(session, concern, message_ts)
    if entry is None or entry.kind != EntryKind.REPLY:
        return None
    entry.text, entry.deleted, entry.edited_at = "", True, clock()
    session.add(entry)
    return entry


def history(*, session: Session, concern: Concern) -> list[ConcernEntry]:
    """The concern's history in the order it happened (replies by when they were written)."""
    query = (
        select(ConcernEntry)
        .where(ConcernEntry.concern_id == concern.id)
        .order_by(col(ConcernEntry.created_at), col(ConcernEntry.id))
    )
    return list(session.exec(query))


def list_concerns(*, session: Session, project: Project, now: datetime) -> ConcernList:
    base = select(Concern).where(Concern.project_id == project.id)
    still_open = base.where(col(Concern.status).in_(STILL_OPEN)).order_by(
        col(Concern.created_at), col(Concern.id)
    )
    closed = (
        base.where(
            col(Concern.status).in_(CLOSED), col(Concern.resolved_at) >= now - RECENTLY_CLOSED
        )
        .order_by(col(Concern.resolved_at).desc(), col(Concern.id).desc())
        .limit(10)
    )
    listed = ConcernList(
        open=list(session.exec(still_open)), closed=list(session.exec(closed)), replies={}
    )
    return ConcernList(listed.open, listed.closed, _reply_counts(session, listed))


def due_for_escalation(*, session: Session, now: datetime) -> list[tuple[Project, Concern]]:
    """Concerns still `open` three working days (in their project's calendar) after being raised.

    Three working days are never fewer than three calendar days, so only
    concerns at least that old are looked at closely.
    """
    query = (
        select(Concern, Project)
        .join(Project, col(Project.id) == col(Concern.project_id))
        .where(
            Concern.status == ConcernStatus.OPEN,
            col(Concern.escalated_at).is_(None),
            col(Concern.created_at) <= now - timedelta(days=ESCALATE_AFTER_WORKING_DAYS),
        )
        .order_by(col(Concern.id))
    )
    return [
        (project, concern)
        for concern, project in session.exec(query)
        if _escalation_due(project, concern) <= now
    ]


def mark_escalated(*, session: Session, concern: Concern, now: datetime) -> None:
    concern.escalated_at = now
    session.add(concern)
    _add_entry(session, concern, EntryKind.ESCALATED, None, "", now, None)


def _escalation_due(project: Project, concern: Concern) -> datetime:
    return add_working_days(
        concern.created_at,
        ESCALATE_AFTER_WORKING_DAYS,
        timezone=project.timezone,
        calendar=project.calendar,
    )


def _require_still_open(concern: Concern) -> None:
    if concern.status not in STILL_OPEN:
        raise InvalidInput(f"Concern #{concern.id} is already {concern.status}.")


def _changed(
    session: Session, concern: Concern, kind: EntryKind, by: str, text: str, at: datetime
) -> Concern:
    session.add(concern)
    _add_entry(session, concern, kind, by, text, at, None)
    return concern


def _add_entry(
    session: Session,
    concern: Concern,
    kind: EntryKind,
    user_id: str | None,
    text: str,
    at: datetime,
    message_ts: str | None,
) -> ConcernEntry:
    entry = ConcernEntry(
        concern_id=saved_id(concern),
        kind=kind,
        user_id=user_id,
        text=text,
        message_ts=message_ts,
        created_at=at,
    )
    session.add(entry)
    session.flush()
    return entry


def _entry_for(session: Session, concern: Concern, message_ts: str) -> ConcernEntry | None:
    query = select(ConcernEntry).where(
        ConcernEntry.concern_id == concern.id, ConcernEntry.message_ts == message_ts
    )
    return session.exec(query).first()


def _reply_counts(session: Session, listed: ConcernList) -> dict[int, int]:
    ids = [saved_id(concern) for concern in [*listed.open, *listed.closed]]
    query = select(ConcernEntry.concern_id).where(
        col(ConcernEntry.concern_id).in_(ids),
        ConcernEntry.kind == EntryKind.REPLY,
        col(ConcernEntry.deleted).is_(False),
    )
    return dict(Counter(session.exec(query)))


def _slack_time(ts: str) -> datetime:
    """When a Slack message was written: its ts is seconds since the epoch."""
    return datetime.fromtimestamp(float(ts), UTC)
