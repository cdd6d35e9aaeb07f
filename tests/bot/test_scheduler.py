"""The scheduler skeleton: one instance processes jobs, missed runs run once, jobs persist."""

import logging
import queue
import threading
import time
from datetime import UTC, datetime, timedelta

import time_machine
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from bot.background import start_background
from bot.config import Settings
from bot.installations import StaticToken
from bot.runtime import build_runtime
from bot.scheduling import jobs
from bot.scheduling.lease import DatabaseLease
from bot.scheduling.scheduler import Scheduler
from storage.db import unit_of_work
from storage.models import ProcessedEvent

MIDDAY = datetime(2027, 1, 4, 12, 0, tzinfo=UTC)


def _scheduler(engine, name):
    return Scheduler(engine=engine, instance_id=name, check_every=3600)


def test_only_one_of_two_instances_processes_jobs_and_the_other_takes_over(migrated_engine):
    first, second = _scheduler(migrated_engine, "first"), _scheduler(migrated_engine, "second")
    first.start()
    second.start()
    try:
        assert (first.leading, second.leading) == (True, False)
        first.stop()
        second.check_lease()
        assert second.leading
    finally:
        second.stop()


def test_an_expired_lease_passes_to_another_instance(migrated_engine):
    now = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    lease = {"engine": migrated_engine, "name": "test", "ttl": timedelta(seconds=30)}
    dead = DatabaseLease(holder="dead", clock=lambda: now, **lease)
    assert dead.acquire_or_renew()
    alive_early = DatabaseLease(holder="alive", clock=lambda: now + timedelta(seconds=29), **lease)
    alive_late = DatabaseLease(holder="alive", clock=lambda: now + timedelta(seconds=31), **lease)
    assert not alive_early.acquire_or_renew()
    assert alive_late.acquire_or_renew()


def test_jobs_added_by_a_paused_instance_are_in_the_shared_store(migrated_engine):
    leader, follower = (
        _scheduler(migrated_engine, "leader"),
        _scheduler(migrated_engine, "follower"),
    )
    leader.start()
    follower.start()
    try:
        follower.add("probe", "bot.scheduling.jobs:forget_old_events", IntervalTrigger(hours=1))
        assert [job.id for job in leader.jobs()] == ["probe"]
    finally:
        follower.stop()
        leader.stop()


def _refuse_the_schedulers_next_look_ahead(engine) -> threading.Event:
    """The database gone for one statement: the scheduler thread's next question of
    when the next job is due, which comes after a job has been taken and run."""
    refused = threading.Event()

    def refuse(_conn, _cursor, statement, *_args):
        asks_next_run = statement.startswith("SELECT apscheduler_jobs.next_run_time")
        on_scheduler_thread = threading.current_thread().name == "APScheduler"
        if asks_next_run and on_scheduler_thread and not refused.is_set():
            refused.set()
            raise OperationalError(statement, {}, Exception("server closed the connection"))

    event.listen(engine, "before_cursor_execute", refuse)
    return refused


def test_the_scheduler_keeps_running_jobs_after_the_database_drops_out_mid_pass(
    migrated_engine, caplog
):
    runs: queue.Queue[str] = queue.Queue()
    scheduler = _scheduler(migrated_engine, "solo")
    scheduler.start(runs)
    refused = _refuse_the_schedulers_next_look_ahead(migrated_engine)
    try:
        scheduler.add("first", "queue:Queue.put", DateTrigger(datetime.now(UTC)), ("first",))
        assert runs.get(timeout=5) == "first"
        assert refused.wait(5)
        scheduler.add("second", "queue:Queue.put", DateTrigger(datetime.now(UTC)), ("second",))
        assert runs.get(timeout=5) == "second"
    finally:
        scheduler.stop()
    assert "the job store could not be read or written (OperationalError)" in caplog.text


def _runtime(database_url, engine):
    settings = Settings(database_url=database_url, slack_bot_token="xoxb-test", _env_file=None)
    return build_runtime(settings, StaticToken("xoxb-test"), engine=engine)


def test_a_run_missed_while_down_runs_once_when_the_instance_comes_back(
    database_url, migrated_engine, caplog
):
    caplog.set_level(logging.INFO, logger="bot.runs.housekeeping")
    # At noon, well away from the daily housekeeping run (03:17 UTC), which would forget
    # the same events once more had the ten minutes down crossed it.
    with time_machine.travel(MIDDAY):
        before = _runtime(database_url, migrated_engine)
        start_background(before)
        before.scheduler.add(
            "every-minute", "bot.scheduling.jobs:forget_old_events", IntervalTrigger(minutes=1)
        )
        before.scheduler.stop()
        before.sender.stop()
    with unit_of_work(migrated_engine) as session:
        session.add(ProcessedEvent(event_id="Ev-old", received_at=MIDDAY - timedelta(days=2)))
        session.add(ProcessedEvent(event_id="Ev-new", received_at=MIDDAY + timedelta(minutes=11)))

    # Ten minutes down: ten runs of the every-minute job were missed.
    with time_machine.travel(MIDDAY + timedelta(minutes=10, seconds=30)):
        after = _runtime(database_url, migrated_engine)
        start_background(after)
        try:
            _wait_until(lambda: any("forgot" in r.getMessage() for r in caplog.records))
        finally:
            after.stop()
    with unit_of_work(migrated_engine) as session:
        assert session.exec(select(ProcessedEvent.event_id)).all() == ["Ev-new"]
    assert [r.getMessage() for r in caplog.records if "forgot" in r.getMessage()] == [
        "forgot 1 handled event and form ids older than a day"
    ]


def test_starting_schedules_the_housekeeping_jobs(database_url, migrated_engine):
    runtime = _runtime(database_url, migrated_engine)
    start_background(runtime)
    try:
        scheduled = {job.id for job in runtime.scheduler.jobs()}
        assert {
            jobs.HOUSEKEEPING_JOB,
            jobs.REPLAY_HOUSEKEEPING_JOB,
            jobs.PAGE_HIT_HOUSEKEEPING_JOB,
        } <= scheduled
    finally:
        runtime.stop()


def _wait_until(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)
