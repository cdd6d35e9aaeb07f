"""The Record check-in form's submission: stored, and acknowledged in the run's thread; and the
form of a measure's pasted data, whose answer replaces the form.

The acknowledgement never repeats what was said, and an anonymous one names no one.
"""

from __future__ import annotations

from typing import Any

from bot.errors import InvalidInput
from bot.listeners.context import Turn
from bot.listeners.payloads import OUT_OF_DATE
from bot.listeners.surfaces import FormAnswer, form
from bot.posts import checkins as posts
from bot.services import checkins, measures
from bot.views import checkins as views
from bot.views import measures as measure_views
from bot.views import replies


def _record_checkin(turn: Turn, view: dict[str, Any], metadata: dict[str, Any]) -> FormAnswer:
    run_id = metadata.get("run")
    if not isinstance(run_id, int):
        raise InvalidInput(OUT_OF_DATE)
    answers = views.read_checkin_form(
        view["state"]["values"], checkins.measures_of(session=turn.session, project=turn.project)
    )
    recorded = checkins.record_response(
        session=turn.session,
        project=turn.project,
        run_id=run_id,
        by=turn.caller.user_id,
        answers=answers,
        clock=turn.now,
    )
    posts.acknowledge_response(
        turn.session, turn.project, recorded, request_id=turn.caller.request_id
    )
    return None


submit_checkin = form(_record_checkin, fallback=views.WORKING)


def _store_measure_data(turn: Turn, view: dict[str, Any], metadata: dict[str, Any]) -> FormAnswer:
    measure_id = metadata.get("measure")
    if not isinstance(measure_id, int):
        raise InvalidInput(OUT_OF_DATE)
    pasted = measures.paste_points(
        session=turn.session,
        project=turn.project,
        by=turn.caller.user_id,
        measure_id=measure_id,
        points=measure_views.read_data_form(view["state"]["values"]),
    )
    stored = replies.finished_form("Data stored", measure_views.data_stored(pasted))
    return {"response_action": "update", "view": stored}


submit_measure_data = form(_store_measure_data, fallback=measure_views.DATA_FIELD)
