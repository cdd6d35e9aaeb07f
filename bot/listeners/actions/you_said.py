"""The "We did something about this" button (on a feedback post, or in `/feedback list`) and
taking an answer off the public page."""

from __future__ import annotations

from bot.listeners.context import Turn
from bot.listeners.payloads import Press, modal_metadata
from bot.listeners.surfaces import OpenModal, Reply, button
from bot.services import you_said
from bot.views import you_said as views


@button
def open_answer_form(turn: Turn, press: Press) -> Reply:
    """Only a lead gets the form: its "You said" starts as the feedback, to edit."""
    answering = you_said.answerable(
        session=turn.session,
        project=turn.project,
        by=turn.caller.user_id,
        feedback_id=press.number(),
    )
    metadata = modal_metadata(turn.caller, feedback=answering.feedback.id)
    return OpenModal(views.you_said_form(answering, metadata))


@button
def withdraw_answer(turn: Turn, press: Press) -> Reply:
    you_said.withdraw(
        session=turn.session,
        project=turn.project,
        by=turn.caller.user_id,
        feedback_id=press.number(),
        now=turn.now(),
    )
    return views.withdrawn()
