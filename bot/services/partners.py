"""Partners: who has a role in a project, and what their role lets them do.

Everyone in the channel can give feedback, raise concerns and answer
check-ins; leads change the plan, the principles, the settings and the
schedules. A refusal names the people who may act instead.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.errors import InvalidInput, NotAllowed
from storage.models import Partner, Project, Role, saved_id


def role_of(*, session: Session, project: Project, user_id: str) -> Role | None:
    query = select(Partner.role).where(Partner.project_id == project.id, Partner.user_id == user_id)
    role = session.exec(query).first()
    return Role(role) if role is not None else None


def leads(*, session: Session, project: Project) -> list[str]:
    query = select(Partner.user_id).where(
        Partner.project_id == project.id, Partner.role == Role.LEAD
    )
    return list(session.exec(query.order_by(col(Partner.id))))


def require_lead(*, session: Session, project: Project, user_id: str, action: str) -> None:
    """Refuse `action` unless the user leads the project; the refusal names the leads."""
    if role_of(session=session, project=project, user_id=user_id) == Role.LEAD:
        return
    raise NotAllowed(
        f"Only a project lead can {action}.", ask=leads(session=session, project=project)
    )


def join_as_staff(*, session: Session, project: Project, user_id: str) -> None:
    """Make someone a partner (staff) when the plan gives them work, so it shows on their Home."""
    if role_of(session=session, project=project, user_id=user_id) is None:
        session.add(Partner(project_id=saved_id(project), user_id=user_id, role=Role.STAFF))


def set_role(*, session: Session, project: Project, by: str, user_id: str, role: Role) -> Partner:
    """Give a partner a role; a project never loses its last lead this way."""
    require_lead(session=session, project=project, user_id=by, action="give partners roles")
    partner = session.exec(
        select(Partner).where(Partner.project_id == project.id, Partner.user_id == user_id)
    ).first()
    if partner is None:
        partner = Partner(project_id=saved_id(project), user_id=user_id, role=role)
    elif (
        partner.role == Role.LEAD
        and role != Role.LEAD
        and len(leads(session=session, project=project)) == 1
    ):
        raise InvalidInput(
            "A project needs at least one lead: make someone else lead first, then change this."
        )
    partner.role = role
    session.add(partner)
    return partner
