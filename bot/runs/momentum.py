"""Momentum's scheduled work: nudging owners of overdue stages, and posting the digest."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.delivery import enqueue
from bot.runtime import Runtime
from bot.services import momentum
from bot.services.stages import progress_of
from bot.views import momentum as views

if TYPE_CHECKING:
    from bot.jobs import ScheduleRun

log = logging.getLogger(__name__)


def nudge_overdue_stages(runtime: Runtime) -> int:
    """Direct-message each overdue stage's owner once; returns how many were nudged."""
    now = runtime.clock()
    with runtime.transaction() as session:
        due = momentum.overdue_to_nudge(session=session, now=now)
        for overdue in due:
            stage = overdue.stage
            enqueue(
                session,
                key=f"nudge:stage:{stage.id}:{stage.due_on}",
                team_id=overdue.project.team_id,
                channel_id=str(stage.owner_id),
                message=views.overdue_nudge(overdue.project, stage),
            )
            momentum.mark_nudged(session=session, stage=stage, now=now)
    if due:
        log.info("nudged the owners of %d overdue stages", len(due))
    return len(due)


def post_digest(run: ScheduleRun) -> None:
    """One run of a project's digest: what happened since the previous run."""
    since = run.schedule.last_run_at or run.schedule.created_at
    digest = momentum.digest_of(
        session=run.session, project=run.project, since=since, now=run.fired_at
    )
    progress = progress_of(session=run.session, project=run.project)
    enqueue(
        run.session,
        key=run.key,
        team_id=run.project.team_id,
        channel_id=run.project.channel_id,
        message=views.digest(digest, progress),
    )
