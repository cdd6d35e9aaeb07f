"""`changebot` as an operator meets it: real processes, each mistake in one line (SPEC §5)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings, ignored_settings
from bot.console.standin import SlackStandIn
from storage.migrate import MIGRATIONS, upgrade

CHANGEBOT = str(Path(sys.executable).with_name("changebot"))


def changebot(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the installed command with only `env` set (and no terminal on standard input)."""
    keep = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    return subprocess.run(  # noqa: S603 - our own console script
        [CHANGEBOT, *args],
        env={**keep, "DATABASE_URL": f"sqlite:///{cwd / 'changebot.db'}", **env},
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def refusal(result: subprocess.CompletedProcess[str]) -> str:
    """The one line a command that must not start printed, checked to be only that."""
    assert result.returncode != 0
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    return line


def test_half_the_slack_credentials_stop_run_with_what_is_missing(tmp_path):
    line = refusal(changebot("run", cwd=tmp_path, SLACK_BOT_TOKEN="xoxb-half"))
    assert line == (
        "changebot: SLACK_BOT_TOKEN is set, but changebot also needs SLACK_SIGNING_SECRET "
        "(HTTP) or SLACK_APP_TOKEN (Socket Mode) to reach Slack"
    )
    assert "xoxb-half" not in line
    assert not (tmp_path / "changebot.db").exists()


def test_an_oauth_client_id_without_its_secret_names_the_secret(tmp_path):
    line = refusal(changebot("run", cwd=tmp_path, SLACK_CLIENT_ID="1.2", SLACK_APP_TOKEN="xapp-1"))
    assert line == (
        "changebot: SLACK_APP_TOKEN and SLACK_CLIENT_ID are set, but changebot also needs "
        "SLACK_CLIENT_SECRET to reach Slack"
    )


def test_half_of_oauth_beside_a_bot_token_stops_run_rather_than_run_without_it(tmp_path):
    line = refusal(
        changebot(
            "run",
            cwd=tmp_path,
            SLACK_BOT_TOKEN="xoxb-1",
            SLACK_SIGNING_SECRET="secret",
            SLACK_CLIENT_ID="1.2",
        )
    )
    assert line == (
        "changebot: SLACK_CLIENT_ID is set, but OAuth also needs SLACK_CLIENT_SECRET (or unset "
        "SLACK_CLIENT_ID to run in the bot token's workspace alone)"
    )
    assert not (tmp_path / "changebot.db").exists()


def test_run_with_no_credentials_and_no_terminal_says_so_and_fails(tmp_path):
    line = refusal(changebot("run", cwd=tmp_path))
    assert line.startswith("changebot: no Slack credentials are set, and the local console needs")


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("nonsense", "DATABASE_URL: not a database URL (such as postgresql+psycopg://"),
        ("mysql://a@b/c", "DATABASE_URL: changebot cannot open mysql databases"),
        (
            "postgresql://nobody:hunter2@127.0.0.1:1/x",
            "DATABASE_URL: cannot open the database postgresql+psycopg://nobody:***@127.0.0.1:1/x: "
            "connection failed",
        ),
        ("sqlite:////nowhere/at/all/c.db", "DATABASE_URL: cannot open the database sqlite:////"),
    ],
)
def test_a_database_that_cannot_be_opened_is_one_line_naming_the_setting(tmp_path, url, said):
    line = refusal(changebot("db", "upgrade", cwd=tmp_path, DATABASE_URL=url))
    assert line.startswith("changebot: " + said), line
    assert "hunter2" not in line


def test_postgresql_without_its_driver_installed_says_how_to_install_it(tmp_path):
    blocked = tmp_path / "without-psycopg" / "psycopg"
    blocked.mkdir(parents=True)
    (blocked / "__init__.py").write_text('raise ImportError("No module named psycopg")\n')
    result = changebot(
        "db",
        "upgrade",
        cwd=tmp_path,
        DATABASE_URL="postgresql://changebot@db.internal/changebot",
        PYTHONPATH=str(blocked.parent),
    )
    assert refusal(result) == (
        "changebot: DATABASE_URL: the PostgreSQL driver (psycopg) is not installed: in "
        "changebot's folder, run pip install '.[postgres]'"
    )


def test_an_unknown_time_zone_is_one_line(tmp_path):
    line = refusal(changebot("console", cwd=tmp_path, CHANGEBOT_TIMEZONE="Europe/Londn"))
    assert line == "changebot: CHANGEBOT_TIMEZONE: unknown time zone 'Europe/Londn'"


def test_greenwich_time_as_the_default_zone_is_one_line_naming_uk_time(tmp_path):
    line = refusal(changebot("console", cwd=tmp_path, CHANGEBOT_TIMEZONE="Etc/UTC"))
    assert line.startswith("changebot: CHANGEBOT_TIMEZONE: 'Etc/UTC' has no summer time")
    assert line.endswith("For UK time use Europe/London.")


def test_the_default_zone_is_found_in_any_case():
    settings = Settings(_env_file=None, changebot_timezone="europe/london")
    assert settings.changebot_timezone == "Europe/London"


@pytest.mark.parametrize(
    ("host", "said"),
    [
        ("127.0.0.1:8080", "must be an address without a port (PORT sets the port)"),
        ("local host", "must be an address or host name to listen on, such as 0.0.0.0 or ::"),
    ],
)
def test_a_host_run_cannot_listen_on_is_one_line(tmp_path, host, said):
    line = refusal(changebot("db", "upgrade", cwd=tmp_path, HOST=host))
    assert line == f"changebot: HOST: {said}"


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("ftp://trust.example", "must be an http:// or https:// address"),
        ("https://trust.example/changebot", "must be the address of a whole site, with no path"),
    ],
)
def test_a_public_url_the_pages_cannot_live_at_is_one_line(tmp_path, url, said):
    line = refusal(changebot("console", cwd=tmp_path, PUBLIC_URL=url))
    assert line.startswith("changebot: PUBLIC_URL: " + said), line


def test_http_mode_with_slack_unreachable_stops_with_one_line_before_gunicorn(tmp_path):
    unreachable = "http://127.0.0.1:9/api/"
    result = changebot(
        "run",
        cwd=tmp_path,
        SLACK_BOT_TOKEN="xoxb-1",
        SLACK_SIGNING_SECRET="secret",
        SLACK_API_URL=unreachable,
    )
    line = refusal(result)
    assert line.startswith(f"changebot: SLACK_API_URL: cannot reach Slack at {unreachable}: ")
    assert "Connection refused" in line


def test_socket_mode_with_an_app_token_slack_refuses_stops_with_one_line(tmp_path):
    with SlackStandIn(team_id="T1") as standin:  # it refuses apps.connections.open by default
        result = changebot(
            "run",
            cwd=tmp_path,
            SLACK_BOT_TOKEN="xoxb-1",
            SLACK_APP_TOKEN="xapp-1",
            SLACK_API_URL=standin.api_url,
        )
    said = "changebot: SLACK_APP_TOKEN: Slack refused it (not_allowed_token_type)"
    assert refusal(result) == said


def test_db_upgrade_says_which_revisions_it_applied_then_that_there_was_nothing(tmp_path):
    first = changebot("db", "upgrade", cwd=tmp_path)
    again = changebot("db", "upgrade", cwd=tmp_path)
    assert first.returncode == again.returncode == 0, first.stderr + again.stderr
    revisions = ", ".join(sorted(path.name[:4] for path in (MIGRATIONS / "versions").glob("0*.py")))
    assert first.stdout.startswith(f"Applied {revisions}: the database is up to date")
    assert again.stdout.startswith("Nothing to apply: the database was already up to date")


def upgrade_refusal(result: subprocess.CompletedProcess[str]) -> str:
    """The line a command that could not upgrade the database ended with, after Alembic's
    own INFO lines about the database it opened."""
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    *alembic, line = result.stderr.splitlines()
    assert all(" INFO alembic." in said for said in alembic), alembic
    return line


def _database_at(path: Path, revision: str) -> None:
    """A database left at `revision`, as a rollback to an older changebot finds it."""
    upgrade(f"sqlite:///{path}")
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (revision,))


def test_a_database_upgraded_by_a_newer_changebot_is_one_line_saying_what_to_do(tmp_path):
    _database_at(tmp_path / "changebot.db", "0099_from_the_future")
    for command in (("db", "upgrade"), ("forget", "U012AB3CD")):
        line = upgrade_refusal(changebot(*command, cwd=tmp_path))
        assert line == (
            f"changebot: cannot upgrade the database sqlite:///{tmp_path / 'changebot.db'}: "
            "it is at revision 0099_from_the_future, which this changebot does not have: a newer "
            "changebot upgraded it. Run that version again, or restore the backup taken before "
            "the upgrade"
        )


def test_plaintext_tokens_and_no_key_stop_db_upgrade_with_one_line_naming_the_key(tmp_path):
    database = tmp_path / "changebot.db"
    upgrade(f"sqlite:///{database}", "0002")
    with sqlite3.connect(database) as connection:
        connection.execute(
            "INSERT INTO installation (client_id, is_enterprise_install, team_id, bot_token,"
            " user_id, installed_at) VALUES ('1.2', 0, 'T1', 'xoxb-plain', 'U1', '2026-01-05')"
        )
    line = upgrade_refusal(changebot("db", "upgrade", cwd=tmp_path))
    assert line.startswith(f"changebot: cannot upgrade the database sqlite:///{database}: ")
    assert "set CHANGEBOT_ENCRYPTION_KEY" in line
    assert "xoxb-plain" not in line


def test_plain_changebot_prints_the_help_which_cites_no_spec(tmp_path):
    plain = changebot(cwd=tmp_path)
    helped = changebot("--help", cwd=tmp_path)
    assert plain.returncode == 0
    assert plain.stdout == helped.stdout
    assert "usage: changebot" in plain.stdout
    assert "{run,console,db,forget}" in plain.stdout
    assert "SPEC" not in plain.stdout
    assert "§" not in plain.stdout


def test_version(tmp_path):
    result = changebot("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == "changebot 0.1.0"


def test_db_without_its_subcommand_names_the_subcommand_it_wants(tmp_path):
    result = changebot("db", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "changebot db: error: the following arguments are required: {upgrade}"
    )


def test_python_dash_m_bot_cli_is_the_changebot_command(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--version"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stdout.strip()) == (0, "changebot 0.1.0")


def test_a_misspelt_setting_in_the_env_file_is_warned_of_by_name_with_the_one_meant(tmp_path):
    (tmp_path / ".env").write_text("SLACK_SIGNING_SECRT=not-read\nCHANGEBOT_TIMEZON=Europe/Paris\n")
    upgraded = changebot("db", "upgrade", cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    assert (
        "SLACK_SIGNING_SECRT is not a changebot setting, so it is ignored; "
        "did you mean SLACK_SIGNING_SECRET?"
    ) in upgraded.stderr
    assert "did you mean CHANGEBOT_TIMEZONE?" in upgraded.stderr
    assert "not-read" not in upgraded.stderr + upgraded.stdout


def test_only_names_that_look_meant_for_changebot_are_warned_of(tmp_path):
    environ = {
        "DATABSE_URL": "sqlite:///elsewhere.db",
        "SLACK_WEBHOOK_URL": "x",
        "PATH": "/bin",
        "HOSTNAME": "ward-pc",
        "port": "3000",
    }
    assert ignored_settings(environ, env_file=tmp_path / ".env") == [
        "DATABSE_URL is not a changebot setting, so it is ignored; did you mean DATABASE_URL?",
        "SLACK_WEBHOOK_URL is not a changebot setting, so it is ignored",
    ]
