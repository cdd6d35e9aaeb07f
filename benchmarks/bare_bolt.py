"""A bare Bolt app on changebot's server stack: the baselines of benchmarks/ack_latency.py.

The same gunicorn configuration as `changebot run` (it reuses `ChangebotServer` and only
swaps the app it loads): one gthread worker, HTTP_THREADS threads, the same timeouts and
keep-alive. The Bolt app checks signatures like changebot's and has the same listener
pool, and its one listener acks. Two kinds:

- bare (the default): it only acks; no database, no outbox, no reply. The floor of
  Bolt on this server stack.
- with `--statements`: before acking, each command runs in one transaction as many
  statements as changebot's does, of the same kinds (tests/e2e/test_statements.py holds
  changebot to these counts), as plain DB-API calls on DATABASE_URL, through the engine
  and pool changebot uses (storage.db.make_engine). The floor of any app on this stack
  that stores what these commands store, before any of its own logic: what the database
  and its driver alone cost.

Run by the benchmark as `python benchmarks/bare_bolt.py [--statements]` with changebot's
environment (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL pointing at a stand-in,
since Bolt calls auth.test at start, PORT, HOST, HTTP_THREADS, and DATABASE_URL for
`--statements`).
"""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.server import ChangebotServer, WsgiApp
from storage.db import make_engine

# What changebot's transaction for each command asks, in order, BEGIN and COMMIT aside.
STATEMENTS: dict[str, tuple[str, ...]] = {
    # The replay record, the project with the caller, the project held, the last number,
    # the new stage.
    "/stage add": ("insert", "select", "select", "select", "insert"),
    # The replay record, the project and caller, the stage held, its update, its history,
    # the progress, whether there are measures, the celebration.
    "/stage done": (
        "insert",
        "select",
        "select",
        "update",
        "insert",
        "select",
        "select",
        "insert",
    ),
    # The replay record, the project with the caller, the feedback.
    "/feedback": ("insert", "select", "insert"),
}

_TABLE = """CREATE TABLE IF NOT EXISTS floor_row (
    id {key}, channel_id TEXT NOT NULL, words TEXT NOT NULL,
    done BOOLEAN NOT NULL DEFAULT false)"""
_INDEX = "CREATE INDEX IF NOT EXISTS floor_row_channel ON floor_row (channel_id, id)"
_SQL = {
    "insert": "INSERT INTO floor_row (channel_id, words) VALUES ({p}, {p}) RETURNING id",
    "select": "SELECT id, words FROM floor_row WHERE channel_id = {p} ORDER BY id DESC LIMIT 1",
    "update": "UPDATE floor_row SET done = true WHERE id = (SELECT max(id) FROM floor_row "
    "WHERE channel_id = {p})",
}


class StatementFloor:
    """Each command's statements in one transaction, straight on the driver's connection.

    On SQLite one transaction at a time in the process, begun IMMEDIATE, as changebot's
    are (storage/db.py); on PostgreSQL, connections from the same pool, pre-ping included.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        mark = "?" if self._sqlite else "%s"
        self._sql = {kind: sql.format(p=mark) for kind, sql in _SQL.items()}
        self._turn = threading.Lock() if self._sqlite else None
        key = "INTEGER PRIMARY KEY" if self._sqlite else "BIGSERIAL PRIMARY KEY"
        with engine.begin() as connection:
            connection.exec_driver_sql(_TABLE.format(key=key))
            connection.exec_driver_sql(_INDEX)

    def run(self, command: str, channel_id: str, words: str) -> None:
        if self._turn is None:
            self._transaction(command, channel_id, words)
            return
        with self._turn:
            self._transaction(command, channel_id, words)

    def _transaction(self, command: str, channel_id: str, words: str) -> None:
        connection = self._engine.raw_connection()
        try:
            cursor = connection.cursor()
            if self._sqlite:
                cursor.execute("BEGIN IMMEDIATE")
            for kind in STATEMENTS[command]:
                params = (channel_id, words) if kind == "insert" else (channel_id,)
                cursor.execute(self._sql[kind], params)
                if kind != "update":
                    cursor.fetchall()
            connection.commit()
        finally:
            connection.close()


def bare_app(settings: Settings, *, statements: bool = False) -> WsgiApp:
    """Bolt with one listener for every command that acks, after its statements if asked."""
    client = WebClient(base_url=settings.slack_api_url, token=settings.slack_bot_token, timeout=10)
    app = App(
        signing_secret=settings.slack_signing_secret or "",
        client=client,
        process_before_response=False,
        # As changebot's app (bot/app.py), so that only the listeners' work differs.
        listener_executor=ThreadPoolExecutor(max_workers=16, thread_name_prefix="bolt"),
    )
    floor = StatementFloor(make_engine(settings.database_url)) if statements else None

    @app.command(re.compile(r".*"))
    def ack_only(ack: Ack, command: dict[str, Any]) -> None:
        if floor is not None:
            name = command["command"]
            if name == "/stage":
                name += " " + (command.get("text") or "").split(" ", 1)[0]
            floor.run(name, command["channel_id"], command.get("text") or "")
        ack()

    bolt = SlackRequestHandler(app)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            body = json.dumps({"ok": True}).encode()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        return bolt(environ, start_response)

    return application


class BareBoltServer(ChangebotServer):
    """changebot's gunicorn configuration, serving a bare app instead of changebot."""

    def __init__(self, settings: Settings, *, statements: bool) -> None:
        self._statements = statements
        super().__init__(settings, background=False)

    def load(self) -> WsgiApp:
        return bare_app(self._settings, statements=self._statements)


if __name__ == "__main__":
    BareBoltServer(Settings(), statements="--statements" in sys.argv[1:]).run()
