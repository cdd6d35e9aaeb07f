"""Keeping the bookkeeping tables small."""

from __future__ import annotations

import logging

from bot.runtime import Runtime
from bot.services import events

log = logging.getLogger(__name__)


def forget_old_events(runtime: Runtime) -> int:
    """Slack stops retrying an event within minutes: ids older than a day are dropped."""
    with runtime.transaction() as session:
        forgotten = events.forget_events_before(
            session=session, cutoff=runtime.clock() - events.RETENTION
        )
    log.info("forgot %d handled event and form ids older than a day", forgotten)
    return forgotten
