"""The `changebot` command: `run`, `console`, `db upgrade` and `forget` (SPEC §5)."""

from __future__ import annotations

import argparse
import logging
import sys

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from bot.config import Mode, Settings
from bot.logs import configure_logging
from storage.migrate import upgrade

NO_CREDENTIALS_BANNER = """\
┌──────────────────────────────────────────────────────────────────────┐
│ changebot: no Slack credentials are set, so it cannot reach Slack.   │
│ Starting the local console instead: a simulated workspace where you  │
│ can type slash commands and see what changebot posts.                │
│                                                                      │
│ To connect to Slack, set:                                            │
{missing}│ (see README.md, "Create the Slack app").                             │
└──────────────────────────────────────────────────────────────────────┘
"""


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        return _refuse(*(_setting_problem(problem) for problem in error.errors()))
    configure_logging(_log_level(args.command, settings))
    if args.command == "db":
        upgrade(settings.database_url, encryption_keys=settings.encryption_keys)
        print(f"The database is up to date ({_safe_url(settings.database_url)}).")
        return 0
    if args.command == "console":
        return _console(settings)
    if args.command == "forget":
        return _forget(settings, args.user_id)
    return _run(settings)


def _log_level(command: str, settings: Settings) -> int:
    """The console shares the screen with the logs: there, only warnings and errors show."""
    console = command == "console" or (command == "run" and settings.mode is Mode.CONSOLE)
    return logging.WARNING if console else logging.INFO


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="changebot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="start the bot (Socket Mode, HTTP, or the console)")
    commands.add_parser("console", help="the whole app against a simulated local workspace")
    db = commands.add_parser("db", help="database maintenance")
    db.add_subparsers(dest="db_command", required=True).add_parser(
        "upgrade", help="apply schema migrations"
    )
    forget = commands.add_parser(
        "forget",
        help="erase a person from every project (a data-protection request)",
        description=(
            "Erase a person from every project: their roles and agreements are removed, "
            "and the feedback, concerns, check-in answers, stages and sign-offs they took "
            'part in stay, shown as from "a former partner". Messages to them not yet '
            "sent are dropped. Safe to run again."
        ),
    )
    forget.add_argument("user_id", metavar="USER_ID", help="their Slack user id, such as U012AB3CD")
    return parser


def _run(settings: Settings) -> int:
    if settings.mode is Mode.CONSOLE:
        missing = "".join(f"│   {name:<67}│\n" for name in settings.missing_for_slack())
        print(NO_CREDENTIALS_BANNER.format(missing=missing), file=sys.stderr)
        return _console(settings)
    missing_key = settings.missing_encryption_key()
    if missing_key:
        return _refuse(missing_key)
    upgrade(settings.database_url, encryption_keys=settings.encryption_keys)
    if settings.mode is Mode.SOCKET:
        from bot.socket_mode import run_socket_mode

        run_socket_mode(settings)
        return 0
    from bot.server import ChangebotServer

    ChangebotServer(settings).run()
    return 0


def _forget(settings: Settings, user_id: str) -> int:
    """Erase one person and say what changed, kind by kind; only the id given is printed."""
    from bot.services.erasure import forget_person, is_slack_user_id
    from storage.db import make_engine, unit_of_work

    if not is_slack_user_id(user_id):
        print(
            f"changebot forget: {user_id!r} is not a Slack user id (U… or W…, "
            "upper-case letters and digits).",
            file=sys.stderr,
        )
        return 2
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with unit_of_work(engine) as session:
            erasure = forget_person(session=session, user_id=user_id)
    finally:
        engine.dispose()
    if not erasure.changed:
        print(f"Nothing to change: no records of {user_id}.")
        return 0
    print(f"Forgot {user_id}:")
    for label, count in erasure.counts():
        print(f"  {label}: {count}")
    return 0


def _refuse(*problems: str) -> int:
    """Stop before doing anything: one line per setting that is missing or wrong (SPEC §5)."""
    for problem in problems:
        print(f"changebot: {problem}", file=sys.stderr)
    return 2


def _setting_problem(problem: ErrorDetails) -> str:
    """The variable and what is wrong with it, without the value (it may be a secret)."""
    variable = ".".join(str(part) for part in problem["loc"]).upper()
    return f"{variable}: {problem['msg'].removeprefix('Value error, ')}"


def _console(settings: Settings) -> int:
    from bot.console.terminal import run_console

    return run_console(settings)


def _safe_url(url: str) -> str:
    """The database URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
