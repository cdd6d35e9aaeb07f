"""The App Home tab, published when a person opens it."""

from __future__ import annotations

from typing import Any

from bot.listeners.context import Turn
from bot.listeners.surfaces import AfterCommit, event
from bot.services import overview
from bot.views import home as views


@event
def publish_home(turn: Turn, opened: dict[str, Any]) -> AfterCommit:
    """The person's projects as they are now; published once the reading is done."""
    if opened.get("tab") != "home":
        return None
    now = turn.now()
    user = turn.caller.user_id
    overviews = overview.overviews_for(
        session=turn.session, team_id=turn.caller.team_id, user_id=user, now=now
    )
    view = views.home(overviews, now)
    client = turn.client

    def publish() -> None:
        client.views_publish(user_id=user, view=view)

    return publish
