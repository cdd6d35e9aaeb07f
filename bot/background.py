"""The background work of an instance: the outbox sender and the scheduled jobs.

Under `changebot run` in HTTP mode this runs in a process of its own, so that
posting and scheduled work never compete with acks for the web worker's
interpreter (DESIGN "Processes"). `BackgroundProcess` starts it beside
gunicorn, starts it again if it dies, and stops it with the instance. Socket
Mode, the console and the tests run the same work inside their one process
(`start_background`).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from functools import partial

from bot.app import token_source
from bot.config import Settings
from bot.logs import configure_logging
from bot.runs import channels as channel_runs
from bot.runtime import Runtime, build_runtime
from bot.scheduling import jobs
from storage.db import make_engine

log = logging.getLogger(__name__)

# A background process that dies is started again, but not faster than this.
RESTART_AFTER_SECONDS = 2.0
STOP_WAIT_SECONDS = 30.0
# The sender's own process has no in-process wake-up from the web workers' commits.
BACKGROUND_POLL_SECONDS = 0.25


def start_background(runtime: Runtime, *, deliver_in_background: bool = True) -> None:
    """Start the runtime with the sender and the scheduler, and the standing jobs."""
    runtime.sender.on_unreachable = partial(channel_runs.channel_lost, runtime)
    runtime.sender.on_refused = partial(channel_runs.workspace_refused, runtime)
    runtime.start(background=True, deliver_in_background=deliver_in_background)
    jobs.install(runtime)


def run_background(settings: Settings) -> None:
    """The background process's body: work until SIGTERM or SIGINT, then stop cleanly.

    It logs as `changebot run` does, through the escaping formatter: Slack's answers
    and errors reach its log lines too, and must not start lines of their own.
    """
    configure_logging(logging.INFO)
    engine = make_engine(settings.database_url)
    runtime = build_runtime(
        settings,
        token_source(settings, engine),
        engine=engine,
        sender_poll_interval=BACKGROUND_POLL_SECONDS,
        instance_process=os.getppid(),
    )
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    threading.Thread(target=_stop_with_parent, args=(stopping,), daemon=True).start()
    start_background(runtime)
    log.info("background work started: outbox sender and scheduler")
    stopping.wait()
    runtime.stop()


def _stop_with_parent(stopping: threading.Event) -> None:
    """A `changebot run` killed outright (SIGKILL) cannot stop its background process: the
    process notices it has a new parent and stops itself, handing the scheduler lease on."""
    parent = os.getppid()
    while not stopping.wait(0.5):
        if os.getppid() != parent:
            log.warning("changebot run has gone; stopping the background work")
            stopping.set()


class BackgroundProcess:
    """The instance's background process, kept running for as long as the instance runs.

    A plain child process (`python -m bot.background`) that reads the same settings
    from the same environment: gunicorn forks its workers after this has started, and
    a forked worker must inherit nothing of it. It has a process group of its own, so
    that a Ctrl-C in the terminal reaches `changebot run` alone, which stops its workers
    first and then this process (`stop`).

    gunicorn's arbiter reaps every child it has with `waitpid(-1)`: it calls `reap`
    first, so that this process's exit status is still there to read and log.
    """

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None

    def start(self) -> None:
        self._spawn()
        self._watcher = threading.Thread(target=self._watch, name="background-watch", daemon=True)
        self._watcher.start()

    def reap(self) -> None:
        """Collect the process's exit status if it has exited, before anything else can."""
        if self._process is not None:
            self._process.poll()

    def winding_down(self) -> None:
        """The instance is stopping: a process that exits from now on is not started again."""
        self._stopping.set()

    def stop(self) -> None:
        """Ask the process to finish (SIGTERM) and wait for it."""
        self.winding_down()
        process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(STOP_WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                log.error("the background process did not stop in time; killing it")
                process.kill()
                process.wait()
        if self._watcher is not None:
            self._watcher.join(5)

    def _spawn(self) -> None:
        self._process = subprocess.Popen([sys.executable, "-m", "bot.background"], process_group=0)

    def _watch(self) -> None:
        while not self._stopping.wait(0.5):
            process = self._process
            if process is None or process.poll() is None:
                continue
            if self._stopping.is_set():  # it stopped with the instance (systemd signals all)
                return
            log.error(
                "the background process %s; starting it again", _how_it_ended(process.returncode)
            )
            time.sleep(RESTART_AFTER_SECONDS)
            if not self._stopping.is_set():
                self._spawn()


def _how_it_ended(returncode: int) -> str:
    """`exited with code 1`, or `was killed by SIGKILL`: Popen gives a signal as its negative."""
    if returncode >= 0:
        return f"exited with code {returncode}"
    try:
        return f"was killed by {signal.Signals(-returncode).name}"
    except ValueError:
        return f"was killed by signal {-returncode}"


if __name__ == "__main__":
    run_background(Settings())
