"""Fan-out: many channels' scheduled posts due at the same minute, under Slack's limits.

Creates N projects (channels), each with a check-in (or a principle reminder) due once at
the same minute, in a real runtime (`build_runtime`, `Runtime.start()`: the scheduler, its
job store and the outbox sender, as `changebot run` starts them) on a new SQLite or
PostgreSQL database, against the Slack stand-in enforcing chat.postMessage's limits: one
post per second per channel and a workspace-wide limit. Then it waits, in real time, for
the due minute, and measures from that minute until every channel has its post, counting
duplicates (a channel's run posted twice), losses (never posted) and the 429s on the way.

Slack publishes no figure for the workspace-wide limit; the default, 50 posts a second,
is the figure issue 6 suggests (`--workspace-rate` changes it). The stand-in's limits
are token buckets that allow one second's worth of posts at once, so the floor they
impose on N posts is (N - burst) / rate.

    .venv/bin/python benchmarks/fanout.py [--channels 500] [--workspace-rate 50]

Target (issue 6): zero duplicates, zero losses, within 1.2x of that floor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from _support import Post, StandinProxy, database, load, machine, standin_process
from sqlalchemy import func
from sqlmodel import select

from bot.background import start_background
from bot.config import Settings
from bot.installations import StaticToken
from bot.parsing.schedule import parse_schedule
from bot.runtime import Runtime, build_runtime
from bot.services import schedules
from bot.services.projects import Caller, project_for
from storage.db import make_engine, unit_of_work
from storage.migrate import upgrade
from storage.models import OutboxMessage, Project, ScheduleKind

BOT_TOKEN = "xoxb-benchmark"  # noqa: S105 - a local test value
TEAM = "T0BENCH"
LEAD = "ULEAD"
TIMEZONE = "Europe/London"
TARGET_RATIO = 1.2
KINDS = {"checkin": ScheduleKind.CHECKIN, "principles": ScheduleKind.PRINCIPLE_REMINDER}
LABELS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


class CountingHandler(logging.Handler):
    """Counts the app's warnings and errors, and keeps the first few to show."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: Counter[str] = Counter()
        self.first: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.counts[record.levelname] += 1
        if len(self.first) < 5:
            self.first.append(f"{record.levelname} {record.name}: {record.getMessage()[:160]}")


@dataclass(frozen=True)
class Outcome:
    database: str
    channels: int
    due: dt.datetime
    setup_seconds: float
    rows_written: float  # seconds after the due minute when the last outbox row was written
    first_post: float
    all_delivered: float | None  # None when some channel never got its post
    deliveries: int
    attempts: int
    refused: int  # 429s
    duplicates: int
    losses: int
    outbox: dict[str, int]
    warnings: int
    errors: int
    first_logs: list[str]
    # Per second after the due minute: posts delivered, and posts refused with a 429.
    timeline: list[tuple[int, int]]


def floor_seconds(posts: int, per_channel_posts: int, args: argparse.Namespace) -> float:
    """The least time the limits allow for `posts` posts, `per_channel_posts` per channel,
    with token buckets that start full and hold one second's worth (at least one post)."""
    channel = max(0, per_channel_posts - max(1.0, args.channel_rate)) / args.channel_rate
    if args.workspace_rate is None:
        return channel
    workspace = max(0, posts - max(1.0, args.workspace_rate)) / args.workspace_rate
    return max(channel, workspace)


def create_projects(runtime: Runtime, count: int) -> list[Project]:
    """One project per channel, with its lead, as each channel's first command makes it."""
    with runtime.transaction() as session:
        return [
            project_for(
                session=session,
                caller=Caller(TEAM, f"CFAN{n:04d}", LEAD, f"project-{n}"),
                timezone=TIMEZONE,
            )
            for n in range(count)
        ]


def next_due_minute(margin: float) -> dt.datetime:
    """The first whole minute at least `margin` seconds from now (UTC)."""
    earliest = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=margin)
    return earliest.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)


def schedule_all(
    runtime: Runtime, projects: list[Project], kind: ScheduleKind, due: dt.datetime
) -> None:
    """A one-off schedule per project at `due`, committed: their jobs follow by themselves."""
    local = due.astimezone(ZoneInfo(TIMEZONE))
    spec = parse_schedule(f"on {local:%Y-%m-%d %H:%M}")
    with runtime.transaction() as session:
        made = [
            schedules.create_schedule(
                session=session,
                project=project,
                kind=kind,
                spec=spec,
                by=LEAD,
                title="Fan-out check-in",
                clock=runtime.clock,
            )
            for project in projects
        ]
    first = schedules.next_run_of(made[0], projects[0], after=runtime.clock())
    if first != due:
        raise SystemExit(f"the schedules would run at {first}, not {due} (a bank holiday?)")


def wait_for_posts(
    standin: StandinProxy, channels: set[str], until: float, linger: float
) -> list[Post]:
    """Poll the stand-in until every channel has a post (then `linger` more seconds, for
    any late duplicate) or until `until` (monotonic)."""
    while time.monotonic() < until:
        posts = standin.posts()
        if channels <= {post.channel for post in posts if post.ok}:
            time.sleep(linger)
            break
        time.sleep(1.0)
    return standin.posts()


def outbox_summary(runtime: Runtime, due: dt.datetime) -> tuple[dict[str, int], float]:
    """Outbox rows by status, and when (seconds after `due`) the last row was written."""
    with unit_of_work(runtime.engine) as session:
        counts = session.exec(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
        last = session.exec(select(func.max(OutboxMessage.created_at))).one()
    written = (last - due).total_seconds() if last is not None else float("nan")
    return {str(status): int(n) for status, n in counts}, written


def run(kind_of_db: str, args: argparse.Namespace, workdir: Path) -> Outcome:
    logs = CountingHandler()
    logging.getLogger().addHandler(logs)
    latency = args.api_latency_ms / 1000
    with database(kind_of_db, workdir) as url, standin_process(TEAM, latency=latency) as standin:
        upgrade(url)
        engine = make_engine(url)
        settings = Settings(
            database_url=url,
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret="unused",  # noqa: S106 - a local test value
            slack_api_url=standin.api_url,
            _env_file=None,  # type: ignore[call-arg]
        )
        runtime = build_runtime(settings, StaticToken(BOT_TOKEN), engine=engine)
        start_background(runtime)
        try:
            started = time.monotonic()
            projects = create_projects(runtime, args.channels)
            standin.enforce_rate_limits(args.channel_rate, args.workspace_rate)
            due = next_due_minute(args.margin)
            schedule_all(runtime, projects, KINDS[args.kind], due)
            setup = time.monotonic() - started
            ahead = (due - dt.datetime.now(dt.UTC)).total_seconds()
            due_monotonic = time.monotonic() + ahead
            if ahead < 1:
                raise SystemExit(f"set-up took {setup:.1f} s: raise --margin above {args.margin}")
            print(
                f"  {LABELS[kind_of_db]}: {args.channels} schedules due at {due:%H:%M:%S} UTC, "
                f"set up in {setup:.1f} s; waiting {ahead:.0f} s for the due minute ...",
                flush=True,
            )
            channels = {project.channel_id for project in projects}
            posts = wait_for_posts(
                standin, channels, due_monotonic + args.timeout, linger=args.linger
            )
            outbox, rows_written = outbox_summary(runtime, due)
        finally:
            runtime.stop()
            engine.dispose()
            logging.getLogger().removeHandler(logs)
    delivered = [post for post in posts if post.ok and post.channel in channels]
    per_channel = Counter(post.channel for post in delivered)
    losses = len(channels - set(per_channel))
    return Outcome(
        database=LABELS[kind_of_db],
        channels=len(channels),
        due=due,
        setup_seconds=setup,
        rows_written=rows_written,
        first_post=min((p.at for p in delivered), default=float("nan")) - due_monotonic,
        all_delivered=None if losses else max(p.at for p in delivered) - due_monotonic,
        deliveries=len(delivered),
        attempts=len(posts),
        refused=sum(post.status == 429 for post in posts),
        duplicates=sum(n - 1 for n in per_channel.values()),
        losses=losses,
        outbox=outbox,
        warnings=logs.counts["WARNING"],
        errors=logs.counts["ERROR"] + logs.counts["CRITICAL"],
        first_logs=logs.first,
        timeline=timeline(posts, channels, due_monotonic),
    )


def timeline(posts: list[Post], channels: set[str], due: float) -> list[tuple[int, int]]:
    ours = [post for post in posts if post.channel in channels]
    if not ours:
        return []
    seconds = [max(0, int(post.at - due)) for post in ours]
    slots = [[0, 0] for _ in range(max(seconds) + 1)]
    for second, post in zip(seconds, ours, strict=True):
        slots[second][0 if post.ok else 1] += post.ok or post.status == 429
    return [(ok, refused) for ok, refused in slots]


def print_report(outcomes: list[Outcome], args: argparse.Namespace) -> None:
    floor = floor_seconds(args.channels, 1, args)
    workspace = f"{args.workspace_rate:g} posts/s" if args.workspace_rate else "no limit"
    print()
    print(
        f"Fan-out: {args.channels} channels, one {args.kind} run each, all due at the same minute"
    )
    print(
        f"Limits: {args.channel_rate:g} post/s per channel, workspace {workspace} "
        "(token buckets holding one second's worth)"
    )
    if args.api_latency_ms:
        print(f"Every Web API call answered {args.api_latency_ms:g} ms late (network round trip)")
    burst = max(1.0, args.workspace_rate or 1.0)
    print(
        f"Floor: ({args.channels} - {burst:g}) / {args.workspace_rate:g} = {floor:.1f} s"
        if args.workspace_rate
        else f"Floor: {floor:.1f} s"
    )
    print()
    rows: list[tuple[str, list[str]]] = [
        ("set-up (projects, schedules, jobs)", [f"{o.setup_seconds:.1f} s" for o in outcomes]),
        ("last outbox row written", [f"+{o.rows_written:.1f} s" for o in outcomes]),
        ("first post", [f"+{o.first_post:.1f} s" for o in outcomes]),
        (
            "all delivered",
            [
                f"+{o.all_delivered:.1f} s" if o.all_delivered is not None else "never"
                for o in outcomes
            ],
        ),
        (
            f"ratio to the floor (target {TARGET_RATIO:g}x)",
            [
                f"{o.all_delivered / floor:.2f}x" if o.all_delivered and floor else "n/a"
                for o in outcomes
            ],
        ),
        ("deliveries", [str(o.deliveries) for o in outcomes]),
        ("attempts (chat.postMessage)", [str(o.attempts) for o in outcomes]),
        ("  of which 429", [str(o.refused) for o in outcomes]),
        ("duplicates", [str(o.duplicates) for o in outcomes]),
        ("losses", [str(o.losses) for o in outcomes]),
        (
            "outbox rows by status",
            [", ".join(f"{k} {v}" for k, v in sorted(o.outbox.items())) for o in outcomes],
        ),
        ("app warnings / errors logged", [f"{o.warnings} / {o.errors}" for o in outcomes]),
    ]
    width = max(len(label) for label, _ in rows) + 2
    print(f"{'':<{width}}" + "".join(f"{o.database:>16}" for o in outcomes))
    print("-" * (width + 16 * len(outcomes)))
    for label, cells in rows:
        print(f"{label:<{width}}" + "".join(f"{cell:>16}" for cell in cells))
    print()
    for o in outcomes:
        met = (
            o.duplicates == 0
            and o.losses == 0
            and o.all_delivered is not None
            and floor > 0
            and o.all_delivered / floor <= TARGET_RATIO
        )
        print(f"{o.database}: {'meets' if met else 'MISSES'} the target")
        print("  second after the due minute, posts delivered / refused (429) in it:")
        for start in range(0, len(o.timeline), 12):
            seconds = o.timeline[start : start + 12]
            print(
                "  "
                + " ".join(f"{start + i:>2}: {ok:>3}/{no:<3}" for i, (ok, no) in enumerate(seconds))
            )
        for line in o.first_logs:
            print(f"  {line}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--channels", type=int, default=500, help="channels (default 500)")
    parser.add_argument("--kind", choices=sorted(KINDS), default="checkin")
    parser.add_argument(
        "--channel-rate", type=float, default=1.0, help="posts/s per channel (default 1)"
    )
    parser.add_argument(
        "--workspace-rate",
        type=float,
        default=50.0,
        help="posts/s across the workspace (default 50; 0 for none)",
    )
    parser.add_argument(
        "--api-latency-ms",
        type=float,
        default=0.0,
        help="answer every Web API call this late, as a round trip to Slack would (default 0)",
    )
    parser.add_argument(
        "--databases", default="sqlite,postgres", help="comma-separated: sqlite, postgres"
    )
    parser.add_argument(
        "--margin", type=float, default=15.0, help="least seconds between set-up and due minute"
    )
    parser.add_argument(
        "--timeout", type=float, default=120.0, help="give up this long after the due minute"
    )
    parser.add_argument(
        "--linger", type=float, default=5.0, help="seconds to watch for duplicates at the end"
    )
    args = parser.parse_args()
    args.workspace_rate = args.workspace_rate or None
    return args


def main() -> int:
    args = parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    if set(databases) - set(LABELS):
        raise SystemExit(f"unknown databases in {args.databases!r}: use sqlite, postgres")
    print(f"Machine: {machine()}; {load()} before")
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="fanout-") as tmp:
        for kind_of_db in databases:
            workdir = Path(tmp) / kind_of_db
            workdir.mkdir()
            outcomes.append(run(kind_of_db, args, workdir))
    print_report(outcomes, args)
    print(f"\n{load()} after")
    return 0


if __name__ == "__main__":
    sys.exit(main())
