"""Settings, read once from the environment and an optional `.env` file (SPEC §5).

Nothing else in changebot reads `os.environ`: the one `Settings` object is
passed into the app factory, the engine and the scheduler.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from enum import StrEnum
from ipaddress import IPv6Address
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from bot import zones
from storage.encryption import GENERATE_KEY, TokenCipher, parse_keys

EXAMPLE_DATABASE_URL = "postgresql+psycopg://USER:PASSWORD@HOST:5432/DATABASE"
# What `changebot run` reaches Slack with: some but not enough of them is a mistake.
_SLACK_CREDENTIALS = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
)
ENV_FILE = ".env"
# Variables with these prefixes are meant for changebot: one that is no setting is a slip.
_OWN_PREFIXES = ("SLACK_", "CHANGEBOT_")
# How like a setting's name another must be to be taken for a misspelling of it.
_MISSPELT = 0.85
# A server in a container listens on every interface.
ALL_INTERFACES = "0.0.0.0"  # noqa: S104
# Driver names that leave the PostgreSQL driver to SQLAlchemy's default, psycopg 2.
_PLAIN_POSTGRESQL = frozenset({"postgresql", "postgres"})
# What they are read as: psycopg 3, changebot's `postgres` extra.
_POSTGRESQL_DRIVER = "postgresql+psycopg"


class Mode(StrEnum):
    """How `changebot run` talks to Slack, decided by which credentials are set."""

    SOCKET = "socket"
    HTTP = "http"
    CONSOLE = "console"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=ENV_FILE, extra="ignore")

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_api_url: str = "https://slack.com/api/"
    database_url: str = "sqlite:///changebot.db"
    changebot_timezone: str = "Europe/London"
    # Encrypts OAuth tokens at rest: one Fernet key, or several comma-separated, newest first.
    changebot_encryption_key: str | None = None
    port: int = Field(default=3000, ge=1, le=65535)
    # The base URL people reach the public pages at (SPEC §7); http://localhost:PORT unless set.
    public_url: str | None = None
    # How many reverse proxies in front may be believed about the client's address
    # (X-Forwarded-For), for the public pages' rate limits; 0: none, the connection's own.
    changebot_trusted_proxies: int = Field(default=0, ge=0, le=10)
    # The address HTTP mode listens on; tests and the benchmarks use 127.0.0.1.
    host: str = ALL_INTERFACES
    # Request threads of HTTP mode: a slow client holds one for up to 2 s (bot/http_worker.py),
    # so there are enough for a few of those and Slack's requests at once.
    http_threads: int = Field(default=32, ge=1, le=64)
    # How long a sender's claim on a post lasts: after this, a post whose sender
    # died is taken over by another instance (and first looked for in Slack).
    outbox_lease_seconds: int = Field(default=60, ge=2, le=3600)
    # How long the instance running the scheduled jobs holds that role without
    # renewing it: another instance takes over this long after it dies.
    scheduler_lease_seconds: int = Field(default=30, ge=3, le=3600)

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_ends_with_slash(cls, value: str) -> str:
        # WebClient joins method names with urljoin: without the slash the
        # last path segment would be replaced, not extended (PLATFORM.md).
        return value if value.endswith("/") else value + "/"

    @field_validator("host")
    @classmethod
    def _listen_address(cls, value: str) -> str:
        """An address or host name to listen on, an IPv6 address without its brackets; blank
        is every interface, as it always was."""
        host = value.strip().removeprefix("[").removesuffix("]")
        if not host:
            return ALL_INTERFACES
        if any(char.isspace() or char in "/[]" for char in host):
            raise ValueError("must be an address or host name to listen on, such as 0.0.0.0 or ::")
        if ":" in host:
            try:
                IPv6Address(host)
            except ValueError as exc:
                raise ValueError("must be an address without a port (PORT sets the port)") from exc
        return host

    @property
    def bind(self) -> str:
        """Where `changebot run` listens, as gunicorn reads it: an IPv6 address in brackets."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    @field_validator("public_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        """An http(s) address with a host, kept without a trailing slash; blank is unset."""
        if not value or not value.strip():
            return None
        parsed = urlsplit(value.strip())
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(
                "must be an http:// or https:// address, such as https://changebot.example.org"
            )
        if parsed.query or parsed.fragment or parsed.path.strip("/"):
            # The pages link to each other from the root: behind a path they would break.
            raise ValueError(
                "must be the address of a whole site, with no path, ?query or #fragment"
            )
        return value.strip().rstrip("/")

    @property
    def public_base(self) -> str:
        """Where the links of the public pages start: `PUBLIC_URL`, or this machine's port."""
        return self.public_url or f"http://localhost:{self.port}"

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        """A URL SQLAlchemy can open, checked before anything connects (SPEC §5).

        `postgresql://` means psycopg 2 to SQLAlchemy, which changebot does not
        install: it is read as the psycopg 3 driver changebot ships with.
        """
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError(f"not a database URL (such as {EXAMPLE_DATABASE_URL})") from exc
        if url.drivername in _PLAIN_POSTGRESQL:
            url = url.set(drivername=_POSTGRESQL_DRIVER)
            value = url.render_as_string(hide_password=False)
        try:
            url.get_dialect().import_dbapi()
        except (NoSuchModuleError, ImportError) as exc:
            if url.drivername == _POSTGRESQL_DRIVER:
                raise ValueError(
                    "the PostgreSQL driver (psycopg) is not installed: in changebot's folder, "
                    "run pip install '.[postgres]'"
                ) from exc
            raise ValueError(
                f"changebot cannot open {url.drivername} databases "
                f"(use sqlite:/// or {EXAMPLE_DATABASE_URL})"
            ) from exc
        return value

    @field_validator("changebot_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        """A zone new projects can keep: one that exists, as a project's settings take it
        (any case), and not GMT or UTC, which they refuse."""
        zone = zones.zone_named(value)
        if not zones.valid_timezone(zone):
            raise ValueError(f"unknown time zone {value!r}")
        if zones.greenwich_time(zone):
            raise ValueError(f"{zone!r} {zones.NO_SUMMER_TIME}")
        return zone

    @field_validator("changebot_encryption_key")
    @classmethod
    def _fernet_keys(cls, value: str | None) -> str | None:
        # Blank is unset: OAuth then stops at start for want of a key (`missing_encryption_key`).
        keys = parse_keys(value)
        if keys:
            TokenCipher(keys)
        return value

    @property
    def encryption_keys(self) -> tuple[str, ...]:
        return parse_keys(self.changebot_encryption_key)

    def token_cipher(self) -> TokenCipher:
        """What the installation store encrypts tokens with; raises when no key is set."""
        return TokenCipher(self.encryption_keys)

    @property
    def oauth_enabled(self) -> bool:
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def mode(self) -> Mode:
        if self.slack_app_token and (self.slack_bot_token or self.oauth_enabled):
            return Mode.SOCKET
        if self.slack_signing_secret and (self.slack_bot_token or self.oauth_enabled):
            return Mode.HTTP
        return Mode.CONSOLE

    def missing_encryption_key(self) -> str | None:
        """Why OAuth cannot start without a key, or None when it can (or OAuth is off).

        Installations keep every workspace's tokens: they are never stored in
        plaintext, so there is no running without a key and fixing it later.
        """
        if not self.oauth_enabled or self.encryption_keys:
            return None
        return (
            "CHANGEBOT_ENCRYPTION_KEY is not set, and OAuth (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET) "
            f"stores workspaces' tokens encrypted with it; make a key with {GENERATE_KEY}"
        )

    def half_configured(self) -> str | None:
        """What is missing when some Slack credentials are set but not enough to connect.

        Such a service must not fall back to the console and look healthy: it stops. Nor
        may it run without OAuth, looking healthy, when half of OAuth's pair is set beside
        a bot token: installing it would fail.
        """
        given = [name for name in _SLACK_CREDENTIALS if getattr(self, name.lower())]
        if self.mode is not Mode.CONSOLE:
            return self._half_oauth()
        if not given:
            return None
        verb = "is" if len(given) == 1 else "are"
        needed = ", and ".join(self.missing_for_slack())
        return f"{' and '.join(given)} {verb} set, but changebot also needs {needed} to reach Slack"

    def _half_oauth(self) -> str | None:
        """One of OAuth's pair beside a working bot token: without the other, changebot
        would run in its one workspace and installing it in another would fail."""
        if bool(self.slack_client_id) == bool(self.slack_client_secret):
            return None
        given, needed = (
            ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")
            if self.slack_client_id
            else ("SLACK_CLIENT_SECRET", "SLACK_CLIENT_ID")
        )
        return (
            f"{given} is set, but OAuth also needs {needed} (or unset {given} to run in the "
            "bot token's workspace alone)"
        )

    def missing_for_slack(self) -> list[str]:
        """The variables a person still has to set before changebot can reach Slack."""
        missing = []
        if bool(self.slack_client_id) != bool(self.slack_client_secret):
            missing.append("SLACK_CLIENT_SECRET" if self.slack_client_id else "SLACK_CLIENT_ID")
        elif not (self.slack_bot_token or self.oauth_enabled):
            missing.append("SLACK_BOT_TOKEN (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET)")
        if not (self.slack_app_token or self.slack_signing_secret):
            missing.append("SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN (Socket Mode)")
        return missing


def ignored_settings(
    environ: Mapping[str, str] | None = None, env_file: Path = Path(ENV_FILE)
) -> list[str]:
    """A warning for each variable, in the environment or the `.env` file, that looks meant
    for changebot but is no setting of it (`DATABSE_URL`, `SLACK_SIGNING_SECRT`), which
    would otherwise be ignored without a word: a misspelt DATABASE_URL keeps the data in a
    local SQLite file instead."""
    names = set(os.environ if environ is None else environ)
    if env_file.is_file():
        names |= set(dotenv_values(env_file))
    known = [name.upper() for name in Settings.model_fields]
    warnings = []
    for name in sorted({name.upper() for name in names} - set(known)):
        near = difflib.get_close_matches(name, known, n=1, cutoff=_MISSPELT)
        if near or name.startswith(_OWN_PREFIXES):
            meant = f"; did you mean {near[0]}?" if near else ""
            warnings.append(f"{name} is not a changebot setting, so it is ignored{meant}")
    return warnings
