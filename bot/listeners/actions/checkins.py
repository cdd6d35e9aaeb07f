"""Check-in buttons: Record check-in on a run's post, the celebration's impact check-in, and
the confirmed removal of a measure."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.listeners.context import Turn
from bot.listeners.payloads import Press, modal_metadata
from bot.listeners.surfaces import OpenModal, Reply, button
from bot.posts import checkins as posts
from bot.services import checkins, measures
from bot.views import checkins as views
from bot.views import measures as measure_views


@button
def open_checkin_form(turn: Turn, press: Press) -> Reply:
    """The run's form, with a field for each measure the project tracks now."""
    run_id = press.number()
    form = checkins.form_for_run(
        session=turn.session, project=turn.project, run_id=run_id, by=turn.caller.user_id
    )
    metadata = modal_metadata(turn.caller, run=run_id)
    return OpenModal(views.checkin_form(form.run, form.measures, form.default_role, metadata))


@button
def schedule_impact_checkin(turn: Turn, press: Press) -> Reply:
    """Schedule it (once), tell the celebration's thread, and answer the presser."""
    project, user = turn.project, turn.caller.user_id
    impact = checkins.schedule_impact_checkin(
        session=turn.session, project=project, by=user, stage_id=press.number(), clock=turn.now
    )
    zone = ZoneInfo(project.timezone)
    upcoming = checkins.upcoming(impact.schedule, project, now=turn.now())
    if impact.created:
        announcement = views.impact_checkin_scheduled(impact, upcoming, user, zone)
        posts.announce_impact_checkin(
            turn.session, project, impact, announcement, thread_ts=press.message_ts
        )
    return views.impact_checkin_reply(impact, upcoming, zone)


@button
def remove_measure(turn: Turn, press: Press) -> Reply:
    """Confirmed in Slack's dialog: remove the measure and its points."""
    name = measures.remove_measure(
        session=turn.session,
        project=turn.project,
        by=turn.caller.user_id,
        measure_id=press.number(),
    )
    return measure_views.removed(name)
