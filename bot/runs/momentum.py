"""Momentum's scheduled work: nudging owners of overdue stages, and posting the digest."""

from __future__ import annotations

import logging

from bot.posts import momentum as posts
from bot.runs.scheduled import ScheduleRun
from bot.runtime import Runtime
from bot.services import momentum
from bot.services.stages import progress_of

log = logging.getLogger(__name__)


def nudge_overdue_stages(runtime: Runtime) -> int:
    """Direct-message each overdue stage's owner once; returns how many were nudged."""
    now = runtime.clock()
    with runtime.transaction() as session:
        due = momentum.overdue_to_nudge(session=session, now=now)
        for overdue in due:
            posts.nudge_owner(session, overdue)
            momentum.mark_nudged(session=session, stage=overdue.stage, now=now)
    if due:
        log.info("nudged the owners of %d overdue stages", len(due))
    return len(due)


def post_digest(run: ScheduleRun) -> None:
    """One run of a project's digest: what happened since the previous run, or since the
    project began for the first (a digest started today still counts this morning's work)."""
    since = run.schedule.last_run_at or run.project.created_at
    digest = momentum.digest_of(
        session=run.session, project=run.project, since=since, now=run.fired_at
    )
    progress = progress_of(session=run.session, project=run.project)
    posts.post_digest(run.session, run.schedule, run.fired_at, digest, progress)
