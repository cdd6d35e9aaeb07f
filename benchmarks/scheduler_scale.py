"""Scheduler scale: how a fresh process starts with 10,000 schedules in the job store.

Fills a new SQLite or PostgreSQL database with N schedules (check-ins and principle
reminders of every kind of recurrence, five to a project), syncs their APScheduler jobs
into the job store as a running instance would, then measures fresh processes:

- the runtime start, in a child process: interpreter and imports, migrations (none to
  run: the check and Alembic's set-up), `build_runtime`, and `Runtime.start()` (the
  sender, the scheduler taking its lease, `jobs.install` -> `sync_all` comparing every stored
  job with its row); then its resident memory (VmRSS, and VmHWM, the peak);
- `changebot run` as an operator starts it (gunicorn, the Bolt app), until `/healthz`
  answers and says this instance runs the scheduler; the worker's memory.

The same is measured with no schedules, to show what the schedules add.

    .venv/bin/python benchmarks/scheduler_scale.py [--schedules 10000]

Target (issue 6): start under 5 s, under 300 MB.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from _support import database, free_port, load, machine, standin_process

from bot.background import start_background
from bot.config import Settings
from bot.installations import StaticToken
from bot.parsing.schedule import parse_schedule
from bot.runtime import build_runtime
from bot.scheduling import sync
from bot.services import schedules
from bot.services.projects import Caller, project_for
from storage.db import make_engine, unit_of_work
from storage.migrate import upgrade
from storage.models import ScheduleKind

CHANGEBOT = str(Path(sys.executable).with_name("changebot"))
BOT_TOKEN = "xoxb-benchmark"  # noqa: S105 - a local test value
TEAM = "T0BENCH"
LEAD = "ULEAD"
TARGET_SECONDS = 5.0
TARGET_MB = 300.0
START_TIMEOUT = 120.0
# Every form of recurrence, at times spread over the day.
SPECS = (
    "weekly {day} {hh:02d}:{mm:02d}",
    "fortnightly {day} {hh:02d}:{mm:02d}",
    "monthly {dom} {hh:02d}:{mm:02d}",
    "weekdays {hh:02d}:{mm:02d}",
    "daily {hh:02d}:{mm:02d}",
)
DAYS = ("mon", "tue", "wed", "thu", "fri")
KINDS = (ScheduleKind.CHECKIN, ScheduleKind.PRINCIPLE_REMINDER)
BATCH = 500


def settings_for(url: str, api_url: str = "http://127.0.0.1:9/api/") -> Settings:
    return Settings(
        database_url=url,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret="unused",  # noqa: S106 - a local test value
        slack_api_url=api_url,
        _env_file=None,  # type: ignore[call-arg]
    )


# -- filling the job store -----------------------------------------------------------------


def seed(url: str, count: int, per_project: int) -> tuple[float, float]:
    """Create `count` schedules (`per_project` to a project), then sync their jobs as a
    running instance does; returns the seconds each took."""
    upgrade(url)
    engine = make_engine(url)
    started = time.monotonic()
    made = 0
    while made < count:
        with unit_of_work(engine) as session:
            for _ in range(min(BATCH, count - made)):
                if made % per_project == 0:
                    n = made // per_project
                    caller = Caller(TEAM, f"CSCALE{n:05d}", LEAD, f"project-{n}")
                    project = project_for(session=session, caller=caller, timezone="Europe/London")
                text = SPECS[made % len(SPECS)].format(
                    day=DAYS[made % 5], dom=1 + made % 28, hh=7 + made % 11, mm=made % 60
                )
                schedules.create_schedule(
                    session=session,
                    project=project,
                    kind=KINDS[made % 2],
                    spec=parse_schedule(text),
                    by=LEAD,
                )
                made += 1
    rows = time.monotonic() - started
    # The first start syncs every job into the store (a crash between a row and its job
    # heals the same way); the measured starts then find them all in place.
    started = time.monotonic()
    runtime = build_runtime(settings_for(url), StaticToken(BOT_TOKEN), engine=engine)
    start_background(runtime)
    synced = time.monotonic() - started
    stored = sum(job.id.startswith(sync.SCHEDULE_JOB_PREFIX) for job in runtime.scheduler.jobs())
    runtime.stop()
    if stored != count:
        raise SystemExit(f"expected {count} schedule jobs in the store, found {stored}")
    return rows, synced


# -- the measured process ------------------------------------------------------------------


def memory_mb(pid: int | str = "self") -> dict[str, float]:
    """VmRSS and VmHWM (peak resident) of a process, in MB."""
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0]) / 1024
    return values


def child(url: str) -> None:
    """The measured start: report monotonic instants (the clock is system-wide on Linux,
    so the parent can compare them with when it spawned us) and memory, as JSON."""
    marks = {"imported": time.monotonic()}
    upgrade(url)
    marks["migrated"] = time.monotonic()
    runtime = build_runtime(settings_for(url), StaticToken(BOT_TOKEN))
    marks["built"] = time.monotonic()
    start_background(runtime)
    marks["started"] = time.monotonic()
    memory = memory_mb()
    report = {
        "marks": marks,
        "rss": memory["VmRSS"],
        "hwm": memory["VmHWM"],
        "leading": runtime.scheduler.leading,
        "jobs": len(runtime.scheduler.jobs()),
    }
    runtime.stop()
    print(json.dumps(report), flush=True)


@dataclass(frozen=True)
class Start:
    imports: float
    migrations: float
    build: float
    start: float
    total: float
    rss: float
    hwm: float
    jobs: int
    leading: bool


def measure_start(url: str) -> Start:
    spawned = time.monotonic()
    done = subprocess.run(  # noqa: S603 - this script, as a child
        [sys.executable, __file__, "--child", url],
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the measured start failed:\n{done.stderr}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    marks = report["marks"]
    return Start(
        imports=marks["imported"] - spawned,
        migrations=marks["migrated"] - marks["imported"],
        build=marks["built"] - marks["migrated"],
        start=marks["started"] - marks["built"],
        total=marks["started"] - spawned,
        rss=report["rss"],
        hwm=report["hwm"],
        jobs=report["jobs"],
        leading=report["leading"],
    )


@dataclass(frozen=True)
class Served:
    seconds: float
    worker_rss: float
    worker_hwm: float
    arbiter_rss: float


def measure_changebot_run(url: str, api_url: str, workdir: Path) -> Served:
    """`changebot run` from spawn until /healthz says it runs the scheduler."""
    port = free_port()
    kept = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    env = kept | {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": "unused",
        "SLACK_API_URL": api_url,
        "DATABASE_URL": url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
    }
    log_path = workdir / f"changebot-{port}.log"
    spawned = time.monotonic()
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own console script
            [CHANGEBOT, "run"], env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        while not _leading(port):
            if process.poll() is not None:
                raise SystemExit(f"changebot run exited:\n{log_path.read_text()}")
            if time.monotonic() - spawned > START_TIMEOUT:
                raise SystemExit(f"changebot run did not start in {START_TIMEOUT:g} s")
            time.sleep(0.05)
        seconds = time.monotonic() - spawned
        worker = _children(process.pid)[0]
        worker_memory, arbiter_memory = memory_mb(worker), memory_mb(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return Served(seconds, worker_memory["VmRSS"], worker_memory["VmHWM"], arbiter_memory["VmRSS"])


def _leading(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        return response.status == 200 and json.loads(response.read()).get("scheduler") is True
    except (OSError, ValueError):
        return False
    finally:
        connection.close()


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        return [int(child) for child in children.read().split()]


# -- the report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    label: str
    schedules: int
    seed_rows: float
    seed_sync: float
    start: Start
    served: Served


def run(kind_of_db: str, count: int, args: argparse.Namespace, workdir: Path) -> Outcome:
    label = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[kind_of_db]
    print(f"  {label}, {count} schedules: filling the job store ...", flush=True)
    with database(kind_of_db, workdir) as url, standin_process(TEAM) as standin:
        if count:
            rows, synced = seed(url, count, args.per_project)
        else:
            upgrade(url)
            rows = synced = 0.0
        print(f"  {label}, {count} schedules: measuring the starts ...", flush=True)
        start = measure_start(url)
        served = measure_changebot_run(url, standin.api_url, workdir)
    return Outcome(f"{label}, {count:,}", count, rows, synced, start, served)


def print_report(outcomes: list[Outcome]) -> None:
    rows: list[tuple[str, list[str]]] = [
        ("seed: schedule rows", [f"{o.seed_rows:.1f} s" for o in outcomes]),
        ("seed: first sync of their jobs", [f"{o.seed_sync:.1f} s" for o in outcomes]),
        ("jobs in the store at start", [str(o.start.jobs) for o in outcomes]),
        ("start: interpreter + imports", [f"{o.start.imports:.2f} s" for o in outcomes]),
        ("start: migrations (check)", [f"{o.start.migrations:.2f} s" for o in outcomes]),
        ("start: build_runtime", [f"{o.start.build:.2f} s" for o in outcomes]),
        ("start: Runtime.start (sync_all)", [f"{o.start.start:.2f} s" for o in outcomes]),
        ("start: total, spawn to started", [f"{o.start.total:.2f} s" for o in outcomes]),
        ("scheduler lease held", ["yes" if o.start.leading else "NO" for o in outcomes]),
        ("memory: VmRSS after start", [f"{o.start.rss:.0f} MB" for o in outcomes]),
        ("memory: VmHWM (peak)", [f"{o.start.hwm:.0f} MB" for o in outcomes]),
        ("changebot run: spawn to /healthz", [f"{o.served.seconds:.2f} s" for o in outcomes]),
        ("changebot run: worker VmRSS", [f"{o.served.worker_rss:.0f} MB" for o in outcomes]),
        ("changebot run: worker VmHWM", [f"{o.served.worker_hwm:.0f} MB" for o in outcomes]),
        ("changebot run: arbiter VmRSS", [f"{o.served.arbiter_rss:.0f} MB" for o in outcomes]),
    ]
    width = max(len(label) for label, _ in rows) + 2
    print()
    print(
        f"Start-up with schedules in the job store (target: < {TARGET_SECONDS:g} s, "
        f"< {TARGET_MB:g} MB)"
    )
    print(f"{'':<{width}}" + "".join(f"{o.label:>20}" for o in outcomes))
    print("-" * (width + 20 * len(outcomes)))
    for label, cells in rows:
        print(f"{label:<{width}}" + "".join(f"{cell:>20}" for cell in cells))
    print()
    for o in outcomes:
        if not o.schedules:
            continue
        slowest = max(o.start.total, o.served.seconds)
        heaviest = max(o.start.hwm, o.served.worker_hwm)
        verdict = (
            "meets"
            if slowest < TARGET_SECONDS and heaviest < TARGET_MB and o.start.leading
            else "MISSES"
        )
        print(
            f"{o.label} schedules: {verdict} the target "
            f"(slowest start {slowest:.2f} s, peak {heaviest:.0f} MB)"
        )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schedules", type=int, default=10_000, help="default 10,000")
    parser.add_argument("--per-project", type=int, default=5, help="schedules per project (5)")
    parser.add_argument(
        "--databases", default="sqlite,postgres", help="comma-separated: sqlite, postgres"
    )
    parser.add_argument(
        "--no-baseline", action="store_true", help="skip the runs with no schedules"
    )
    parser.add_argument("--child", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if args.child:
        child(args.child)
        return 0
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    if set(databases) - {"sqlite", "postgres"}:
        raise SystemExit(f"unknown databases in {args.databases!r}: use sqlite, postgres")
    print(f"Machine: {machine()}; {load()} before")
    counts = [args.schedules] if args.no_baseline else [0, args.schedules]
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="schedscale-") as tmp:
        for kind_of_db in databases:
            for count in counts:
                workdir = Path(tmp) / f"{kind_of_db}-{count}"
                workdir.mkdir()
                outcomes.append(run(kind_of_db, count, args, workdir))
    print_report(outcomes)
    print(f"\n{load()} after")
    return 0


if __name__ == "__main__":
    sys.exit(main())
