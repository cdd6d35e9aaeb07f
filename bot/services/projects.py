"""Projects: a project is created the first time its channel uses changebot."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot import zones
from bot.errors import InvalidInput
from bot.services import principles
from bot.services.partners import remember, require_both_sides, require_lead
from bot.services.process_control import RULE_LENGTHS
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

    The first lead is of the management side until they say otherwise, as
    every lead was before sides and the lead permission were told apart.

    Two instances may see a channel's first command at once: the unique
    (team, channel) index lets one insert win, and the other reads its row.
    The caller's partner row, if any, comes in the same query: nearly every
    command asks next what the caller may do.
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
            lead = Partner(
                project_id=saved_id(project),
                user_id=caller.user_id,
                role=Role.MANAGEMENT,
                is_lead=True,
            )
            session.add(lead)
            remember(session, lead)
            principles.seed_default_principles(session=session, project=project)
            session.flush()
    except IntegrityError:
        found = _find_project(session, caller)
        if found is None:
            raise
        return found
    return project


_PROJECT_AND_CALLER = (
    select(Project, Partner)
    .outerjoin(
        Partner,
        (col(Partner.project_id) == col(Project.id))
        & (col(Partner.user_id) == bindparam("user_id")),
    )
    .where(Project.team_id == bindparam("team_id"), Project.channel_id == bindparam("channel_id"))
)


def _find_project(session: Session, caller: Caller) -> Project | None:
    """The channel's project, and the caller's partner row remembered for the turn."""
    found = session.exec(
        _PROJECT_AND_CALLER,
        params={
            "team_id": caller.team_id,
            "channel_id": caller.channel_id,
            "user_id": caller.user_id,
        },
    ).first()
    if found is None:
        return None
    project, partner = found
    if partner is not None:
        remember(session, partner)
    return project


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
    if mode == SignoffMode.JOINT:
        require_both_sides(session=session, project=project)
    return project


def projects_in_channel(*, session: Session, team_id: str, channel_id: str) -> list[Project]:
    """Projects that live in a channel or post their concerns there."""
    query = select(Project).where(
        Project.team_id == team_id,
        (col(Project.channel_id) == channel_id) | (col(Project.forum_channel_id) == channel_id),
    )
    return list(session.exec(query.order_by(col(Project.id))))


# The bank-holiday calendars a project can follow, by the code the scheduler reads.
CALENDARS = {
    "GB-ENG": "England and Wales",
    "GB-SCT": "Scotland",
    "GB-NIR": "Northern Ireland",
}


@dataclass(frozen=True)
class ProjectSettings:
    """Every setting of a project (SPEC §2), as `/plan settings` shows and saves them."""

    timezone: str
    calendar: str
    signoff_mode: SignoffMode
    anonymous_concerns: bool
    post_feedback_in_channel: bool
    # None: concerns are posted in the project's own channel.
    forum_channel_id: str | None
    rule_length: int


def settings_of(project: Project) -> ProjectSettings:
    return ProjectSettings(
        timezone=project.timezone,
        calendar=project.calendar,
        signoff_mode=SignoffMode(project.signoff_mode),
        anonymous_concerns=project.anonymous_concerns,
        post_feedback_in_channel=project.post_feedback_in_channel,
        forum_channel_id=project.forum_channel_id,
        rule_length=project.rule_length,
    )


def require_settings_lead(*, session: Session, project: Project, by: str) -> None:
    """Asked before the settings form opens, so that nobody fills it in for nothing."""
    require_lead(session=session, project=project, user_id=by, action="change the settings")


def change_settings(
    *, session: Session, project: Project, by: str, settings: ProjectSettings
) -> Project:
    """Save every setting at once; a bad one names its field and nothing is saved.

    Schedules follow a new time zone or calendar by themselves (bot/scheduling/sync.py).
    """
    require_settings_lead(session=session, project=project, by=by)
    settings = replace(settings, timezone=zones.zone_named(settings.timezone))
    _check_settings(settings, current_timezone=project.timezone)
    project.timezone = settings.timezone
    project.calendar = settings.calendar
    project.signoff_mode = settings.signoff_mode
    project.anonymous_concerns = settings.anonymous_concerns
    project.post_feedback_in_channel = settings.post_feedback_in_channel
    forum = settings.forum_channel_id
    project.forum_channel_id = None if forum == project.channel_id else forum
    project.rule_length = settings.rule_length
    session.add(project)
    if settings.signoff_mode == SignoffMode.JOINT:
        try:
            require_both_sides(session=session, project=project)
        except InvalidInput as error:
            raise InvalidInput(error.message, field="signoff") from error
    return project


def _check_settings(settings: ProjectSettings, *, current_timezone: str) -> None:
    """Refuse a wrong setting, naming its field. A project already on GMT (the deployment's
    default zone, say) keeps it when its other settings are saved: the form sends the zone
    back each time, and refusing it would let nothing else be saved."""
    if not zones.valid_timezone(settings.timezone):
        raise InvalidInput(
            f"`{settings.timezone}` is not a time zone. Use a name like Europe/London "
            "or Europe/Dublin.",
            field="timezone",
        )
    if zones.greenwich_time(settings.timezone) and settings.timezone != current_timezone:
        raise InvalidInput(f"`{settings.timezone}` {zones.NO_SUMMER_TIME}", field="timezone")
    if settings.calendar not in CALENDARS:
        raise InvalidInput("Choose one of the bank-holiday calendars.", field="calendar")
    if settings.rule_length not in RULE_LENGTHS:
        raise InvalidInput("The rules look at 6, 7 or 8 points.", field="rule_length")
