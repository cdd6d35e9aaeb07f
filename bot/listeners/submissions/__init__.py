"""Modal submissions (view_submission): each form's callback id to its listener."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners.submissions import (
    checkins,
    concerns,
    feedback,
    principles,
    settings,
    you_said,
)
from bot.views.checkins import CHECKIN_FORM
from bot.views.concerns import RAISE_FORM, RESOLVE_FORM
from bot.views.feedback import FEEDBACK_FORM
from bot.views.measures import DATA_FORM
from bot.views.principles import EDIT_FORM
from bot.views.settings import SETTINGS_FORM
from bot.views.you_said import YOU_SAID_FORM


def register(app: App) -> None:
    app.view(FEEDBACK_FORM)(feedback.submit_feedback)
    app.view(CHECKIN_FORM)(checkins.submit_checkin)
    app.view(DATA_FORM)(checkins.submit_measure_data)
    app.view(RAISE_FORM)(concerns.raise_concern)
    app.view(RESOLVE_FORM)(concerns.resolve_concern)
    app.view(EDIT_FORM)(principles.save_principles)
    app.view(SETTINGS_FORM)(settings.save_settings)
    app.view(YOU_SAID_FORM)(you_said.publish_answer)
