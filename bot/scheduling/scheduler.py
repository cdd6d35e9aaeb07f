"""APScheduler 3.x with its SQLAlchemy job store on our database, behind a lease.

Jobs only decide *when*; what they do is call `bot.runs`, which enqueue
outbox rows keyed by schedule and fire time, so a run is posted once however
often it fires. Missed runs are coalesced into one and run however late
(`misfire_grace_time=None`): a run due while changebot was down is posted
once when it comes back. Only the instance holding the scheduler lease
processes jobs; the others keep their scheduler paused but can still add,
change and remove jobs in the shared store. A web worker never even
competes for the lease (`start(lead=False)`): it only writes jobs.

The job store keeps each job as an importable reference and picklable
arguments, so a job cannot carry the runtime with it. Instead every job is
stored with a placeholder as its first argument (`CONTEXT`), and the
executor hands the scheduler's context (the process's runtime) to the job in
its place: no module holds the runtime in a global.
"""

from __future__ import annotations

import logging
import pickle
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.util import datetime_to_utc_timestamp
from sqlalchemy.engine import Engine

from bot.logs import RepeatedFailure
from bot.scheduling.lease import DatabaseLease

log = logging.getLogger(__name__)

JOB_TABLE = "apscheduler_jobs"
LEASE_NAME = "scheduler"
# What a stored job has as its first argument, where it runs with the process's runtime.
CONTEXT = "changebot:runtime"


@dataclass(frozen=True)
class JobSpec:
    """A job to add: its id, its function's importable reference, its trigger, when it
    first runs (the caller has asked the trigger already, to leave out finished ones),
    and its arguments."""

    job_id: str
    func: str
    trigger: BaseTrigger
    first_run: datetime
    args: tuple[Any, ...] = ()


class _JobWithContext:
    """A job as APScheduler's `run_job` sees it, with the context as its first argument."""

    def __init__(self, job: Job, context: object) -> None:
        self._job = job
        self.func = job.func
        self.args = (context, *job.args[1:]) if job.args[:1] == (CONTEXT,) else job.args

    def __getattr__(self, name: str) -> Any:
        return getattr(self._job, name)

    def __str__(self) -> str:
        return str(self._job)


class _ContextExecutor(ThreadPoolExecutor):
    """APScheduler's thread pool, running each job with the scheduler's context."""

    def __init__(self, context: object, max_workers: int = 10) -> None:
        super().__init__(max_workers=max_workers)
        self._context = context

    def _do_submit_job(self, job: Job, run_times: list[Any]) -> None:
        super()._do_submit_job(_JobWithContext(job, self._context), run_times)


class _OutageProofScheduler(BackgroundScheduler):
    """APScheduler's background scheduler, whose thread outlives a database outage.

    APScheduler guards only its read of the due jobs; if the database goes away
    between that and the job store's next statement (marking a job run, asking
    when the next is due), the error ends its thread, and no scheduled post
    would go out again until a restart. Here such a pass is logged and tried
    again after APScheduler's own retry interval: a run it left unmarked runs
    again, and its outbox key posts it once.
    """

    def _process_jobs(self) -> float | None:
        try:
            wait_seconds: float | None = super()._process_jobs()
        except Exception as error:
            log.warning(
                "the job store could not be read or written (%s); trying again in %s s",
                type(error).__name__,
                self.jobstore_retry_interval,
            )
            return float(self.jobstore_retry_interval)
        return wait_seconds


class Scheduler:
    def __init__(
        self,
        *,
        engine: Engine,
        instance_id: str,
        lease_ttl: timedelta = timedelta(seconds=30),
        check_every: float = 5.0,
    ) -> None:
        self._store = SQLAlchemyJobStore(engine=engine, tablename=JOB_TABLE)
        self._aps = _OutageProofScheduler(
            jobstores={"default": self._store},
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
            timezone=UTC,
        )
        self._lease = DatabaseLease(
            engine=engine, name=LEASE_NAME, holder=instance_id, ttl=lease_ttl
        )
        self._check_every = check_every
        self._renewing = RepeatedFailure(log, "renewing the scheduler lease")
        self._context: object = None
        self._leading = False
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def leading(self) -> bool:
        return self._leading

    def start(self, context: object = None, *, lead: bool = True) -> None:
        """Start paused; a candidate (`lead`) takes the lease at once if it is free.

        `context` is what every job receives as its first argument.
        """
        self._context = context
        self._aps.add_executor(_ContextExecutor(context), "default")
        self._aps.start(paused=True)
        if not lead:
            return
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
        """Add or replace a job; `func` is an importable reference such as `bot.x:run`,
        called with the runtime and then `args`."""
        return self._aps.add_job(
            func, trigger=trigger, args=(CONTEXT, *args), id=job_id, replace_existing=True
        )

    def add_all(self, specs: Sequence[JobSpec]) -> None:
        """Add or replace many jobs in one job-store transaction.

        APScheduler writes each job in a transaction of its own; the first start of a
        deployment with 10,000 schedules would spend most of a minute doing so. The
        rows written are exactly what APScheduler's own store writes (the job's
        pickled state and next run time), so it reads them back as its own.
        """
        if not specs:
            return
        rows = [self._row(spec) for spec in specs]
        table = self._store.jobs_t
        with self._store.engine.begin() as connection:
            connection.execute(table.delete().where(table.c.id.in_([row["id"] for row in rows])))
            connection.execute(table.insert(), rows)
        self._aps.wakeup()

    def _row(self, spec: JobSpec) -> dict[str, Any]:
        """The job-store row of a job: its state exactly as `Job.__getstate__` gives it
        (APScheduler 3's version 1 format), without building a `Job` for each of
        thousands (each would import its function and check its signature again)."""
        next_run = spec.first_run
        state = {
            "version": 1,
            "id": spec.job_id,
            "func": spec.func,
            "trigger": spec.trigger,
            "executor": "default",
            "args": (CONTEXT, *spec.args),
            "kwargs": {},
            "name": spec.func.rpartition(":")[2],
            "misfire_grace_time": None,
            "coalesce": True,
            "max_instances": 1,
            "next_run_time": next_run,
        }
        return {
            "id": spec.job_id,
            "next_run_time": datetime_to_utc_timestamp(next_run),
            "job_state": pickle.dumps(state, self._store.pickle_protocol),
        }

    def remove(self, job_id: str) -> None:
        if self._aps.get_job(job_id) is not None:
            self._aps.remove_job(job_id)

    def run_now(self, job: Job) -> None:
        """Run a job at once in this thread, as the executor would (the console's `:fire`)."""
        with_context = _JobWithContext(job, self._context)
        with_context.func(*with_context.args, **job.kwargs)

    def jobs(self) -> list[Job]:
        return list(self._aps.get_jobs())

    def check_lease(self) -> None:
        """Renew or take the lease, and run or pause job processing to match."""
        try:
            leading = self._lease.acquire_or_renew()
        except Exception as error:
            self._renewing.failed(error)
            leading = False
        else:
            self._renewing.succeeded()
        if leading and not self._leading:
            log.info("this instance now runs the scheduled jobs")
            self._aps.resume()
        elif not leading and self._leading:
            log.info("this instance no longer runs the scheduled jobs")
            self._aps.pause()
        elif leading:
            # Jobs added by other processes are in the store but unknown to our
            # in-memory wake-up time: look again.
            self._aps.wakeup()
        self._leading = leading

    def _keep_lease(self) -> None:
        while not self._stopping.wait(self._check_every):
            self.check_lease()
