"""Keeping the bookkeeping tables small."""

from __future__ import annotations

import logging

from bot.runtime import Runtime
from bot.services import events, rate_limits, replays

log = logging.getLogger(__name__)


def forget_old_events(runtime: Runtime) -> int:
    """Slack stops retrying an event within minutes: ids older than a day are dropped."""
    with runtime.transaction() as session:
        forgotten = events.forget_events_before(
            session=session, cutoff=runtime.clock() - events.RETENTION
        )
    log.info("forgot %d handled event and form ids older than a day", forgotten)
    return forgotten


def forget_stale_requests(runtime: Runtime) -> int:
    """Signatures of requests whose timestamps went stale can never match a request again."""
    with runtime.transaction() as session:
        forgotten = replays.forget_stale(session=session, now=runtime.clock())
    log.debug("forgot %d signatures of requests no longer fresh", forgotten)
    return forgotten


def forget_page_hits(runtime: Runtime) -> int:
    """The public pages' rate-limit hits are kept only while a window still counts them."""
    with runtime.transaction() as session:
        forgotten = rate_limits.forget_expired(session=session, now=runtime.clock())
    log.debug("forgot %d public page hits no rate limit counts any more", forgotten)
    return forgotten
