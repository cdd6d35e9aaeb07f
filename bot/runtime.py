"""What one changebot process runs besides Bolt: the engine, the outbox sender, the scheduler.

Built once from the settings (`build_runtime`), started after migrations and
stopped on shutdown; the app factory and the jobs receive it instead of
reaching for globals.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.config import Settings
from bot.delivery import OUTBOX_WRITTEN, Sender, TokenSource
from bot.scheduler import Scheduler
from storage.db import make_engine, unit_of_work
from storage.types import utcnow

log = logging.getLogger(__name__)


_AFTER_COMMIT = "changebot.after_commit"


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run `callback` once the session's transaction has committed (never if it rolls back).

    For effects outside the database, such as a schedule's job, that must not
    exist for a change that was rolled back.
    """
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


def new_instance_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sender: Sender
    scheduler: Scheduler
    instance_id: str
    clock: Callable[[], datetime] = field(default=utcnow)
    # Where slash commands do their work once acked (bot/listeners/commands/runner.py),
    # and where Bolt runs listeners, which go on after their ack: owned here so that
    # shutting down waits for work already promised to someone before the engine goes.
    command_pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=8, thread_name_prefix="command")
    )
    listener_pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=16, thread_name_prefix="bolt")
    )

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work; once it commits, the sender is woken for any outbox row it wrote
        and the callbacks given to `after_commit` run."""
        with unit_of_work(self.engine) as session:
            yield session
            wrote_outbox = session.info.pop(OUTBOX_WRITTEN, False)
            callbacks = session.info.pop(_AFTER_COMMIT, [])
        if wrote_outbox:
            self.sender.wake()
        for callback in callbacks:
            callback()

    def start(self, *, deliver_in_background: bool = True) -> None:
        """Start the scheduler and, unless the caller delivers the outbox itself, the sender.

        The console passes False and calls `sender.deliver_due()` after each action, so
        what the app posts is on screen, in order, before the next prompt.
        """
        from bot import jobs

        if deliver_in_background:
            self.sender.start()
        self.scheduler.start()
        jobs.bind(self)
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
) -> Runtime:
    engine = engine or make_engine(settings.database_url)
    instance_id = new_instance_id()
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
    )
