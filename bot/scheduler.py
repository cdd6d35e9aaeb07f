"""When things happen: APScheduler 3.x with its SQLAlchemy job store on our database.

Jobs only decide *when*; what they do is call services and enqueue outbox
rows keyed by schedule and fire time, so a run is posted once however often
it fires. Missed runs are coalesced into one and run however late
(`misfire_grace_time=None`): a run due while changebot was down is posted
once when it comes back. Only the instance holding the scheduler lease
processes jobs; the others keep their scheduler paused but can still add,
change and remove jobs in the shared store.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, timedelta
from typing import Any

from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from sqlalchemy.engine import Engine

from bot.leadership import DatabaseLease

log = logging.getLogger(__name__)

JOB_TABLE = "apscheduler_jobs"
LEASE_NAME = "scheduler"


class Scheduler:
    def __init__(
        self,
        *,
        engine: Engine,
        instance_id: str,
        lease_ttl: timedelta = timedelta(seconds=30),
        check_every: float = 5.0,
    ) -> None:
        self._aps = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOB_TABLE)},
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
            timezone=UTC,
        )
        self._lease = DatabaseLease(
            engine=engine, name=LEASE_NAME, holder=instance_id, ttl=lease_ttl
        )
        self._check_every = check_every
        self._leading = False
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def leading(self) -> bool:
        return self._leading

    def start(self) -> None:
        """Start paused, then take the lease at once if it is free, so start-up is predictable."""
        self._aps.start(paused=True)
        self.check_lease()
        self._thread = threading.Thread(
            target=self._keep_lease, name="scheduler-lease", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop taking jobs, let a running job finish, and hand the lease on."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(10)
        if self._aps.running:
            self._aps.shutdown(wait=True)
        if self._leading:
            self._lease.release()
            self._leading = False

    def add(self, job_id: str, func: str, trigger: BaseTrigger, args: tuple[Any, ...] = ()) -> Job:
        """Add or replace a job; `func` is an importable reference such as `bot.jobs:run`."""
        return self._aps.add_job(func, trigger=trigger, args=args, id=job_id, replace_existing=True)

    def remove(self, job_id: str) -> None:
        if self._aps.get_job(job_id) is not None:
            self._aps.remove_job(job_id)

    def jobs(self) -> list[Job]:
        return list(self._aps.get_jobs())

    def check_lease(self) -> None:
        """Renew or take the lease, and run or pause job processing to match."""
        try:
            leading = self._lease.acquire_or_renew()
        except Exception:
            log.exception("could not reach the database to renew the scheduler lease")
            leading = False
        if leading and not self._leading:
            log.info("this instance now runs the scheduled jobs")
            self._aps.resume()
        elif not leading and self._leading:
            log.info("another instance runs the scheduled jobs now")
            self._aps.pause()
        elif leading:
            # Jobs added by other instances are in the store but unknown to our
            # in-memory wake-up time: look again.
            self._aps.wakeup()
        self._leading = leading

    def _keep_lease(self) -> None:
        while not self._stopping.wait(self._check_every):
            self.check_lease()
