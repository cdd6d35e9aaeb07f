"""Projects: a project is created the first time its channel uses changebot."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.services import principles
from bot.services.partners import require_lead
from storage.models import Partner, Project, Role, SignoffMode, saved_id


@dataclass(frozen=True)
class Caller:
    """Who is acting, and where: taken from the Slack payload at the edge."""

    team_id: str
    channel_id: str
    user_id: str
    channel_name: str = ""
    # The request's own id (a trigger, a view, an event): what a request posts is keyed
    # by it, so a request Slack retries, or someone replays, posts nothing new.
    request_id: str = ""
    # Set for a workspace of an Enterprise Grid org.
    enterprise_id: str | None = None


def project_for(*, session: Session, caller: Caller, timezone: str) -> Project:
    """The caller's channel's project, created on first use with the caller as its lead.

    Two instances may see a channel's first command at once: the unique
    (team, channel) index lets one insert win, and the other reads its row.
    """
    project = _find_project(session, caller)
    if project is not None:
        return project
    try:
        with session.begin_nested():
            project = Project(
                team_id=caller.team_id,
                channel_id=caller.channel_id,
                name=caller.channel_name or caller.channel_id,
                timezone=timezone,
            )
            session.add(project)
            session.flush()
            session.add(
                Partner(project_id=saved_id(project), user_id=caller.user_id, role=Role.LEAD)
            )
            principles.seed_default_principles(session=session, project=project)
            session.flush()
    except IntegrityError:
        found = _find_project(session, caller)
        if found is None:
            raise
        return found
    return project


def _find_project(session: Session, caller: Caller) -> Project | None:
    query = select(Project).where(
        Project.team_id == caller.team_id, Project.channel_id == caller.channel_id
    )
    return session.exec(query).first()


def projects_of(*, session: Session, team_id: str, user_id: str) -> list[Project]:
    """The projects in a workspace where the user is a partner, oldest first."""
    query = (
        select(Project)
        .join(Partner, col(Partner.project_id) == col(Project.id))
        .where(Project.team_id == team_id, Partner.user_id == user_id)
        .order_by(col(Project.id))
    )
    return list(session.exec(query))


def set_need(*, session: Session, project: Project, by: str, need: str) -> Project:
    require_lead(session=session, project=project, user_id=by, action="set the need for change")
    project.need = need
    session.add(project)
    return project


def set_signoff_mode(*, session: Session, project: Project, by: str, mode: SignoffMode) -> Project:
    require_lead(
        session=session, project=project, user_id=by, action="change how stages are signed off"
    )
    project.signoff_mode = mode
    session.add(project)
    return project


def projects_in_channel(*, session: Session, team_id: str, channel_id: str) -> list[Project]:
    """Projects that live in a channel or post their concerns there."""
    query = select(Project).where(
        Project.team_id == team_id,
        (col(Project.channel_id) == channel_id) | (col(Project.forum_channel_id) == channel_id),
    )
    return list(session.exec(query.order_by(col(Project.id))))
