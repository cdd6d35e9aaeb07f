"""When Slack refuses posts for good: pause what would keep failing, and say so.

The sender calls these from its thread when a row fails with an error that
retrying cannot cure (bot/delivery.py). Pausing the rows is enough: a paused
schedule's job is removed once the pause commits (bot/scheduling/sync.py).
"""

from __future__ import annotations

import logging
from datetime import UTC

from bot.delivery import Unreachable
from bot.posts.channels import tell_lead_channel_lost
from bot.runtime import Runtime
from bot.services import schedules
from bot.services.partners import leads
from bot.services.projects import projects_in_channel

log = logging.getLogger(__name__)


def channel_lost(runtime: Runtime, lost: Unreachable) -> None:
    """Pause the channel's schedules and tell each of its projects' leads by direct message."""
    today = runtime.clock().astimezone(UTC).date()
    with runtime.transaction() as session:
        paused = schedules.pause_channel_schedules(
            session=session, team_id=lost.team_id, channel_id=lost.channel_id
        )
        for project in projects_in_channel(
            session=session, team_id=lost.team_id, channel_id=lost.channel_id
        ):
            for lead in leads(session=session, project=project):
                tell_lead_channel_lost(
                    session, project, lost, lead=lead, paused=len(paused), today=today
                )
    log.warning(
        "channel %s in %s refused posts (%s): %d schedules paused",
        lost.channel_id,
        lost.team_id,
        lost.error,
        len(paused),
    )


def workspace_refused(runtime: Runtime, team_id: str, error: str) -> None:
    """Slack refused the workspace's token: stop its schedules until changebot is reinstalled."""
    with runtime.transaction() as session:
        paused = schedules.pause_team_schedules(session=session, team_id=team_id)
    log.error(
        "Slack refused changebot's token for workspace %s (%s): %d schedules paused there. "
        "Reinstall changebot in that workspace, then resume its check-ins.",
        team_id,
        error,
        len(paused),
    )
