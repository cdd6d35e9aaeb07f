"""The "You said, we did" form's submission: the lead's edit is published on the public page."""

from __future__ import annotations

from typing import Any

from bot.errors import InvalidInput
from bot.listeners.context import Turn
from bot.listeners.payloads import OUT_OF_DATE
from bot.listeners.surfaces import FormAnswer, form
from bot.services import feedback_links, you_said
from bot.views import replies
from bot.views import you_said as views


def _publish(turn: Turn, view: dict[str, Any], metadata: dict[str, Any]) -> FormAnswer:
    feedback_id = metadata.get("feedback")
    if not isinstance(feedback_id, int):
        raise InvalidInput(OUT_OF_DATE)
    pair = views.read_you_said_form(view["state"]["values"])
    you_said.publish(
        session=turn.session,
        project=turn.project,
        by=turn.caller.user_id,
        feedback_id=feedback_id,
        you_said=pair.you_said,
        we_did=pair.we_did,
        now=turn.now(),
    )
    token = feedback_links.public_token(session=turn.session, project=turn.project)
    page = views.page_of(turn.runtime.settings.public_base, token)
    return {
        "response_action": "update",
        "view": replies.finished_form("Published", views.published(page)),
    }


publish_answer = form(_publish, fallback=views.WE_DID, fields=views.FIELDS)
