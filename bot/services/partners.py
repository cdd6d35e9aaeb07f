"""Partners: each has a side in a project and, separately, possibly the lead permission.

Everyone in the channel can give feedback, raise concerns and answer
check-ins; leads change the plan, the principles, the settings and the
schedules. A refusal names the people who may act instead.

Joint sign-off needs one signer of each side (SPEC §2): the management side
is a management partner, or a lead who is not of the union side; the union
side is a union partner. While a project signs off jointly, no change of
side or of leadership may leave a side with nobody to sign.

A unit of work remembers the partners it has loaded (`remember`): the
caller's partner row comes with the project (bot/services/projects.py), and
each permission check of the same turn reads it from there rather than from
the database again.
"""

from __future__ import annotations

from collections import Counter
from enum import StrEnum

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from bot.errors import InvalidInput, NotAllowed
from storage.models import Partner, Project, Role, SignoffMode, saved_id

# An anonymous answer's side is shown only when at least this many partners share it.
CROWD_FOR_ANONYMITY = 3


class Side(StrEnum):
    """The two sides of a joint sign-off."""

    MANAGEMENT = "management"
    UNION = "union"

    @property
    def other(self) -> Side:
        return Side.UNION if self is Side.MANAGEMENT else Side.MANAGEMENT


# Where a session keeps the partners it has loaded, by (project id, user id).
_LOADED = "changebot_loaded_partners"
_PARTNER = select(Partner).where(
    Partner.project_id == bindparam("project_id"), Partner.user_id == bindparam("user_id")
)


def remember(session: Session, partner: Partner) -> None:
    """Keep `partner` for the permission checks of this unit of work."""
    session.info.setdefault(_LOADED, {})[(partner.project_id, partner.user_id)] = partner


def partner_of(*, session: Session, project: Project, user_id: str) -> Partner | None:
    loaded: Partner | None = session.info.get(_LOADED, {}).get((project.id, user_id))
    if (
        loaded is not None
        and loaded in session
        and loaded not in session.deleted
        and (loaded.project_id, loaded.user_id) == (project.id, user_id)
    ):
        return loaded
    found = session.exec(_PARTNER, params={"project_id": project.id, "user_id": user_id}).first()
    if found is not None:
        remember(session, found)
    return found


def role_of(*, session: Session, project: Project, user_id: str) -> Role | None:
    """The partner's side, or None for someone with no part in the project yet."""
    partner = partner_of(session=session, project=project, user_id=user_id)
    return Role(partner.role) if partner is not None else None


def is_lead(*, session: Session, project: Project, user_id: str) -> bool:
    partner = partner_of(session=session, project=project, user_id=user_id)
    return partner is not None and partner.is_lead


def leads(*, session: Session, project: Project) -> list[str]:
    query = select(Partner.user_id).where(
        Partner.project_id == project.id, col(Partner.is_lead).is_(True)
    )
    return list(session.exec(query.order_by(col(Partner.id))))


def require_lead(*, session: Session, project: Project, user_id: str, action: str) -> None:
    """Refuse `action` unless the user leads the project; the refusal names the leads, or
    says how to name one when there is none (its only lead was forgotten)."""
    if is_lead(session=session, project=project, user_id=user_id):
        return
    current = leads(session=session, project=project)
    message = f"Only a project lead can {action}."
    if not current:
        message += " It has no lead now: anyone in it can name one with `/plan lead @name`."
    raise NotAllowed(message, ask=current)


def signing_side(partner: Partner | None) -> Side | None:
    """Which side of a joint sign-off this partner signs for, if any."""
    if partner is None:
        return None
    if partner.role == Role.UNION:
        return Side.UNION
    if partner.role == Role.MANAGEMENT or partner.is_lead:
        return Side.MANAGEMENT
    return None


def signers(*, session: Session, project: Project) -> dict[Side, list[str]]:
    """Who can sign off for each side, in the order they joined."""
    found: dict[Side, list[str]] = {Side.MANAGEMENT: [], Side.UNION: []}
    for partner in _partners(session, project):
        side = signing_side(partner)
        if side is not None:
            found[side].append(partner.user_id)
    return found


def require_both_sides(*, session: Session, project: Project) -> None:
    """Refuse when a side of a joint sign-off would have nobody to sign for it."""
    session.flush()
    empty = [
        side for side, people in signers(session=session, project=project).items() if not people
    ]
    if not empty:
        return
    side = empty[0]
    raise InvalidInput(
        f"Joint sign-off needs someone to sign for the {side} side, and there would be nobody. "
        f"Give a partner that side first with `/plan role @user {side.value}`"
        + (" (or make someone lead)." if side is Side.MANAGEMENT else ".")
    )


def sides_shown_anonymously(*, session: Session, project: Project) -> set[str]:
    """The sides that at least three partners share: only those may show on anonymous answers."""
    counts = Counter(partner.role for partner in _partners(session, project))
    return {side for side, count in counts.items() if count >= CROWD_FOR_ANONYMITY}


HIDDEN_SIDE = "not shown, to keep it anonymous"


def shown_side(side: str, *, anonymous: bool, shown: set[str]) -> str:
    """The side an answer is shown with: an anonymous one's only if enough partners share it."""
    return side if not anonymous or side in shown else HIDDEN_SIDE


def join_as_staff(*, session: Session, project: Project, user_id: str) -> None:
    """Make someone a partner (staff) when the plan gives them work, so it shows on their Home."""
    if partner_of(session=session, project=project, user_id=user_id) is None:
        session.add(Partner(project_id=saved_id(project), user_id=user_id, role=Role.STAFF))


def set_role(*, session: Session, project: Project, by: str, user_id: str, role: Role) -> Partner:
    """Set a partner's side; `lead` grants the permission instead and keeps the side."""
    if role == Role.LEAD:
        return set_lead(session=session, project=project, by=by, user_id=user_id, lead=True)
    require_lead(session=session, project=project, user_id=by, action="give partners sides")
    partner = _partner_or_new(session, project, user_id, role)
    partner.role = role
    session.add(partner)
    _keep_joint_signoff_possible(session, project)
    return partner


def set_lead(*, session: Session, project: Project, by: str, user_id: str, lead: bool) -> Partner:
    """Grant or withdraw the lead permission; a project always keeps at least one lead.

    A project with no lead (its only one was forgotten, `changebot forget`) takes one
    from anyone in it, as a new project takes its first user: otherwise nothing in it
    could be changed again.
    """
    if leads(session=session, project=project):
        require_lead(session=session, project=project, user_id=by, action="choose the leads")
    if not lead and partner_of(session=session, project=project, user_id=user_id) is None:
        raise InvalidInput(
            "That person has no part in this project, so there is no lead permission to "
            "withdraw: nothing was changed."
        )
    partner = _partner_or_new(session, project, user_id, Role.STAFF)
    if partner.is_lead and not lead and leads(session=session, project=project) == [user_id]:
        raise InvalidInput(
            "A project needs at least one lead: make someone else lead first, then change this."
        )
    partner.is_lead = lead
    session.add(partner)
    _keep_joint_signoff_possible(session, project)
    return partner


def _keep_joint_signoff_possible(session: Session, project: Project) -> None:
    if project.signoff_mode == SignoffMode.JOINT:
        require_both_sides(session=session, project=project)


def _partner_or_new(session: Session, project: Project, user_id: str, side: Role) -> Partner:
    found = partner_of(session=session, project=project, user_id=user_id)
    return found or Partner(project_id=saved_id(project), user_id=user_id, role=side)


def _partners(session: Session, project: Project) -> list[Partner]:
    query = select(Partner).where(Partner.project_id == project.id).order_by(col(Partner.id))
    return list(session.exec(query))
