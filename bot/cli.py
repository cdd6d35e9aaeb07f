"""The `changebot` command: `run`, `console`, `db upgrade` and `forget` (SPEC §5)."""

from __future__ import annotations

import argparse
import logging
import sys
import urllib.error
from importlib.metadata import version

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import DBAPIError

from bot.config import Mode, Settings, ignored_settings
from bot.logs import configure_logging
from storage.migrate import UpgradeRefused, holds_a_schema, upgrade

DESCRIPTION = (
    "changebot keeps partnership improvement projects moving in Slack. "
    "Settings come from the environment and a .env file (see README.md)."
)
NO_TERMINAL = (
    "no Slack credentials are set, and the local console needs a terminal: set "
    "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN), or run "
    "`changebot console` in a terminal"
)

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


# The SDK logs a failed call as an error with a retry: here the one line below says it all.
_QUIET_SDK = logging.getLogger("bot.cli.slack_check")
_QUIET_SDK.disabled = True
log = logging.getLogger(__name__)


class SettingProblem(Exception):
    """A setting that stops the command: its message is the one line the operator reads."""


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        settings = Settings()
    except ValidationError as error:
        return _refuse(*(_setting_problem(problem) for problem in error.errors()))
    configure_logging(_log_level(args.command, settings))
    for ignored in ignored_settings():
        log.warning(ignored)
    try:
        return _command(args, settings)
    except SettingProblem as problem:
        return _refuse(str(problem))


def _command(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "db":
        return _db_upgrade(settings)
    if args.command == "console":
        _migrate(settings)
        return _console(settings)
    if args.command == "forget":
        return _forget(settings, args.user_id)
    return _run(settings)


def _db_upgrade(settings: Settings) -> int:
    """Say which revisions were applied, so an operator knows what changed."""
    applied = _migrate(settings)
    where = _safe_url(settings.database_url)
    if applied:
        print(f"Applied {', '.join(applied)}: the database is up to date ({where}).")
    else:
        print(f"Nothing to apply: the database was already up to date ({where}).")
    return 0


def _migrate(settings: Settings) -> list[str]:
    """Bring the schema up to date; a database that cannot be opened or upgraded is one line,
    not a traceback."""
    try:
        return upgrade(settings.database_url, encryption_keys=settings.encryption_keys)
    except UpgradeRefused as refused:
        raise SettingProblem(
            f"cannot upgrade the database {_safe_url(settings.database_url)}: {refused}"
        ) from refused
    except DBAPIError as error:
        raise _cannot_open(settings, error) from error


def _cannot_open(settings: Settings, error: DBAPIError) -> SettingProblem:
    """The driver's first line says why, without the password."""
    reason = next(iter(str(error.orig).strip().splitlines()), type(error.orig).__name__)
    return SettingProblem(
        f"DATABASE_URL: cannot open the database {_safe_url(settings.database_url)}: {reason}"
    )


def _holds_a_schema(settings: Settings) -> bool:
    """Whether the database was ever migrated; one that cannot be opened is one line."""
    try:
        return holds_a_schema(settings.database_url)
    except DBAPIError as error:
        raise _cannot_open(settings, error) from error


def _check_slack(settings: Settings) -> None:
    """Ask Slack whether it takes the tokens before starting, as Bolt and the Socket Mode
    handler will in the worker: there a refusal would end as gunicorn's "Worker failed to
    boot", a traceback rather than a line naming the setting."""
    if settings.slack_bot_token:
        _ask_slack(settings, "SLACK_BOT_TOKEN", settings.slack_bot_token, "auth.test")
    if settings.mode is Mode.SOCKET and settings.slack_app_token:
        # An unused connection URL expires by itself: asking for one changes nothing.
        _ask_slack(settings, "SLACK_APP_TOKEN", settings.slack_app_token, "apps.connections.open")


def _ask_slack(settings: Settings, setting: str, token: str, method: str) -> None:
    client = WebClient(
        base_url=settings.slack_api_url,
        token=token,
        timeout=10,
        logger=_QUIET_SDK,
        retry_handlers=[],
    )
    try:
        client.api_call(method)
    except SlackApiError as error:
        raise SettingProblem(
            f"{setting}: Slack refused it ({error.response.get('error')})"
        ) from error
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise SettingProblem(
            f"SLACK_API_URL: cannot reach Slack at {settings.slack_api_url}: {reason}"
        ) from error


def _log_level(command: str, settings: Settings) -> int:
    """The console shares the screen with the logs: there, only warnings and errors show."""
    console = command == "console" or (command == "run" and settings.mode is Mode.CONSOLE)
    return logging.WARNING if console else logging.INFO


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="changebot", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"changebot {version('changebot')}")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="start the bot (Socket Mode, HTTP, or the console)")
    commands.add_parser("console", help="the whole app against a simulated local workspace")
    db = commands.add_parser("db", help="database maintenance")
    db.add_subparsers(dest="db_command", metavar="{upgrade}", required=True).add_parser(
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
    """Refuse a half-made configuration before touching the database or Slack; with no
    credentials at all, the console (only for a person at a terminal)."""
    problem = settings.half_configured() or settings.missing_encryption_key()
    if problem:
        raise SettingProblem(problem)
    if settings.mode is Mode.CONSOLE:
        if not sys.stdin.isatty():
            raise SettingProblem(NO_TERMINAL)
        missing = "".join(f"│   {name:<67}│\n" for name in settings.missing_for_slack())
        print(NO_CREDENTIALS_BANNER.format(missing=missing), file=sys.stderr)
        _migrate(settings)
        return _console(settings)
    _check_slack(settings)
    _migrate(settings)
    if settings.public_url is None:
        log.warning(
            "PUBLIC_URL is not set: feedback links for service users will point at %s, "
            "which only this machine can reach",
            settings.public_base,
        )
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
    where = _safe_url(settings.database_url)
    if not _holds_a_schema(settings):
        # Run from another folder, sqlite:///changebot.db is a new, empty file: "nothing to
        # change" would tell the operator the person is forgotten when they are not.
        raise SettingProblem(
            f"DATABASE_URL: {where} holds no changebot data: give the database that "
            "changebot run uses (for SQLite, its full path: sqlite:////srv/changebot/changebot.db)"
        )
    _migrate(settings)
    engine = make_engine(settings.database_url)
    try:
        with unit_of_work(engine) as session:
            erasure = forget_person(session=session, user_id=user_id)
    finally:
        engine.dispose()
    if not erasure.changed:
        print(f"Nothing to change: no records of {user_id} in {where}.")
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


if __name__ == "__main__":
    sys.exit(main())
