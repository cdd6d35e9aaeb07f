"""Button presses (block actions): each action id to its listener, one line each."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners.actions import checkins, concerns, signoff, stages, you_said
from bot.views.checkins import RECORD_CHECKIN, SCHEDULE_IMPACT_CHECKIN
from bot.views.concerns import ACKNOWLEDGE, RESOLVE, WITHDRAW
from bot.views.feedback import ANSWER_FEEDBACK
from bot.views.measures import REMOVE_MEASURE
from bot.views.principles import RAISE_FROM_REMINDER
from bot.views.stages import CONFIRM_SIGNOFF, REMOVE_STAGE
from bot.views.you_said import WITHDRAW_ANSWER


def register(app: App) -> None:
    app.action(CONFIRM_SIGNOFF)(signoff.confirm_signoff)
    app.action(REMOVE_STAGE)(stages.remove_stage)
    app.action(RECORD_CHECKIN)(checkins.open_checkin_form)
    app.action(SCHEDULE_IMPACT_CHECKIN)(checkins.schedule_impact_checkin)
    app.action(REMOVE_MEASURE)(checkins.remove_measure)
    app.action(ACKNOWLEDGE)(concerns.acknowledge)
    app.action(WITHDRAW)(concerns.withdraw)
    app.action(RESOLVE)(concerns.open_resolution_form)
    app.action(RAISE_FROM_REMINDER)(concerns.raise_from_reminder)
    app.action(ANSWER_FEEDBACK)(you_said.open_answer_form)
    app.action(WITHDRAW_ANSWER)(you_said.withdraw_answer)
