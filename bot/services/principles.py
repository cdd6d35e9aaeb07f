"""The principles a project's partners agree to work by, their agreement, and reminders of them.

Partners agree to the set as a whole: when a lead changes the set, every
agreement is cleared, because nobody has agreed to the new wording yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.errors import InvalidInput, NotFound
from bot.parsing.schedule import ScheduleSpec
from bot.services import schedules
from bot.services.partners import require_lead
from storage.models import (
    Principle,
    PrincipleAgreement,
    Project,
    Schedule,
    ScheduleKind,
    saved_id,
)
from storage.types import utcnow

Clock = Callable[[], datetime]

# The TUC's six principles of partnership: every new project starts with them.
DEFAULT_PRINCIPLES: tuple[tuple[str, str], ...] = (
    ("Shared commitment", "A shared commitment to the success of the organisation."),
    ("Legitimate interests", "Recognising each other's legitimate interests."),
    ("Employment security", "A commitment to employment security."),
    ("Quality of working life", "A focus on the quality of working life."),
    ("Transparency", "Openness and sharing information."),
    ("Adding value", "Mutual gains for everyone involved."),
)
# Enough for any real set, and few enough for every principle to fit one edit form.
MAX_PRINCIPLES = 20
TITLE_LENGTH = 150
MEANING_LENGTH = 500


@dataclass(frozen=True)
class PrincipleDraft:
    """One principle as a lead wrote it in the edit form."""

    title: str
    meaning: str


@dataclass(frozen=True)
class PrinciplesEdit:
    """The outcome of an edit: whether the set changed, and how many agreements it cleared."""

    changed: bool
    cleared: int
    principles: list[Principle]


@dataclass(frozen=True)
class Reminder:
    """The principle a reminder run shows, and where it sits in the set."""

    principle: Principle
    total: int


def seed_default_principles(*, session: Session, project: Project) -> None:
    for position, (title, meaning) in enumerate(DEFAULT_PRINCIPLES, start=1):
        session.add(
            Principle(project_id=saved_id(project), position=position, title=title, meaning=meaning)
        )


def list_principles(*, session: Session, project: Project) -> list[Principle]:
    query = (
        select(Principle)
        .where(Principle.project_id == project.id)
        .order_by(col(Principle.position))
    )
    return list(session.exec(query))


def principles_to_edit(*, session: Session, project: Project, by: str) -> list[Principle]:
    """The set as the edit form opens with it: a lead's to change, refused to anyone else."""
    require_lead(session=session, project=project, user_id=by, action="edit the principles")
    return list_principles(session=session, project=project)


def principle_numbered(*, session: Session, project: Project, number: int) -> Principle:
    """Principle `number`; the refusal says which numbers there are."""
    found = list_principles(session=session, project=project)
    for principle in found:
        if principle.position == number:
            return principle
    numbered = (
        "there is only principle 1"
        if len(found) == 1
        else f"the principles are numbered 1 to {len(found)}"
    )
    raise NotFound(f"There is no principle {number}: {numbered}. `/principles` lists them.")


def principle_named(*, session: Session, project: Project, name: str) -> Principle:
    """The one principle whose title starts with `name` (any case, SPEC §3); the refusal
    says which titles there are, or which ones `name` could mean."""
    found = list_principles(session=session, project=project)
    wanted = name.strip().casefold()
    matching = [p for p in found if p.title.casefold().startswith(wanted)] if wanted else []
    if len(matching) == 1:
        return matching[0]
    if matching:
        could_be = " or ".join(f"{p.position}. {p.title}" for p in matching)
        raise NotFound(f"`{name}` could be {could_be}: give its number.")
    titles = ", ".join(f"{p.position}. {p.title}" for p in found)
    raise NotFound(f"No principle's title starts with `{name}`. The principles are {titles}.")


def principle_called(*, session: Session, project: Project, reference: int | str) -> Principle:
    """Principle N, or the principle named by the start of its title."""
    if isinstance(reference, int):
        return principle_numbered(session=session, project=project, number=reference)
    return principle_named(session=session, project=project, name=reference)


def agreed_by(*, session: Session, project: Project) -> list[str]:
    """Who has agreed to the current set, in the order they agreed."""
    query = (
        select(PrincipleAgreement.user_id)
        .where(PrincipleAgreement.project_id == project.id)
        .order_by(col(PrincipleAgreement.agreed_at), col(PrincipleAgreement.id))
    )
    return list(session.exec(query))


def agree(*, session: Session, project: Project, by: str, clock: Clock = utcnow) -> bool:
    """Record `by`'s agreement to the set; False when they had already agreed."""
    if by in agreed_by(session=session, project=project):
        return False
    try:
        with session.begin_nested():
            session.add(
                PrincipleAgreement(project_id=saved_id(project), user_id=by, agreed_at=clock())
            )
    except IntegrityError:
        return False  # the same person agreeing twice at once: one row wins
    return True


def edit_principles(
    *, session: Session, project: Project, by: str, drafts: list[PrincipleDraft]
) -> PrinciplesEdit:
    """Replace the set with `drafts`, in order; a real change clears every agreement.

    Rows are rewritten in place by position, so the (project, position)
    uniqueness holds at every step; positions past the new end are removed.
    """
    require_lead(session=session, project=project, user_id=by, action="edit the principles")
    _check_drafts(drafts)
    current = list_principles(session=session, project=project)
    if [(p.title, p.meaning) for p in current] == [(d.title, d.meaning) for d in drafts]:
        return PrinciplesEdit(changed=False, cleared=0, principles=current)
    for position, draft in enumerate(drafts, start=1):
        if position <= len(current):
            row = current[position - 1]
            row.title, row.meaning = draft.title, draft.meaning
        else:
            row = Principle(
                project_id=saved_id(project),
                position=position,
                title=draft.title,
                meaning=draft.meaning,
            )
        session.add(row)
    for removed in current[len(drafts) :]:
        session.delete(removed)
    cleared = len(agreed_by(session=session, project=project))
    session.exec(delete(PrincipleAgreement).where(col(PrincipleAgreement.project_id) == project.id))
    session.flush()
    return PrinciplesEdit(
        changed=True, cleared=cleared, principles=list_principles(session=session, project=project)
    )


def _check_drafts(drafts: list[PrincipleDraft]) -> None:
    if not drafts:
        raise InvalidInput("Keep at least one principle: the partners need something to agree to.")
    if len(drafts) > MAX_PRINCIPLES:
        raise InvalidInput(f"A project can have at most {MAX_PRINCIPLES} principles.")
    for number, draft in enumerate(drafts, start=1):
        if not draft.title.strip():
            raise InvalidInput(f"Principle {number} needs a title.")
        if len(draft.title) > TITLE_LENGTH or len(draft.meaning) > MEANING_LENGTH:
            raise InvalidInput(
                f"Principle {number} is too long: a title takes up to {TITLE_LENGTH} characters, "
                f"a meaning up to {MEANING_LENGTH}."
            )


def start_reminders(
    *, session: Session, project: Project, by: str, spec: ScheduleSpec, now: datetime
) -> tuple[Schedule, list[Schedule]]:
    """The project's one principle reminder, on a new schedule; returns it and those it replaces.

    The new schedule carries on the rotation where the one it replaces had got to.
    """
    require_lead(
        session=session, project=project, user_id=by, action="schedule principle reminders"
    )
    reminder, replaced = schedules.replace_schedule(
        session=session,
        project=project,
        kind=ScheduleKind.PRINCIPLE_REMINDER,
        spec=spec,
        by=by,
        noun="reminder",
        clock=lambda: now,
    )
    reminder.rotation = max((old.rotation for old in replaced), default=0)
    session.add(reminder)
    return reminder, replaced


def stop_reminders(*, session: Session, project: Project, by: str) -> list[Schedule]:
    require_lead(session=session, project=project, user_id=by, action="stop principle reminders")
    return schedules.cancel_all(
        session=session, project=project, kind=ScheduleKind.PRINCIPLE_REMINDER, noun="reminder"
    )


def next_reminder(*, session: Session, project: Project, schedule: Schedule) -> Reminder | None:
    """The principle the schedule's next run shows: the set in order, round and round."""
    principles = list_principles(session=session, project=project)
    if not principles:
        return None
    return Reminder(principles[schedule.rotation % len(principles)], len(principles))


def advance_rotation(*, session: Session, schedule: Schedule) -> None:
    """Move the schedule on to the next principle, once its run has been posted."""
    schedule.rotation += 1
    session.add(schedule)
