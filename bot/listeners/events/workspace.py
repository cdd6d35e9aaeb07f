"""Slack took changebot's tokens back: forget them, and pause what would post with them.

`app_uninstalled` ends the installation in a workspace; `tokens_revoked`
names the users and bot users whose tokens died. Without these, scheduled
check-ins, digests and reminders would go on failing against a dead token
until someone noticed. Slack sends both without a token to authorize them
(Bolt skips its check for them), and they need no scope.

In single-workspace mode the token lives in the settings, not in our tables:
there is nothing to delete, but the schedules are paused all the same.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.installations import DatabaseInstallationStore
from bot.listeners.context import Turn
from bot.listeners.surfaces import AfterCommit, event
from bot.services import schedules

log = logging.getLogger(__name__)


@event
def uninstalled(turn: Turn, _event: dict[str, Any]) -> AfterCommit:
    """Every installation of the workspace goes; its schedules pause until a reinstall."""
    team_id = turn.caller.team_id
    store = _installations(turn)
    if store is not None:
        store.delete_all(enterprise_id=turn.caller.enterprise_id, team_id=team_id)
    paused = len(schedules.pause_team_schedules(session=turn.session, team_id=team_id))
    removed = "its installations" if store is not None else "no stored tokens"
    log.info(
        "changebot was uninstalled from workspace %r: %s removed, %d schedules paused",
        team_id,
        removed,
        paused,
    )
    return None


@event
def tokens_revoked(turn: Turn, revoked: dict[str, Any]) -> AfterCommit:
    """Only the tokens named go. Schedules pause only with the bot token: posts use no other."""
    team_id, enterprise_id = turn.caller.team_id, turn.caller.enterprise_id
    users, bots = _revoked(revoked)
    store = _installations(turn)
    if store is not None:
        for user_id in users:
            store.delete_installation(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id)
        if bots:
            store.delete_bot(enterprise_id=enterprise_id, team_id=team_id)
    paused = 0
    if bots:
        paused = len(schedules.pause_team_schedules(session=turn.session, team_id=team_id))
    removed = "no stored tokens"
    if store is not None:
        removed = f"{len(users)} user and {len(bots)} bot tokens"
    log.info(
        "tokens revoked in workspace %r: %s removed, %d schedules paused", team_id, removed, paused
    )
    return None


def _installations(turn: Turn) -> DatabaseInstallationStore | None:
    """Where OAuth keeps the tokens; None in single-workspace mode."""
    settings = turn.runtime.settings
    if not settings.oauth_enabled:
        return None
    store = DatabaseInstallationStore.for_settings(settings, turn.runtime.engine)
    return store.within(turn.session)


def _revoked(event: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The users whose user tokens and the bot users whose bot tokens were revoked.

    Slack names them in lists of ids. Anything else names nobody: a string is not
    read letter by letter as ids, and nothing in the event can make it fail.
    """
    tokens = event.get("tokens")
    if not isinstance(tokens, dict):
        return [], []
    return _ids(tokens.get("oauth")), _ids(tokens.get("bot"))


def _ids(named: object) -> list[str]:
    if not isinstance(named, list):
        return []
    return [each for each in named if isinstance(each, str)]
