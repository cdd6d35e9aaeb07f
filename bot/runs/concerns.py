"""Concern escalation: a concern still open after three working days reminds the leads, once."""

from __future__ import annotations

import logging

from bot.posts import concerns as posts
from bot.runtime import Runtime
from bot.services import concerns
from bot.services.partners import leads

log = logging.getLogger(__name__)


def escalate_waiting_concerns(runtime: Runtime) -> int:
    """Remind the leads, in each waiting concern's thread; returns how many were escalated."""
    now = runtime.clock()
    with runtime.transaction() as session:
        due = concerns.due_for_escalation(session=session, now=now)
        for project, concern in due:
            posts.post_escalation(
                session, project, concern, leads(session=session, project=project)
            )
            concerns.mark_escalated(session=session, concern=concern, now=now)
    if due:
        log.info("reminded leads of %d concerns still open after three working days", len(due))
    return len(due)
