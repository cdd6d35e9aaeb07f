"""Ack latency: how long Slack would wait for changebot's answer to a slash command.

Sends signed `/stage add`, `/stage done` and `/feedback` commands from N concurrent
clients (threads with keep-alive connections, as Slack's would be) to a real
`changebot run` process (gunicorn, one gthread worker) on SQLite and on PostgreSQL, and
the same load to a bare Bolt app on the same server stack that only acks
(benchmarks/bare_bolt.py), and to that app running each command's statements on the
driver before it acks (the floor of any app storing what these commands store), all in
one run. The time measured is from sending a request to having read the whole HTTP
answer (the ack, which for changebot carries its reply).

Each target gets the same plan: a warm-up (unmeasured), then each command in turn. Every
client thread works in a channel of its own by default, so each channel's stages are
added and completed in order and every `/stage done` is a real completion, with its
celebration written to the outbox and posted to the stand-in while the load goes on.

    .venv/bin/python benchmarks/ack_latency.py [--requests 400] [--concurrency 20]

Target (issue 6): p99 under 100 ms at 20 concurrent requests, within 2x of bare Bolt.
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from _support import StandinProxy, database, free_port, load, machine, percentile, standin_process

from bot.config import Settings
from bot.console.requests import RequestFactory, SignedRequest
from bot.console.standin import SlackStandIn

CHANGEBOT = str(Path(sys.executable).with_name("changebot"))
BARE_BOLT = Path(__file__).resolve().with_name("bare_bolt.py")
SIGNING_SECRET = "benchmark-signing-secret"  # noqa: S105 - a local test value
BOT_TOKEN = "xoxb-benchmark"  # noqa: S105 - a local test value
TEAM = "T0BENCH"
LEAD = "ULEAD"
COMMANDS = ("/stage add", "/stage done", "/feedback")
# What changebot's reply to each command says when the command did what it was asked.
EXPECTED = {
    "/stage add": "Added stage",
    "/stage done": "is done, and the channel has been told",
    "/feedback": "your feedback on",
}
TARGET_P99_MS = 100.0
TARGET_RATIO = 2.0
# A baseline p99 this far above its p95 is one stall of the machine, not Bolt's tail.
STALL_FACTOR = 2.0
# Stop waiting for a server to come up after this long.
START_TIMEOUT = 60.0
REQUEST_TIMEOUT = 30.0


@dataclass(frozen=True)
class Job:
    command: str
    request: SignedRequest


@dataclass(frozen=True)
class Sample:
    command: str
    seconds: float
    ok: bool
    late: bool  # acked empty: the reply missed the ack and went to the response_url
    detail: str


@dataclass(frozen=True)
class Phase:
    command: str
    samples: list[Sample]
    wall: float
    # CPU seconds the server's worker process, and this process (the clients), used.
    server_cpu: float
    client_cpu: float


@dataclass
class Result:
    target: str
    phases: list[Phase]
    log_errors: list[str]
    # Celebrations posted to the stand-in, and stage completions acked (changebot only).
    celebrations: tuple[int, int] | None = None


# -- servers --------------------------------------------------------------------------------


LABELS = {
    "bare": "bare Bolt",
    "floor-sqlite": "Bolt+statements (SQLite)",
    "floor-postgres": "Bolt+statements (PG)",
    "sqlite": "changebot (SQLite)",
    "postgres": "changebot (PostgreSQL)",
}
# Each changebot target's floor: bare Bolt running the same statements on the same database,
# the least any app storing these commands' data pays (benchmarks/README.md).
FLOOR_OF = {
    LABELS["sqlite"]: LABELS["floor-sqlite"],
    LABELS["postgres"]: LABELS["floor-postgres"],
}


@dataclass(frozen=True)
class Server:
    log_path: Path
    worker: int  # the gunicorn worker's pid, which serves every request

    def cpu(self) -> float:
        """CPU seconds (user and system) the worker has used so far."""
        with open(f"/proc/{self.worker}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        return [int(child) for child in children.read().split()]


def _is_background(pid: int) -> bool:
    """changebot's background process (sender and scheduler) beside the web worker."""
    with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
        return b"bot.background" in cmdline.read()


@contextmanager
def server(command: list[str], env: dict[str, str], workdir: Path) -> Iterator[Server]:
    """Start a server process, wait for /healthz, and stop it with SIGTERM afterwards."""
    log_path = workdir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own programs
            command, env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        _wait_healthy(process, int(env["PORT"]), log_path)
        (worker,) = [pid for pid in _children(process.pid) if not _is_background(pid)]
        yield Server(log_path, worker)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def server_command(target: str) -> list[str]:
    """`changebot run`, or the bare Bolt app: acking only, or after each command's statements."""
    if target in ("sqlite", "postgres"):
        return [CHANGEBOT, "run"]
    floor = ["--statements"] if target.startswith("floor-") else []
    return [sys.executable, str(BARE_BOLT), *floor]


def _wait_healthy(process: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{log_path.read_text()}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.1)
    raise RuntimeError(f"the server did not answer /healthz in {START_TIMEOUT:g} s")


def log_errors(log_path: Path) -> list[str]:
    """ERROR lines, and the last line of each traceback (the exception and its message)."""
    lines = log_path.read_text(errors="replace").splitlines()
    return [
        line
        for line in lines
        if " ERROR " in line or re.match(r"[\w.]+(Error|Exception|Violation)\b", line)
    ]


# -- the load -------------------------------------------------------------------------------


def channel_id(index: int) -> str:
    return f"CBENCH{index:03d}"


class Plan:
    """The commands each target gets, in order: set-up, warm-up, then one phase per command.

    Stage numbers are counted per channel so that every `/stage done` names a stage that
    exists and is not done yet.
    """

    def __init__(self, factory: RequestFactory, *, channels: int, per_channel: int, warmup: int):
        self._factory = factory
        self.channels = channels
        self.setup = self._phase("/stage add", lambda c, k: "add Set-up stage", 1)
        # Stage 1 exists; warm-up adds 2..warmup+1 and completes 1..warmup.
        self.warmup = [
            self._phase("/stage add", lambda c, k: f"add Warm-up stage {k}", warmup),
            self._phase("/stage done", lambda c, k: f"done {k + 1} Warmed up", warmup),
            self._phase("/feedback", lambda c, k: f"Warm-up feedback {k}", warmup),
        ]
        first_open = warmup + 1
        self.measured = [
            self._phase(
                "/stage add",
                lambda c, k: f"add Stage {k} of channel {c}, owner to be agreed",
                per_channel,
            ),
            self._phase(
                "/stage done",
                lambda c, k: f"done {first_open + k} Delivered on time, with partners",
                per_channel,
            ),
            self._phase(
                "/feedback",
                lambda c, k: f"The new rota works better for the night shift ({k})",
                per_channel,
            ),
        ]

    def _phase(
        self, command: str, text: Callable[[int, int], str], count: int
    ) -> tuple[str, list[Job]]:
        name = command.split()[0]
        jobs = []
        for k in range(count):
            for c in range(self.channels):
                words = text(c, k)
                request = self._factory.slash_command(
                    name,
                    words,
                    user_id=LEAD,
                    channel_id=channel_id(c),
                    channel_name=f"project-{c}",
                )
                jobs.append(Job(command, request))
        return command, jobs


def send(connection: http.client.HTTPConnection, job: Job, *, bare: bool) -> Sample:
    body = job.request.body.encode()
    headers = {**job.request.headers, "Content-Length": str(len(body))}
    start = time.perf_counter()
    try:
        connection.request("POST", "/slack/events", body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read().decode(errors="replace")
    except (OSError, http.client.HTTPException) as error:
        connection.close()  # http.client reconnects on the next request
        return Sample(job.command, time.perf_counter() - start, False, False, repr(error))
    seconds = time.perf_counter() - start
    late = not bare and payload == ""
    expected = "" if bare else EXPECTED[job.command]
    ok = response.status == 200 and (late or expected in payload)
    return Sample(job.command, seconds, ok, late, f"{response.status} {payload[:200]}")


def run_phase(
    served: Server, port: int, command: str, jobs: list[Job], concurrency: int, *, bare: bool
) -> Phase:
    """Each client thread sends its share in order over one keep-alive connection."""
    shares = [jobs[t::concurrency] for t in range(concurrency)]
    shares = [share for share in shares if share]
    ready = threading.Barrier(len(shares) + 1)

    def client(share: list[Job]) -> list[Sample]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        connection.connect()
        ready.wait()
        try:
            return [send(connection, job, bare=bare) for job in share]
        finally:
            connection.close()

    with ThreadPoolExecutor(len(shares), thread_name_prefix="client") as pool:
        futures = [pool.submit(client, share) for share in shares]
        server_cpu, client_cpu = served.cpu(), time.process_time()
        ready.wait()
        started = time.perf_counter()
        samples = [sample for future in futures for sample in future.result()]
        wall = time.perf_counter() - started
        server_cpu, client_cpu = served.cpu() - server_cpu, time.process_time() - client_cpu
    return Phase(command, samples, wall, server_cpu, client_cpu)


def drive(
    name: str, port: int, plan: Plan, concurrency: int, served: Server, standin: StandinProxy
) -> Result:
    bare = name not in (LABELS["sqlite"], LABELS["postgres"])  # a Bolt app that only acks
    posted_before = delivered(standin)
    completions = 0
    for phase in [plan.setup, *plan.warmup]:
        warm = run_phase(served, port, *phase, concurrency, bare=bare)
        completions += _completions(warm)
    phases = [run_phase(served, port, *phase, concurrency, bare=bare) for phase in plan.measured]
    completions += sum(_completions(phase) for phase in phases)
    # Every completion's celebration should reach the stand-in through the outbox.
    deadline = time.monotonic() + 30
    while True:
        posted = delivered(standin) - posted_before
        if bare or posted >= completions or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    time.sleep(0.5)  # let the server log what the last requests caused
    celebrations = None if bare else (posted, completions)
    return Result(name, phases, log_errors(served.log_path), celebrations)


def delivered(standin: StandinProxy) -> int:
    return sum(post.ok for post in standin.posts())


def _completions(phase: Phase) -> int:
    return sum(s.ok and not s.late for s in phase.samples if s.command == "/stage done")


# -- figures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    n: int
    bad: int
    late: int
    p50: float
    p95: float
    p99: float
    max: float
    rate: float
    server_cpu_ms: float  # the worker's CPU time per request
    client_cpu_ms: float

    @classmethod
    def of(cls, phases: list[Phase]) -> Figures:
        samples = [sample for phase in phases for sample in phase.samples]
        wall = sum(phase.wall for phase in phases)
        ms = [s.seconds * 1000 for s in samples]
        return cls(
            n=len(samples),
            bad=sum(not s.ok for s in samples),
            late=sum(s.late for s in samples),
            p50=percentile(ms, 50),
            p95=percentile(ms, 95),
            p99=percentile(ms, 99),
            max=max(ms, default=math.nan),
            rate=len(samples) / wall if wall else math.nan,
            server_cpu_ms=1000 * sum(p.server_cpu for p in phases) / max(1, len(samples)),
            client_cpu_ms=1000 * sum(p.client_cpu for p in phases) / max(1, len(samples)),
        )


def figures_by_command(result: Result) -> dict[str, Figures]:
    rows = {phase.command: Figures.of([phase]) for phase in result.phases}
    rows["overall"] = Figures.of(result.phases)
    return rows


def print_report(results: list[Result], args: argparse.Namespace) -> None:
    print()
    print(
        f"Ack latency, {args.concurrency} concurrent clients (keep-alive), "
        f"{args.channels} channels, gunicorn 1 gthread worker x {args.threads} threads"
    )
    header = (
        f"{'target':<24}{'command':<13}{'n':>5}{'bad':>5}{'late':>5}"
        f"{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'req/s':>8}{'cpu ms':>8}"
    )
    print(header)
    print("-" * len(header))
    table = {result.target: figures_by_command(result) for result in results}
    for target, rows in table.items():
        for command, f in rows.items():
            print(
                f"{target:<24}{command:<13}{f.n:>5}{f.bad:>5}{f.late:>5}"
                f"{f.p50:>9.1f}{f.p95:>9.1f}{f.p99:>9.1f}{f.max:>9.1f}{f.rate:>8.0f}"
                f"{f.server_cpu_ms:>8.2f}"
            )
        print()
    print("bad: non-200, or a reply that does not say the command was done; late: acked empty")
    print("(the reply missed the ack and followed by response_url); cpu ms: the server worker's")
    print("CPU time per request (changebot's background process, which posts, is not in it).")
    for target, rows in table.items():
        print(
            f"{target}: the clients (this process) used {rows['overall'].client_cpu_ms:.2f} ms "
            "of CPU per request on the same CPUs."
        )

    bare = table.get(LABELS["bare"])
    print()
    print(
        f"Against the targets (p99 < {TARGET_P99_MS:g} ms; p99 within {TARGET_RATIO:g}x bare Bolt)"
    )
    header = (
        f"{'target':<24}{'command':<13}{'p50 x':>8}{'p95 x':>8}{'p99 x':>8}{'floor x':>9}  verdict"
    )
    print(header)
    print("-" * len(header))
    for target, rows in table.items():
        if target == LABELS["bare"]:
            continue
        floor = table.get(FLOOR_OF.get(target, ""))
        for command, f in rows.items():
            ratios = (
                [f.p50 / bare[command].p50, f.p95 / bare[command].p95, f.p99 / bare[command].p99]
                if bare
                else [math.nan] * 3
            )
            to_floor = f.p99 / floor[command].p99 if floor else math.nan
            verdicts = ["p99 ok" if f.p99 < TARGET_P99_MS else "p99 MISSES"]
            if bare:
                verdicts.append("ratio ok" if ratios[2] <= TARGET_RATIO else "ratio MISSES")
            if f.bad:
                verdicts.append(f"{f.bad} bad answers")
            print(
                f"{target:<24}{command:<13}"
                + "".join(f"{r:>8.2f}" for r in ratios)
                + f"{to_floor:>9.2f}  "
                + ", ".join(verdicts)
            )
    print("floor x: p99 against the p99 of Bolt+statements on the same database, in this run")
    for command, f in (bare or {}).items():
        if f.p99 > STALL_FACTOR * f.p95:
            print(
                f"bare Bolt's {command} p99 ({f.p99:.0f} ms) is over {STALL_FACTOR:g}x its p95 "
                f"({f.p95:.0f} ms), a stall of the machine: ratios to it are flattered; run again"
            )
    for result in results:
        if result.celebrations is not None:
            posted, completed = result.celebrations
            print(f"{result.target}: {posted} celebrations posted for {completed} completions")
    for result in results:
        bad = Counter(
            f"{s.command}: {s.detail[:150]}"
            for phase in result.phases
            for s in phase.samples
            if not s.ok
        )
        if bad:
            print(f"\n{result.target}: bad answers, most common first:")
            for answer, n in bad.most_common(4):
                print(f"  {n} x {answer}")
        if result.log_errors:
            # Without the timestamp, so that the same error is counted once.
            errors = Counter(re.sub(r"^[\d-]+ [\d:,]+ ", "", line) for line in result.log_errors)
            print(f"\n{result.target}: errors in the server log, most common first:")
            for line, n in errors.most_common(5):
                print(f"  {n} x {line[:200]}")


# -- main -----------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400, help="per command (default 400)")
    parser.add_argument("--concurrency", type=int, default=20, help="client threads (20)")
    parser.add_argument(
        "--channels",
        type=int,
        default=None,
        help="channels the load is spread over (default: one per client)",
    )
    parser.add_argument("--warmup", type=int, default=3, help="warm-up commands per channel")
    parser.add_argument(
        "--threads",
        type=int,
        default=Settings.model_fields["http_threads"].default,
        help="HTTP_THREADS for both servers (default: changebot's default)",
    )
    parser.add_argument(
        "--targets",
        default=",".join(LABELS),
        help=f"comma-separated: {', '.join(LABELS)} (default all)",
    )
    args = parser.parse_args()
    args.channels = args.channels or args.concurrency
    return args


def main() -> int:
    args = parse_args()
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    unknown = set(targets) - set(LABELS)
    if unknown:
        raise SystemExit(f"unknown targets: {', '.join(sorted(unknown))}")
    per_channel = math.ceil(args.requests / args.channels)
    print(f"Machine: {machine()}; {load()} before")
    results: list[Result] = []
    with standin_process(TEAM) as standin, tempfile.TemporaryDirectory(prefix="ackbench-") as tmp:
        base_env = {
            name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ
        }
        base_env |= {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": standin.api_url,
            "HOST": "127.0.0.1",
            "HTTP_THREADS": str(args.threads),
        }
        for target in targets:
            workdir = Path(tmp) / target
            workdir.mkdir()
            factory = RequestFactory(
                signing_secret=SIGNING_SECRET, team_id=TEAM, standin=cast(SlackStandIn, standin)
            )
            plan = Plan(
                factory, channels=args.channels, per_channel=per_channel, warmup=args.warmup
            )
            port = free_port()
            env = {**base_env, "PORT": str(port)}
            print(f"Running {LABELS[target]} ...", flush=True)
            with database(target.removeprefix("floor-"), workdir) as url:
                env["DATABASE_URL"] = url
                command = server_command(target)
                with server(command, env, workdir) as served:
                    result = drive(LABELS[target], port, plan, args.concurrency, served, standin)
            results.append(result)
    print_report(results, args)
    print(f"\n{load()} after")
    return 0


if __name__ == "__main__":
    sys.exit(main())
