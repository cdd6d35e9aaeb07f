"""The console's own clock: real time, moved forward at will, with the jobs that fall due.

The runtime reads the time through `runtime.clock`; in the console that is this clock,
so `:clock +7d` makes a week pass for the app. The jobs are run by the console itself as
the clock passes their times, each at its own time: a weekly check-in two weeks ahead
is posted twice, dated as it would have been. Jobs that run every few minutes (interval
triggers) would make a week thousands of runs: between two other jobs' times they run
once, as APScheduler coalesces runs missed while changebot was down.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from apscheduler.job import Job
from apscheduler.triggers.interval import IntervalTrigger

from storage.types import utcnow

# The finest step a trigger takes: fire times are whole seconds.
_INSTANT = timedelta(microseconds=1)


@dataclass
class ConsoleClock:
    """Real time plus an offset that only grows; pinned to an instant while a job runs."""

    _offset: timedelta = timedelta()
    _pinned: datetime | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> datetime:
        with self._lock:
            return self._pinned or utcnow() + self._offset

    @property
    def offset(self) -> timedelta:
        return self._offset

    def move_to(self, instant: datetime) -> None:
        """From here on it is `instant`, and time runs on from there; never backwards."""
        with self._lock:
            self._offset = max(self._offset, instant - utcnow())

    @contextmanager
    def pinned(self, instant: datetime) -> Iterator[None]:
        """Read `instant` for the block: a job runs at its own time, not at the jump's end."""
        with self._lock:
            self._pinned = instant
        try:
            yield
        finally:
            with self._lock:
                self._pinned = None


def next_fire_after(job: Job, instant: datetime) -> datetime | None:
    """When the job's trigger fires next after `instant` (None once it never will)."""
    fire: datetime | None = job.trigger.get_next_fire_time(None, instant + _INSTANT)
    # A date trigger answers its one date whatever `now` is.
    return fire if fire is not None and fire > instant else None


def runs_often(job: Job) -> bool:
    """A job on an interval (every few minutes), rather than at times of day or a date."""
    return isinstance(job.trigger, IntervalTrigger)


@dataclass(frozen=True)
class Step:
    """One moment the clock stops at on its way, and the jobs that are due by then."""

    at: datetime
    jobs: list[Job]


def steps_between(jobs: list[Job], start: datetime, end: datetime) -> Iterator[Step]:
    """The moments in (start, end] that jobs fall due, oldest first, each with its jobs.

    Every job's own fire time is a moment, except for jobs on an interval: they join
    the next moment (or `end`), once however many of their times have passed.
    """
    cursor = start
    while True:
        moment = min(
            (
                fire
                for job in jobs
                if not runs_often(job)
                and (fire := next_fire_after(job, cursor)) is not None
                and fire <= end
            ),
            default=end,
        )
        due = [
            job
            for job in jobs
            if (fire := next_fire_after(job, cursor)) is not None and fire <= moment
        ]
        if due:
            yield Step(moment, due)
        if moment >= end:
            return
        cursor = moment
