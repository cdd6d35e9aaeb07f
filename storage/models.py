"""The tables: one for each concept of SPEC §2, plus delivery and bookkeeping.

Every timestamp is a `UTCDateTime` (aware, stored in UTC). Dates that people
type (a stage's due date) are plain dates, read in the project's time zone.
Enumerated columns read and write their `StrEnum` (`_enum`), stored as short
strings rather than a database enum, so that a later migration adding a value
never has to alter a database type.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlalchemy import Enum as EnumType
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow

# Deterministic constraint and index names: a later batch migration on SQLite
# can only drop or alter a constraint it can name.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# The width of every enumerated column (what the first schema gave them).
_ENUM_LENGTH = 16


def _timestamp(*, nullable: bool = True, index: bool = False) -> datetime | None:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _created() -> datetime:
    return Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


def _enum(
    kind: type[StrEnum],
    *,
    default: StrEnum | None = None,
    index: bool = False,
    length: int = _ENUM_LENGTH,
    nullable: bool = False,
) -> Any:
    """A column that holds one of `kind`'s values, as its string, and gives back the enum."""
    column_type = EnumType(
        kind,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
    )
    return Field(default=default, sa_column=Column(column_type, nullable=nullable, index=index))


def _long_text(*, nullable: bool = False, default: str | None = "") -> str:
    return Field(default=default, sa_column=Column(Text, nullable=nullable))


class Role(StrEnum):
    """A partner's side: their voice in check-ins, feedback and sign-off.

    `lead` is not a side but a permission (`Partner.is_lead`); the value stays
    because feedback and check-in answers given before 0005 may carry it.
    """

    LEAD = "lead"
    MANAGEMENT = "management"
    STAFF = "staff"
    UNION = "union"
    SERVICE_USER = "service-user"


# The sides a partner can have; every role but `lead`.
SIDES = (Role.MANAGEMENT, Role.STAFF, Role.UNION, Role.SERVICE_USER)


class PageSource(StrEnum):
    """What someone answering on the public page said describes them (SPEC §7).

    Stored as the feedback's `source_role`, beside the sides of `Role`.
    """

    SERVICE_USER = "service-user"
    CARER = "carer"
    STAFF = "staff"
    OTHER = "other"
    NOT_SAID = "not-said"


class StageStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in-progress"
    DONE = "done"


class SignoffMode(StrEnum):
    SINGLE = "single"
    JOINT = "joint"


class ConcernStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"


class MeasureDirection(StrEnum):
    """Which way is better for a measure (the values of `bot.services.process_control`)."""

    HIGHER = "higher"
    LOWER = "lower"
    NEITHER = "neither"


class ScheduleKind(StrEnum):
    CHECKIN = "checkin"
    PRINCIPLE_REMINDER = "principle-reminder"
    DIGEST = "digest"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Project(SQLModel, table=True):
    """A change project, bound to the Slack channel it lives in."""

    __table_args__ = (UniqueConstraint("team_id", "channel_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    channel_id: str = Field(max_length=32)
    name: str = Field(max_length=200)
    need: str = _long_text()
    timezone: str = Field(default="Europe/London", max_length=64)
    calendar: str = Field(default="GB-ENG", max_length=16)
    forum_channel_id: str | None = Field(default=None, max_length=32)
    signoff_mode: SignoffMode = _enum(SignoffMode, default=SignoffMode.SINGLE)
    anonymous_concerns: bool = False
    post_feedback_in_channel: bool = False
    # The N of the shift and trend rules of the project's charts (SPEC §8): 6, 7 or 8.
    rule_length: int = 6
    created_at: datetime = _created()


class Partner(SQLModel, table=True):
    """A Slack user's side in one project, and whether they may lead it.

    `role` is the side (management, staff, union, service-user); the lead
    permission is separate, so a union representative can lead and still sign
    for the union side.
    """

    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    user_id: str = Field(max_length=32)
    role: str = Field(max_length=16)
    is_lead: bool = False
    joined_at: datetime = _created()


class Stage(SQLModel, table=True):
    """One step of the action plan; `position` is the number people type."""

    __table_args__ = (UniqueConstraint("project_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    position: int
    title: str = _long_text()
    owner_id: str | None = Field(default=None, max_length=32)
    due_on: date | None = None
    status: StageStatus = _enum(StageStatus, default=StageStatus.PLANNED)
    started_at: datetime | None = _timestamp()
    completed_at: datetime | None = _timestamp()
    completed_by: str | None = Field(default=None, max_length=32)
    outcome: str | None = _long_text(nullable=True, default=None)
    # How many times the stage has been completed: the first completion is
    # celebrated in full, later ones (after a reopen) get a short note.
    completions: int = 0
    overdue_nudged_at: datetime | None = _timestamp()
    created_by: str = Field(max_length=32)
    created_at: datetime = _created()


class StageSignoff(SQLModel, table=True):
    """One side's confirmation of a stage under joint sign-off, per completion round."""

    __table_args__ = (UniqueConstraint("stage_id", "round", "side"),)

    id: int | None = Field(default=None, primary_key=True)
    stage_id: int = Field(foreign_key="stage.id", index=True)
    round: int
    side: str = Field(max_length=16)
    user_id: str = Field(max_length=32)
    outcome: str | None = _long_text(nullable=True, default=None)
    confirmed_at: datetime = _created()


class StageHistoryKind(StrEnum):
    COMPLETED = "completed"
    REOPENED = "reopened"


class StageHistory(SQLModel, table=True):
    """Every completion and reopening of a stage: the stage row keeps only the latest."""

    __tablename__ = "stage_history"
    __table_args__ = (UniqueConstraint("stage_id", "round", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    stage_id: int = Field(foreign_key="stage.id", index=True)
    # The completion round the event belongs to (1 for the first completion and its reopening).
    round: int
    kind: str = Field(max_length=16)
    user_id: str = Field(max_length=32)
    outcome: str | None = _long_text(nullable=True, default=None)
    at: datetime = _created()


class LinkState(StrEnum):
    """Where a public feedback link stands (SPEC §7)."""

    OPEN = "open"
    REPLACED = "replaced"
    CLOSED = "closed"


class FeedbackLink(SQLModel, table=True):
    """A public feedback page's link, `PUBLIC_URL/f/TOKEN`, for a project or one stage.

    The project (or stage) has one current link, open or closed; a replaced
    link's row stays so that its old token can say it was replaced.
    """

    __tablename__ = "feedback_link"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    stage_id: int | None = Field(default=None, foreign_key="stage.id")
    token: str = Field(max_length=64, unique=True)
    state: LinkState = _enum(LinkState, default=LinkState.OPEN)
    created_by: str = Field(max_length=32)
    created_at: datetime = _created()


class Experience(StrEnum):
    """The Friends and Family Test's answers to "Overall, how was your experience?"."""

    VERY_GOOD = "very-good"
    GOOD = "good"
    NEITHER = "neither"
    POOR = "poor"
    VERY_POOR = "very-poor"
    DONT_KNOW = "dont-know"


class Feedback(SQLModel, table=True):
    """Feedback on the project or a stage; `author_id` is None when anonymous.

    Answers from the public page (`link_id` set) never have an author: their
    `source_role` is what the person said describes them (`PageSource`), and
    their Friends and Family Test answer is kept as `experience`.
    """

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    stage_id: int | None = Field(default=None, foreign_key="stage.id")
    rating: int | None = None
    source_role: str = Field(max_length=16)
    author_id: str | None = Field(default=None, max_length=32)
    text: str = _long_text()
    link_id: int | None = Field(default=None, foreign_key="feedback_link.id")
    experience: Experience | None = _enum(Experience, nullable=True)
    created_at: datetime = _created()


class YouSaidWeDid(SQLModel, table=True):
    """A lead's answer to one piece of feedback, published on the public page.

    `you_said` is the lead's edit of the feedback, with anything that could
    identify a person taken out: nothing a person wrote reaches the page
    without it. A withdrawn pair stays, off the page.
    """

    __tablename__ = "you_said_we_did"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    feedback_id: int = Field(foreign_key="feedback.id", unique=True)
    you_said: str = _long_text()
    we_did: str = _long_text()
    published_by: str = Field(max_length=32)
    published_at: datetime = _created()
    withdrawn_at: datetime | None = _timestamp()


class Principle(SQLModel, table=True):
    """One of a project's agreed principles."""

    __table_args__ = (UniqueConstraint("project_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    position: int
    title: str = Field(max_length=150)
    meaning: str = _long_text()


class PrincipleAgreement(SQLModel, table=True):
    """A partner's agreement to the project's current set of principles."""

    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    user_id: str = Field(max_length=32)
    agreed_at: datetime = _created()


class Concern(SQLModel, table=True):
    """A challenge raised against a principle, tracked in its Slack thread."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    # The principle as it was when raised: principles can be reworded or removed.
    principle_position: int
    principle_title: str = Field(max_length=150)
    text: str = _long_text()
    status: ConcernStatus = _enum(ConcernStatus, default=ConcernStatus.OPEN, index=True)
    raised_by: str = Field(max_length=32)
    # Raised while the project's concerns were anonymous: never shown with its raiser.
    anonymous: bool = False
    channel_id: str = Field(max_length=32)
    thread_ts: str | None = Field(default=None, max_length=32, index=True)
    acknowledged_by: str | None = Field(default=None, max_length=32)
    acknowledged_at: datetime | None = _timestamp()
    resolved_by: str | None = Field(default=None, max_length=32)
    resolved_at: datetime | None = _timestamp()
    resolution_note: str | None = _long_text(nullable=True, default=None)
    escalated_at: datetime | None = _timestamp()
    created_at: datetime = _created()


class ConcernEntry(SQLModel, table=True):
    """One line of a concern's history: a status change or a reply in its thread."""

    __table_args__ = (UniqueConstraint("concern_id", "message_ts"),)

    id: int | None = Field(default=None, primary_key=True)
    concern_id: int = Field(foreign_key="concern.id", index=True)
    kind: str = Field(max_length=16)
    user_id: str | None = Field(default=None, max_length=32)
    text: str = _long_text()
    # The reply's Slack ts (None for status changes): edits and deletions find it.
    message_ts: str | None = Field(default=None, max_length=32)
    deleted: bool = False
    edited_at: datetime | None = _timestamp()
    created_at: datetime = _created()


class Measure(SQLModel, table=True):
    """A service-performance figure the project evaluates."""

    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    name: str = Field(max_length=100)
    unit: str | None = Field(default=None, max_length=30)
    target: float | None = None
    direction: str = Field(default=MeasureDirection.HIGHER, max_length=16)
    # The first day of the chart's second period (`/checkin measure rebase`), if any.
    recalculate_from: date | None = None
    created_at: datetime = _created()


class MeasurePoint(SQLModel, table=True):
    """A dated value a lead pasted in: a baseline, or figures from another system."""

    __table_args__ = (UniqueConstraint("measure_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    measure_id: int = Field(foreign_key="measure.id", index=True)
    day: date
    value: float


class Schedule(SQLModel, table=True):
    """Something that recurs in a project's channel: a check-in, a reminder, a digest."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    kind: ScheduleKind = _enum(ScheduleKind, length=24)
    spec: str = Field(max_length=64)
    title: str | None = Field(default=None, max_length=200)
    # Set for an impact check-in proposed by a stage's celebration.
    stage_id: int | None = Field(default=None, foreign_key="stage.id")
    paused: bool = False
    cancelled: bool = False
    # Which principle the next reminder shows; reminders rotate in order.
    rotation: int = 0
    last_run_at: datetime | None = _timestamp()
    created_by: str = Field(max_length=32)
    created_at: datetime = _created()


class CheckinRun(SQLModel, table=True):
    """One firing of a check-in schedule; its post collects responses."""

    __table_args__ = (UniqueConstraint("schedule_id", "run_at"),)

    id: int | None = Field(default=None, primary_key=True)
    schedule_id: int = Field(foreign_key="schedule.id", index=True)
    run_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    title: str = Field(max_length=200)
    followed_up_at: datetime | None = _timestamp()
    created_at: datetime = _created()


class CheckinResponse(SQLModel, table=True):
    """A partner's answer to one check-in run; a second answer replaces the first."""

    __table_args__ = (UniqueConstraint("run_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="checkinrun.id", index=True)
    user_id: str = Field(max_length=32)
    role: str = Field(max_length=16)
    anonymous: bool = False
    working: str = _long_text()
    not_working: str = _long_text()
    created_at: datetime = _created()
    updated_at: datetime = _created()


class MeasureValue(SQLModel, table=True):
    """The value of one measure in one check-in response."""

    __table_args__ = (UniqueConstraint("response_id", "measure_id"),)

    id: int | None = Field(default=None, primary_key=True)
    response_id: int = Field(foreign_key="checkinresponse.id", index=True)
    measure_id: int = Field(foreign_key="measure.id", index=True)
    value: float


class OutboxMessage(SQLModel, table=True):
    """A message the team must see, written in the same transaction as its cause.

    `key` is deterministic (`celebrate:stage:42:1`): writing the same key twice
    is refused by the unique index, so a retried command or a second instance
    cannot make a second post. The sender claims a row with a lease, posts it,
    and records the message `ts`.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=255, unique=True)
    team_id: str = Field(max_length=32)
    # A channel id, or a user id for a direct message (opened by the sender).
    channel_id: str = Field(max_length=32)
    payload: str = _long_text()
    # Post as a reply in a thread: of a message someone wrote (`thread_ts`),
    # or of the message another outbox row posted (`thread_key`).
    thread_ts: str | None = Field(default=None, max_length=32)
    thread_key: str | None = Field(default=None, max_length=255)
    # Update the message another outbox row posted, instead of posting anew.
    update_key: str | None = Field(default=None, max_length=255)
    # Shown to this user only (an ephemeral message in `channel_id`), never to the channel.
    visible_to: str | None = Field(default=None, max_length=32)
    status: OutboxStatus = _enum(OutboxStatus, default=OutboxStatus.PENDING)
    attempts: int = 0
    next_attempt_at: datetime = _created()
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = _timestamp()
    # The posted message's ts; for a shared file, the file's id.
    message_ts: str | None = Field(default=None, max_length=32)
    posted_channel_id: str | None = Field(default=None, max_length=32)
    last_error: str | None = Field(default=None, max_length=255)
    created_at: datetime = _created()
    sent_at: datetime | None = _timestamp()


class ProcessedEvent(SQLModel, table=True):
    """A Slack event id already handled: Slack retries deliver the same id again."""

    __tablename__ = "processed_event"

    event_id: str = Field(primary_key=True, max_length=64)
    team_id: str | None = Field(default=None, max_length=32)
    received_at: datetime = _created()


class Lease(SQLModel, table=True):
    """A time-limited claim one instance holds, such as running the scheduler."""

    name: str = Field(primary_key=True, max_length=64)
    holder: str = Field(max_length=64)
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Installation(SQLModel, table=True):
    """A workspace's OAuth installation (multi-workspace mode).

    `bot_token` and `user_token` hold Fernet ciphertext (storage/encryption.py),
    never a token itself. Ciphertext is about 4/3 of the token's length plus 80
    characters (420 for a 255-character token), so the columns are unbounded text.
    """

    __table_args__ = (Index("ix_installation_lookup", "client_id", "enterprise_id", "team_id"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=32)
    app_id: str | None = Field(default=None, max_length=32)
    enterprise_id: str | None = Field(default=None, max_length=32)
    team_id: str | None = Field(default=None, max_length=32)
    is_enterprise_install: bool = False
    bot_token: str | None = _long_text(nullable=True, default=None)
    bot_id: str | None = Field(default=None, max_length=32)
    bot_user_id: str | None = Field(default=None, max_length=32)
    bot_scopes: str | None = _long_text(nullable=True, default=None)
    user_id: str = Field(max_length=32)
    user_token: str | None = _long_text(nullable=True, default=None)
    installed_at: datetime = _created()


class OAuthState(SQLModel, table=True):
    """A one-shot OAuth `state` value, consumed on the redirect."""

    __tablename__ = "oauth_state"

    state: str = Field(primary_key=True, max_length=128)
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class SeenRequest(SQLModel, table=True):
    """A verified Slack request's signature, kept while its timestamp is fresh.

    An identical request (same timestamp, same body) has the same signature:
    a second row for it is a replay. The index lets each insert prune the
    expired rows cheaply.
    """

    __tablename__ = "seen_request"

    signature: str = Field(primary_key=True, max_length=64)
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class PageHit(SQLModel, table=True):
    """One POST to a public page, kept only while a rate limit still counts it.

    `bucket` names what is limited: a link, or an address as a keyed hash
    (the address itself is never stored).
    """

    __tablename__ = "page_hit"
    __table_args__ = (Index("ix_page_hit_bucket_at", "bucket", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    bucket: str = Field(max_length=64)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class SiteKey(SQLModel, table=True):
    """A random secret the deployment makes once and every instance shares.

    The public pages sign their anti-forgery tokens and hash addresses with it.
    """

    __tablename__ = "site_key"

    name: str = Field(primary_key=True, max_length=32)
    value: str = Field(max_length=128)


class _Row(Protocol):
    """Any table row with an integer primary key."""

    id: int | None


def saved_id(row: _Row) -> int:
    """The primary key of a row already flushed; a missing one is a bug, not a user error."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has not been flushed yet")
    return row.id
