"""What the benchmarks share: the machine's description, throwaway databases, free ports,
percentiles, and the Slack stand-in served from a process of its own.

The stand-in runs in its own process so that its work (decoding and storing every post)
does not compete with the process being measured for its GIL, as Slack's would not.
"""

from __future__ import annotations

import datetime as dt
import math
import multiprocessing
import os
import platform
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

POSTGRES_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test"
START_TIMEOUT = 60.0
ANSWER_TIMEOUT = 60.0


def machine() -> str:
    """nproc, CPU model, memory, Python version and the date, on one line."""
    model = "unknown CPU"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as meminfo:
        kib = int(meminfo.readline().split()[1])
    return (
        f"{os.cpu_count()} CPUs ({model}), {kib / 1024**2:.1f} GiB RAM, "
        f"Python {platform.python_version()}, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    )


def load() -> str:
    """The load averages: other work on these CPUs skews every figure."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentile(values: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new database on the local server, dropped afterwards (FORCE ends its sessions)."""
    name = f"changebot_bench_{secrets.token_hex(6)}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def database(kind: str, workdir: Path) -> Iterator[str]:
    """A DATABASE_URL of `kind` ("sqlite" or "postgres"): a new file or a new database."""
    if kind == "postgres":
        with postgres_database() as url:
            yield url
    else:
        yield f"sqlite:///{workdir / 'changebot.db'}"


# -- the Slack stand-in in a process of its own --------------------------------------------


@dataclass(frozen=True)
class Post:
    """One chat.postMessage the stand-in answered, as the benchmarks count them."""

    channel: str
    status: int
    ok: bool
    at: float  # time.monotonic() in the stand-in's process: the same clock as ours on Linux
    text: str


def _serve_standin(pipe: Connection, team_id: str, latency: float) -> None:
    """The stand-in's process: serve, and answer the questions asked through `pipe`.

    With `latency`, every request is answered that many seconds late (on its own thread,
    as a network round trip to Slack would delay it), before the stand-in sees it.
    """
    from bot.console.standin import SlackStandIn

    with SlackStandIn(team_id=team_id) as standin:
        if latency > 0:
            route = standin._route

            def delayed(request: Any) -> Any:
                time.sleep(latency)
                return route(request)

            standin._route = delayed  # type: ignore[method-assign]
        pipe.send(standin.api_url)
        deadline = time.monotonic() + 3600
        while time.monotonic() < deadline:
            if not pipe.poll(1):
                continue
            question = pipe.recv()
            if question is None:
                break
            method, kwargs = question
            pipe.send(_answer(standin, method, kwargs))


def _answer(standin: Any, method: str, kwargs: dict[str, Any]) -> Any:
    if method == "posts":
        return [
            Post(
                str(call.args.get("channel")),
                call.status,
                call.ok,
                call.at,
                str(call.args.get("text", "")),
            )
            for call in standin.calls_to("chat.postMessage")
        ]
    if method in ("new_response_url", "user_info", "channel_info", "enforce_rate_limits"):
        return getattr(standin, method)(**kwargs)
    raise ValueError(f"the stand-in process does not answer {method}")


class StandinProxy:
    """The stand-in in the other process: its URL, and what the benchmarks ask of it.

    It has what `RequestFactory` asks of a stand-in (`new_response_url`, `user_info`,
    `channel_info`), so the factory's requests carry response_urls the stand-in serves.
    """

    def __init__(self, pipe: Connection, api_url: str) -> None:
        self._pipe = pipe
        self._lock = threading.Lock()
        self.api_url = api_url

    def _ask(self, method: str, **kwargs: Any) -> Any:
        with self._lock:
            self._pipe.send((method, kwargs))
            if not self._pipe.poll(ANSWER_TIMEOUT):
                raise RuntimeError("the Slack stand-in stopped answering")
            return self._pipe.recv()

    def new_response_url(
        self, *, channel: str | None = None, user: str | None = None, message_ts: str | None = None
    ) -> str:
        return str(self._ask("new_response_url", channel=channel, user=user, message_ts=message_ts))

    def user_info(self, user_id: str) -> dict[str, Any]:
        return dict(self._ask("user_info", user_id=user_id))

    def channel_info(self, channel_id: str) -> dict[str, Any]:
        return dict(self._ask("channel_info", channel_id=channel_id))

    def enforce_rate_limits(
        self, per_channel_per_second: float = 1.0, workspace_per_second: float | None = None
    ) -> None:
        self._ask(
            "enforce_rate_limits",
            per_channel_per_second=per_channel_per_second,
            workspace_per_second=workspace_per_second,
        )

    def posts(self) -> list[Post]:
        """Every chat.postMessage so far, refused ones (429s) included."""
        return list(self._ask("posts"))


@contextmanager
def standin_process(team_id: str, *, latency: float = 0.0) -> Iterator[StandinProxy]:
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=_serve_standin, args=(theirs, team_id, latency), daemon=True)
    process.start()
    try:
        if not ours.poll(START_TIMEOUT):
            raise RuntimeError("the Slack stand-in did not start")
        yield StandinProxy(ours, str(ours.recv()))
    finally:
        ours.send(None)
        process.join(10)
        if process.is_alive():
            process.terminate()
            process.join(5)
