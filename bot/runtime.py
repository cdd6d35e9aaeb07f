"""What one changebot process runs besides Bolt: the engine, the outbox sender, the scheduler.

Built once from the settings (`build_runtime`) and started after migrations in
one of two roles. A web worker only answers requests: its scheduler is a
writer to the shared job store that never runs jobs, and its sender never
starts (the background process delivers what it writes). The background
process (bot/background.py) runs the sender and competes for the scheduler
lease. The console and the tests run both roles in one process.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.config import Settings
from bot.delivery import OUTBOX_WRITTEN, Sender, TokenSource
from bot.people import NameCache
from bot.scheduling import sync
from bot.scheduling.scheduler import Scheduler
from storage.db import make_engine, unit_of_work
from storage.types import utcnow

log = logging.getLogger(__name__)


def instance_group(process: int) -> str:
    """The processes of one instance share a name: its host and the pid of `changebot run`."""
    return f"{socket.gethostname()}:{process}"


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sender: Sender
    scheduler: Scheduler
    instance_id: str
    # The name the processes of this instance share (`instance_group`).
    group: str = field(default_factory=lambda: instance_group(os.getpid()))
    clock: Callable[[], datetime] = field(default=utcnow)
    # Where listeners do their work once a request is in (bot/listeners/surfaces.py): owned
    # here so that shutting down waits for work already promised to someone.
    command_pool: Executor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=8, thread_name_prefix="command")
    )
    listener_pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=16, thread_name_prefix="bolt")
    )
    # People's names from users.info, for the export (bot/people.py).
    names: NameCache = field(default_factory=NameCache)
    _started: bool = False

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work; once it commits, the sender is woken for any outbox row it wrote
        and the jobs of the schedules it changed are brought in step with their rows."""
        with unit_of_work(self.engine) as session:
            yield session
            wrote_outbox = session.info.pop(OUTBOX_WRITTEN, False)
        changes = sync.changes_of(session)
        if wrote_outbox:
            self.sender.wake()
        if changes and self._started:
            sync.bring_in_step(
                engine=self.engine, scheduler=self.scheduler, changes=changes, now=self.clock()
            )

    def runs_the_jobs(self, *, lease_holder: str | None) -> bool:
        """Whether this instance runs the scheduled jobs: in this process, or in its
        background process (which holds the lease under the instance's name)."""
        return self.scheduler.leading or (
            lease_holder is not None and lease_holder.startswith(f"{self.group}:")
        )

    def start(self, *, background: bool = True, deliver_in_background: bool = True) -> None:
        """Start as a web worker (`background=False`) or with the background work too.

        The console passes `deliver_in_background=False` and calls `sender.deliver_due()`
        after each action, so what the app posts is on screen before the next prompt.
        """
        self.scheduler.start(self, lead=background)
        if background and deliver_in_background:
            self.sender.start()
        self._started = True
        log.info("changebot %s started", self.instance_id)

    def stop(self) -> None:
        """Finish acked work, stop the scheduler, let the sender record its last post."""
        self.listener_pool.shutdown(wait=True)
        self.command_pool.shutdown(wait=True)
        self.scheduler.stop()
        self.sender.stop()
        self.engine.dispose()
        log.info("changebot %s stopped", self.instance_id)


def build_runtime(
    settings: Settings,
    tokens: TokenSource,
    *,
    engine: Engine | None = None,
    sender_poll_interval: float = 1.0,
    instance_process: int | None = None,
) -> Runtime:
    """The process's runtime; `instance_process` is the pid of the `changebot run` that
    started it, when that is another process (a web worker, the background process)."""
    engine = engine or make_engine(settings.database_url)
    group = instance_group(instance_process or os.getpid())
    instance_id = f"{group}:{uuid.uuid4().hex[:8]}"
    sender = Sender(
        engine=engine,
        tokens=tokens,
        api_url=settings.slack_api_url,
        instance_id=instance_id,
        poll_interval=sender_poll_interval,
        lease=timedelta(seconds=settings.outbox_lease_seconds),
    )
    scheduler = Scheduler(
        engine=engine,
        instance_id=instance_id,
        lease_ttl=timedelta(seconds=settings.scheduler_lease_seconds),
        check_every=max(1.0, settings.scheduler_lease_seconds / 6),
    )
    return Runtime(
        settings=settings,
        engine=engine,
        sender=sender,
        scheduler=scheduler,
        instance_id=instance_id,
        group=group,
    )
