"""People's names from Slack (`users.info`, the `users:read` scope), cached for a while.

A spreadsheet reader cannot tell `UALEX` from `UJO`: the export shows
"Alex Morgan (UALEX)". Names change rarely and an export names the same few
people many times, so each is asked once an hour at most, and never from
inside a transaction (the export looks them up between its two turns).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services.erasure import is_slack_user_id

log = logging.getLogger(__name__)

NAME_LIFETIME = 3600.0
MAX_NAMES = 5000


class NameCache:
    """Display names by (team, user id), each kept for `NAME_LIFETIME` seconds."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._names: dict[tuple[str, str], tuple[float, str]] = {}

    def names_of(self, client: WebClient, team_id: str, user_ids: Iterable[str]) -> dict[str, str]:
        """The name of each Slack user id in `user_ids`; an id Slack will not name is left out."""
        found = {}
        for user_id in dict.fromkeys(user_ids):
            if not is_slack_user_id(user_id):
                continue
            name = self._cached(team_id, user_id) or self._look_up(client, team_id, user_id)
            if name:
                found[user_id] = name
        return found

    def _cached(self, team_id: str, user_id: str) -> str | None:
        with self._lock:
            kept = self._names.get((team_id, user_id))
        if kept is None or kept[0] < self._clock():
            return None
        return kept[1]

    def _look_up(self, client: WebClient, team_id: str, user_id: str) -> str | None:
        try:
            user = client.users_info(user=user_id).get("user") or {}
        except SlackApiError as error:
            log.warning("users.info refused a name: %s", error.response.get("error"))
            return None
        profile = user.get("profile") or {}
        name = str(profile.get("real_name") or user.get("real_name") or user.get("name") or "")
        if name:
            self._keep(team_id, user_id, name)
        return name or None

    def _keep(self, team_id: str, user_id: str, name: str) -> None:
        with self._lock:
            if len(self._names) >= MAX_NAMES:
                self._names.clear()
            self._names[(team_id, user_id)] = (self._clock() + NAME_LIFETIME, name)
