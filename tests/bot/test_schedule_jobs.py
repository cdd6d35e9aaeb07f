"""Schedule records (the services) and their APScheduler jobs, on a real database and runtime.

A schedule saved in a runtime's transaction brings its job in step by itself
once the transaction commits: no test here (and no feature) syncs a job by hand.
"""

import logging
from datetime import UTC, datetime

import pytest
import time_machine
from sqlmodel import select

from bot.background import start_background
from bot.config import Settings
from bot.errors import InvalidInput, NotFound
from bot.installations import StaticToken
from bot.parsing.schedule import parse_schedule
from bot.posts.scheduled import run_key
from bot.runs.schedules import RUNNERS
from bot.runtime import build_runtime
from bot.scheduling import jobs, sync
from bot.scheduling.calendar import ScheduleTrigger
from bot.services import schedules
from bot.services.projects import Caller, project_for
from storage.db import unit_of_work
from storage.models import Project, Schedule, ScheduleKind

LEAD = "ULEAD"
MONDAY_NOON = datetime(2027, 3, 15, 12, 0, tzinfo=UTC)
FRIDAY_RUN = datetime(2027, 3, 19, 15, 0, tzinfo=UTC)  # "weekly fri 15:00", still GMT


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def monday():
    """The tests start on a Monday; the clock keeps ticking from there."""
    with time_machine.travel(MONDAY_NOON):
        yield


def _settings(database_url):
    return Settings(
        database_url=database_url,
        slack_bot_token="xoxb-test",
        slack_api_url="http://127.0.0.1:9/api/",
        _env_file=None,
    )


@pytest.fixture
def runtime(monday, database_url, migrated_engine):
    runtime = build_runtime(
        _settings(database_url), StaticToken("xoxb-test"), engine=migrated_engine
    )
    start_background(runtime)
    yield runtime
    runtime.stop()


def _project(session, channel_id="C1"):
    caller = Caller(team_id="T1", channel_id=channel_id, user_id=LEAD, channel_name="new-ward")
    return project_for(session=session, caller=caller, timezone="Europe/London")


def _add_schedule(session, spec, kind, channel_id):
    project = _project(session, channel_id)
    schedule = schedules.create_schedule(
        session=session, project=project, kind=kind, spec=parse_schedule(spec), by=LEAD
    )
    return schedule, project


def _create(runtime, spec="weekly fri 15:00", kind=ScheduleKind.CHECKIN, channel_id="C1"):
    """A schedule saved as any feature saves one: in a transaction of the runtime."""
    with runtime.transaction() as session:
        return _add_schedule(session, spec, kind, channel_id)


def _create_behind_its_back(engine, spec="weekly fri 15:00", kind=ScheduleKind.CHECKIN):
    """A committed row whose job was never made, as a crash right after the commit leaves it."""
    with unit_of_work(engine) as session:
        return _add_schedule(session, spec, kind, "C1")


def _change(runtime, schedule, change):
    with runtime.transaction() as session:
        change(session=session, schedule=session.get(Schedule, schedule.id))


def _jobs(runtime):
    return {job.id: job for job in runtime.scheduler.jobs() if job.id.startswith("schedule:")}


def _reload(session, schedule):
    return session.get(Schedule, schedule.id)


def _row(engine, schedule):
    with unit_of_work(engine) as session:
        return session.get(Schedule, schedule.id)


# The jobs


def test_a_schedule_saved_in_a_transaction_gets_its_job_with_the_next_run(runtime):
    schedule, _ = _create(runtime)
    job = _jobs(runtime)[f"schedule:{schedule.id}"]
    assert job.next_run_time == FRIDAY_RUN
    assert job.args[1:] == (schedule.id,)
    assert job.func_ref == "bot.scheduling.jobs:run_schedule"
    assert job.trigger == ScheduleTrigger(
        "weekly fri 15:00", timezone="Europe/London", calendar="GB-ENG", anchor=MONDAY_NOON.date()
    )


def test_a_schedule_rolled_back_gets_no_job(runtime):
    def save_then_fail():
        with runtime.transaction() as session:
            _add_schedule(session, "weekly fri 15:00", ScheduleKind.CHECKIN, "C1")
            raise RuntimeError("the command failed after saving")

    with pytest.raises(RuntimeError):
        save_then_fail()
    assert _jobs(runtime) == {}


def test_pausing_removes_the_job_and_resuming_puts_it_back(runtime):
    schedule, _ = _create(runtime)
    _change(runtime, schedule, schedules.pause_schedule)
    assert _jobs(runtime) == {}
    _change(runtime, schedule, schedules.resume_schedule)
    assert _jobs(runtime)[sync.job_id(schedule)].next_run_time == FRIDAY_RUN


def test_a_cancelled_schedule_loses_its_job(runtime):
    schedule, _ = _create(runtime)
    _change(runtime, schedule, schedules.cancel_schedule)
    assert _jobs(runtime) == {}


def test_moving_a_project_to_another_time_zone_moves_its_jobs(runtime):
    schedule, project = _create(runtime)
    with runtime.transaction() as session:
        moved = session.get(Project, project.id)
        moved.timezone = "America/New_York"
        session.add(moved)
    job = _jobs(runtime)[sync.job_id(schedule)]
    assert job.trigger.timezone == "America/New_York"
    assert job.next_run_time == utc(2027, 3, 19, 19)  # 15:00 EDT


def test_sync_all_heals_a_missing_job_and_removes_orphans(runtime, migrated_engine):
    missing, _ = _create_behind_its_back(migrated_engine)
    paused, _ = _create(runtime, "daily 09:00")
    with unit_of_work(migrated_engine) as session:
        schedules.pause_schedule(session=session, schedule=_reload(session, paused))
    orphan = ScheduleTrigger(
        "daily 09:00", timezone="Europe/London", calendar="GB-ENG", anchor=MONDAY_NOON.date()
    )
    runtime.scheduler.add("schedule:999", sync.RUN_SCHEDULE, orphan, args=(999,))

    sync.sync_all(engine=migrated_engine, scheduler=runtime.scheduler, now=runtime.clock())

    assert set(_jobs(runtime)) == {sync.job_id(missing)}
    assert _jobs(runtime)[sync.job_id(missing)].next_run_time == FRIDAY_RUN
    assert jobs.HOUSEKEEPING_JOB in {job.id for job in runtime.scheduler.jobs()}


def test_starting_up_reconciles_the_jobs_with_the_rows(monday, database_url, migrated_engine):
    schedule, _ = _create_behind_its_back(migrated_engine)
    runtime = build_runtime(
        _settings(database_url), StaticToken("xoxb-test"), engine=migrated_engine
    )
    start_background(runtime)
    try:
        assert set(_jobs(runtime)) == {sync.job_id(schedule)}
    finally:
        runtime.stop()


def test_a_web_worker_writes_jobs_but_never_runs_them(monday, database_url, migrated_engine):
    worker = build_runtime(
        _settings(database_url), StaticToken("xoxb-test"), engine=migrated_engine
    )
    worker.start(background=False)
    try:
        schedule, _ = _create(worker)
        assert not worker.scheduler.leading
        assert _jobs(worker)[sync.job_id(schedule)].next_run_time == FRIDAY_RUN
    finally:
        worker.stop()


# The runs


@pytest.fixture
def runs(monkeypatch):
    """What the check-in runner was handed, run by run."""
    handed = []
    monkeypatch.setitem(RUNNERS, ScheduleKind.CHECKIN, handed.append)
    return handed


def test_a_late_run_is_handed_to_its_kinds_runner_as_the_run_it_was_due_for(
    runtime, migrated_engine, runs
):
    schedule, project = _create(runtime)
    with time_machine.travel(utc(2027, 3, 19, 18)):  # three hours late
        jobs.run_schedule(runtime, schedule.id)
    [run] = runs
    assert (run.schedule.id, run.project.id, run.fired_at) == (schedule.id, project.id, FRIDAY_RUN)
    assert run.runtime is runtime
    assert run_key(run.schedule, run.fired_at) == f"checkin:{schedule.id}:2027-03-19T15:00Z"
    assert _row(migrated_engine, schedule).last_run_at == FRIDAY_RUN


def test_a_run_already_done_is_not_done_again(runtime, migrated_engine, runs):
    schedule, _ = _create(runtime)
    with time_machine.travel(utc(2027, 3, 19, 15, 0, 1)):
        jobs.run_schedule(runtime, schedule.id)
    with time_machine.travel(utc(2027, 3, 19, 18)):
        jobs.run_schedule(runtime, schedule.id)
    # Good Friday's run moved to Tuesday: on the Friday there is nothing new to do.
    with time_machine.travel(utc(2027, 3, 26, 16)):
        jobs.run_schedule(runtime, schedule.id)
    with time_machine.travel(utc(2027, 3, 30, 14, 0, 1)):
        jobs.run_schedule(runtime, schedule.id)
    assert [run.fired_at for run in runs] == [FRIDAY_RUN, utc(2027, 3, 30, 14)]


def test_a_paused_or_cancelled_schedule_does_not_run(runtime, migrated_engine, runs):
    paused, _ = _create(runtime)
    cancelled, _ = _create(runtime)
    with unit_of_work(migrated_engine) as session:
        schedules.pause_schedule(session=session, schedule=_reload(session, paused))
        schedules.cancel_schedule(session=session, schedule=_reload(session, cancelled))
    with time_machine.travel(utc(2027, 3, 19, 18)):
        jobs.run_schedule(runtime, paused.id)
        jobs.run_schedule(runtime, cancelled.id)
    assert runs == []
    assert _row(migrated_engine, paused).last_run_at is None


def test_what_the_runner_writes_commits_with_the_run(runtime, migrated_engine, monkeypatch):
    def rotate(run):
        run.schedule.rotation += 1
        run.session.add(run.schedule)

    monkeypatch.setitem(RUNNERS, ScheduleKind.PRINCIPLE_REMINDER, rotate)
    schedule, _ = _create(runtime, kind=ScheduleKind.PRINCIPLE_REMINDER)
    with time_machine.travel(utc(2027, 3, 19, 18)):
        jobs.run_schedule(runtime, schedule.id)
    assert _row(migrated_engine, schedule).rotation == 1


def test_a_failing_runner_leaves_the_run_to_be_done(runtime, migrated_engine, monkeypatch):
    def fail(run):
        raise RuntimeError("the view broke")

    monkeypatch.setitem(RUNNERS, ScheduleKind.CHECKIN, fail)
    schedule, _ = _create(runtime)
    with time_machine.travel(utc(2027, 3, 19, 18)), pytest.raises(RuntimeError):
        jobs.run_schedule(runtime, schedule.id)
    assert _row(migrated_engine, schedule).last_run_at is None


def test_a_kind_with_no_runner_is_logged_and_left(runtime, migrated_engine, monkeypatch, caplog):
    monkeypatch.delitem(RUNNERS, ScheduleKind.DIGEST, raising=False)
    schedule, _ = _create(runtime, kind=ScheduleKind.DIGEST)
    with time_machine.travel(utc(2027, 3, 19, 18)):
        jobs.run_schedule(runtime, schedule.id)
    assert f"no runner for digest schedules: schedule {schedule.id}" in caplog.text
    assert _row(migrated_engine, schedule).last_run_at is None


def test_a_job_for_a_schedule_that_is_gone_does_nothing(runtime, runs, caplog):
    caplog.set_level(logging.WARNING, logger="bot.runs.schedules")
    jobs.run_schedule(runtime, 4242)
    assert runs == []
    assert "schedule 4242 no longer exists" in caplog.text


# The services


@pytest.fixture
def session(migrated_engine):
    with unit_of_work(migrated_engine) as session:
        yield session


@pytest.fixture
def project(session):
    return _project(session)


def _add(session, project, spec="weekly fri 15:00", kind=ScheduleKind.CHECKIN, **options):
    return schedules.create_schedule(
        session=session,
        project=project,
        kind=kind,
        spec=parse_schedule(spec),
        by=LEAD,
        clock=lambda: MONDAY_NOON,
        **options,
    )


def test_a_schedule_is_stored_as_canonical_text_with_its_maker(session, project):
    schedule = _add(session, project, "Weekly FRIDAY 15:00", title="Ward review")
    assert (schedule.kind, schedule.spec, schedule.title) == (
        "checkin",
        "weekly fri 15:00",
        "Ward review",
    )
    assert (schedule.created_by, schedule.created_at) == (LEAD, MONDAY_NOON)
    assert schedules.next_run_of(schedule, project, after=MONDAY_NOON) == FRIDAY_RUN


def test_a_one_off_in_the_past_is_refused(session, project):
    with pytest.raises(InvalidInput, match="`on 2027-03-01 09:00` has passed"):
        _add(session, project, "on 2027-03-01 09:00")
    assert session.exec(select(Schedule)).all() == []


def test_schedules_are_listed_by_project_and_kind_without_the_cancelled(session, project):
    checkin = _add(session, project)
    digest = _add(session, project, "daily 09:00", kind=ScheduleKind.DIGEST)
    gone = _add(session, project)
    schedules.cancel_schedule(session=session, schedule=gone)
    other = _add(session, _project(session, "C2"))
    assert schedules.schedules_of(session=session, project=project) == [checkin, digest]
    assert schedules.schedules_of(session=session, project=project, kind=ScheduleKind.DIGEST) == [
        digest
    ]
    assert schedules.active_schedules(session=session) == [checkin, digest, other]


def test_a_missing_schedule_is_named_as_people_know_it(session, project):
    digest = _add(session, project, kind=ScheduleKind.DIGEST)
    with pytest.raises(NotFound) as raised:
        schedules.get_schedule(
            session=session,
            project=project,
            schedule_id=digest.id,
            kind=ScheduleKind.CHECKIN,
            noun="check-in",
            listed_by="/checkin list",
        )
    assert raised.value.message == (
        f"There is no check-in {digest.id} in this project. `/checkin list` shows them."
    )
    with pytest.raises(NotFound, match=r"There is no schedule 77 in this project\.$"):
        schedules.get_schedule(session=session, project=project, schedule_id=77)


def test_another_projects_schedule_is_not_found(session, project):
    theirs = _add(session, _project(session, "C2"))
    with pytest.raises(NotFound):
        schedules.get_schedule(session=session, project=project, schedule_id=theirs.id)


def test_pausing_and_resuming_say_when_there_is_nothing_to_do(session, project):
    schedule = _add(session, project)
    with pytest.raises(InvalidInput, match=f"Check-in {schedule.id} is not paused"):
        schedules.resume_schedule(session=session, schedule=schedule, noun="check-in")
    schedules.pause_schedule(session=session, schedule=schedule)
    assert schedules.next_run_of(schedule, project, after=MONDAY_NOON) is None
    with pytest.raises(InvalidInput, match=f"Check-in {schedule.id} is already paused"):
        schedules.pause_schedule(session=session, schedule=schedule, noun="check-in")
    schedules.cancel_schedule(session=session, schedule=schedule)
    with pytest.raises(InvalidInput, match=f"Schedule {schedule.id} is already cancelled"):
        schedules.cancel_schedule(session=session, schedule=schedule)
    with pytest.raises(InvalidInput, match=f"Schedule {schedule.id} is cancelled"):
        schedules.resume_schedule(session=session, schedule=schedule)


def test_a_channel_that_is_gone_has_its_schedules_paused(session, project):
    running = _add(session, project)
    already = _add(session, project)
    schedules.pause_schedule(session=session, schedule=already)
    elsewhere = _add(session, _project(session, "C2"))
    paused = schedules.pause_channel_schedules(session=session, team_id="T1", channel_id="C1")
    assert paused == [running]
    assert running.paused
    assert not elsewhere.paused


def test_the_latest_run_of_a_schedule_is_read_in_its_projects_time_zone(session, project):
    schedule = _add(session, project)
    late = utc(2027, 3, 19, 18)
    assert schedules.latest_run_of(schedule, project, at_or_before=late) == FRIDAY_RUN
