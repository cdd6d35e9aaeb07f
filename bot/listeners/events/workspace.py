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

from slack_bolt import BoltContext

from bot.installations import DatabaseInstallationStore
from bot.listeners.events.threads import Listener
from bot.runtime import Runtime
from bot.services import schedules

log = logging.getLogger(__name__)


def uninstalled(runtime: Runtime) -> Listener:
    store = _installations(runtime)

    def forget_workspace(body: dict[str, Any], context: BoltContext) -> None:
        """Every installation of the workspace goes; its schedules pause until a reinstall."""
        team_id = body["team_id"]
        if store is not None:
            store.delete_all(enterprise_id=context.enterprise_id, team_id=team_id)
        paused = _pause_schedules(runtime, team_id)
        removed = "its installations" if store is not None else "no stored tokens"
        log.info(
            "changebot was uninstalled from workspace %r: %s removed, %d schedules paused",
            team_id,
            removed,
            paused,
        )

    return forget_workspace


def tokens_revoked(runtime: Runtime) -> Listener:
    store = _installations(runtime)

    def forget_revoked_tokens(
        event: dict[str, Any], body: dict[str, Any], context: BoltContext
    ) -> None:
        """Only the tokens named go. Schedules pause only with the bot token: posts use no other."""
        team_id = body["team_id"]
        users, bots = _revoked(event)
        if store is not None:
            for user_id in users:
                store.delete_installation(
                    enterprise_id=context.enterprise_id, team_id=team_id, user_id=user_id
                )
            if bots:
                store.delete_bot(enterprise_id=context.enterprise_id, team_id=team_id)
        paused = _pause_schedules(runtime, team_id) if bots else 0
        removed = "no stored tokens"
        if store is not None:
            removed = f"{len(users)} user and {len(bots)} bot tokens"
        log.info(
            "tokens revoked in workspace %r: %s removed, %d schedules paused",
            team_id,
            removed,
            paused,
        )

    return forget_revoked_tokens


def _installations(runtime: Runtime) -> DatabaseInstallationStore | None:
    """Where OAuth keeps the tokens; None in single-workspace mode."""
    if not runtime.settings.oauth_enabled:
        return None
    return DatabaseInstallationStore.for_settings(runtime.settings, runtime.engine)


def _revoked(event: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The users whose user tokens and the bot users whose bot tokens were revoked."""
    tokens = event.get("tokens") or {}
    return list(tokens.get("oauth") or []), list(tokens.get("bot") or [])


def _pause_schedules(runtime: Runtime, team_id: str) -> int:
    with runtime.transaction() as session:
        return len(schedules.pause_team_schedules(session=session, team_id=team_id))
