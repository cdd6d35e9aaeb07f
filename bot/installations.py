"""Where bot tokens come from: OAuth installations in our own tables, or one static token.

slack_sdk ships SQLAlchemy stores, but they keep their own `MetaData` and
create their tables with `create_all`, outside our migrations. These stores
implement the same interfaces on the `installation` and `oauth_state` tables
of storage/models.py instead, so Alembic owns every table.

One `installation` row records one OAuth completion: the workspace's bot
token and the installing person's user token side by side (slack_sdk keeps
bots in a second table). Rows are only added, never updated, and the latest
row for a workspace wins. Forgetting a token clears it; a row left with no
token at all is deleted. Tokens are stored encrypted (storage/encryption.py)
and decrypted only as they are handed to Bolt or the sender.
"""

from __future__ import annotations

import copy
import logging
import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from logging import Logger
from typing import Any

from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore
from sqlalchemy import ColumnElement, delete, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from bot.config import Settings
from storage.db import unit_of_work
from storage.encryption import TokenCipher
from storage.models import Installation as InstallationRow
from storage.models import OAuthState
from storage.types import utcnow

log = logging.getLogger(__name__)


class DatabaseInstallationStore(InstallationStore):
    """Bolt's installation store, one row per OAuth completion, for one Slack app."""

    def __init__(self, *, engine: Engine, client_id: str, cipher: TokenCipher) -> None:
        self._engine = engine
        # Several Slack apps (say staging and production) may share a database.
        self._client_id = client_id
        self._cipher = cipher
        self._session: Session | None = None

    @classmethod
    def for_settings(cls, settings: Settings, engine: Engine) -> DatabaseInstallationStore:
        """The store of the Slack app in `settings`, encrypting with its keys."""
        return cls(
            engine=engine, client_id=str(settings.slack_client_id), cipher=settings.token_cipher()
        )

    @property
    def logger(self) -> Logger:
        return log

    def save(self, installation: Installation) -> None:
        row = InstallationRow(
            client_id=self._client_id,
            app_id=installation.app_id,
            enterprise_id=installation.enterprise_id,
            team_id=installation.team_id,
            is_enterprise_install=installation.is_enterprise_install,
            bot_token=self._cipher.encrypt(installation.bot_token),
            bot_id=installation.bot_id,
            bot_user_id=installation.bot_user_id,
            bot_scopes=",".join(installation.bot_scopes or ()) or None,
            user_id=installation.user_id,
            user_token=self._cipher.encrypt(installation.user_token),
            installed_at=datetime.fromtimestamp(installation.installed_at, UTC),
        )
        with unit_of_work(self._engine) as session:
            session.add(row)

    def find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        team_id = _installed_team(team_id, is_enterprise_install)
        row = self._latest(enterprise_id, team_id, col(InstallationRow.bot_token).is_not(None))
        return None if row is None else _installation(row, bot=row, cipher=self._cipher).to_bot()

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """The latest installation (by `user_id` when given), with the latest bot token.

        A person's own installation may be older than the workspace's current
        bot token, or carry none: Bolt expects the current one with it
        (slack_sdk does the same, see bolt-python#664).
        """
        team_id = _installed_team(team_id, is_enterprise_install)
        by_user = [] if user_id is None else [col(InstallationRow.user_id) == user_id]
        row = self._latest(enterprise_id, team_id, *by_user)
        if row is None:
            return None
        bot = row
        if user_id is not None or row.bot_token is None:
            has_bot = col(InstallationRow.bot_token).is_not(None)
            bot = self._latest(enterprise_id, team_id, has_bot) or row
        return _installation(row, bot=bot, cipher=self._cipher)

    def within(self, session: Session) -> DatabaseInstallationStore:
        """This store, writing in `session`'s transaction instead of one of its own: an
        event that forgets tokens does so in the transaction that records the event."""
        bound = copy.copy(self)
        bound._session = session
        return bound

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        if self._session is not None:
            yield self._session
            return
        with unit_of_work(self._engine) as session:
            yield session

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget the workspace's bot token (Slack revoked it); user tokens stay."""
        self._forget(
            enterprise_id, team_id, bot_token=None, bot_id=None, bot_user_id=None, bot_scopes=None
        )

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        """Forget user tokens (one person's when `user_id` is given).

        The bot token in the same rows stays: a person revoking their own
        token must not disconnect the bot from the whole workspace.
        """
        by_user = [] if user_id is None else [col(InstallationRow.user_id) == user_id]
        self._forget(enterprise_id, team_id, *by_user, user_token=None)

    def delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget the workspace entirely, as when the app is uninstalled."""
        with self._writing() as session:
            session.exec(delete(InstallationRow).where(*self._workspace(enterprise_id, team_id)))

    def _workspace(
        self, enterprise_id: str | None, team_id: str | None
    ) -> list[ColumnElement[bool]]:
        # `== None` renders as IS NULL: an org-wide install has no team, a
        # workspace outside Enterprise Grid no enterprise.
        return [
            col(InstallationRow.client_id) == self._client_id,
            col(InstallationRow.enterprise_id) == enterprise_id,
            col(InstallationRow.team_id) == team_id,
        ]

    def bot_token_of_team(self, team_id: str) -> str | None:
        """The workspace's current bot token, whether or not it belongs to an Enterprise org.

        Team ids are unique across Slack, so the outbox, which knows only the
        team, needs no enterprise id to find a Grid workspace's token.
        """
        statement = (
            select(InstallationRow.bot_token)
            .where(
                col(InstallationRow.client_id) == self._client_id,
                col(InstallationRow.team_id) == team_id,
                col(InstallationRow.bot_token).is_not(None),
            )
            .order_by(col(InstallationRow.installed_at).desc(), col(InstallationRow.id).desc())
            .limit(1)
        )
        with Session(self._engine) as session:
            return self._cipher.decrypt(session.exec(statement).first())

    def _latest(
        self, enterprise_id: str | None, team_id: str | None, *conditions: ColumnElement[bool]
    ) -> InstallationRow | None:
        statement = (
            select(InstallationRow)
            .where(*self._workspace(enterprise_id, team_id), *conditions)
            # The id breaks ties between rows saved with the same `installed_at`.
            .order_by(col(InstallationRow.installed_at).desc(), col(InstallationRow.id).desc())
            .limit(1)
        )
        with Session(self._engine) as session:
            return session.exec(statement).first()

    def _forget(
        self,
        enterprise_id: str | None,
        team_id: str | None,
        *conditions: ColumnElement[bool],
        **cleared: None,
    ) -> None:
        matching = [*self._workspace(enterprise_id, team_id), *conditions]
        tokenless = [
            col(InstallationRow.bot_token).is_(None),
            col(InstallationRow.user_token).is_(None),
        ]
        with self._writing() as session:
            session.exec(update(InstallationRow).where(*matching).values(**cleared))
            session.exec(delete(InstallationRow).where(*matching, *tokenless))


def _installed_team(team_id: str | None, is_enterprise_install: bool | None) -> str | None:
    """An org-wide install is stored without a team: every workspace of the org finds it."""
    return None if is_enterprise_install else team_id


def _installation(
    row: InstallationRow, *, bot: InstallationRow, cipher: TokenCipher
) -> Installation:
    return Installation(
        app_id=row.app_id,
        enterprise_id=row.enterprise_id,
        team_id=row.team_id,
        is_enterprise_install=row.is_enterprise_install,
        bot_token=cipher.decrypt(bot.bot_token),
        bot_id=bot.bot_id,
        bot_user_id=bot.bot_user_id,
        bot_scopes=bot.bot_scopes or "",
        user_id=row.user_id,
        user_token=cipher.decrypt(row.user_token),
        installed_at=row.installed_at,
    )


# Live OAuth states kept at most. Anyone may open the install page, and each
# visit stores a state: past this many, the oldest are dropped (a person whose
# state went simply starts the install again).
MAX_LIVE_STATES = 1000


class DatabaseOAuthStateStore(OAuthStateStore):
    """One-shot OAuth `state` values: each proves one redirect started at our install page."""

    def __init__(
        self,
        *,
        engine: Engine,
        expiration_seconds: int = 600,
        clock: Callable[[], datetime] = utcnow,
        max_live_states: int = MAX_LIVE_STATES,
    ) -> None:
        self._engine = engine
        self._lifetime = timedelta(seconds=expiration_seconds)
        self._clock = clock
        self._max_live = max_live_states

    @property
    def logger(self) -> Logger:
        return log

    def issue(self, *args: Any, **kwargs: Any) -> str:
        """A new state value; expired ones, and the oldest beyond the bound, go on the way.

        People who open the install page and never finish leave their state
        behind, and the page needs no sign-in: without the clean-up and the
        bound the table would grow with every visit.
        """
        state = secrets.token_urlsafe(32)
        now = self._clock()
        with unit_of_work(self._engine) as session:
            session.exec(delete(OAuthState).where(col(OAuthState.expires_at) <= now))
            session.add(OAuthState(state=state, expires_at=now + self._lifetime))
            session.flush()
            session.exec(delete(OAuthState).where(col(OAuthState.state).in_(self._beyond_bound())))
        return state

    def _beyond_bound(self) -> SelectOfScalar[str]:
        """The states older than the newest `max_live_states`."""
        newest_first = (col(OAuthState.expires_at).desc(), col(OAuthState.state))
        return select(OAuthState.state).order_by(*newest_first).offset(self._max_live)

    def consume(self, state: str) -> bool:
        """True once for a state we issued and that has not expired, then never again.

        A single DELETE decides: of two redirects racing with the same state,
        only the one whose DELETE removed the row is accepted.
        """
        statement = delete(OAuthState).where(
            col(OAuthState.state) == state, col(OAuthState.expires_at) > self._clock()
        )
        with unit_of_work(self._engine) as session:
            consumed = session.exec(statement).rowcount == 1
        return consumed


# The reasons the OAuth redirect's failure page may name: Bolt's own, and Slack's when the
# person cancels. A reason can come from the address (`?error=`), which anyone can write, so
# any other is named `unknown_error`: no one's words on a page at our address.
PAGE_REASONS = frozenset(
    (
        "access_denied",
        "invalid_browser",
        "invalid_state",
        "missing_code",
        "invalid_code",
        "storage_error",
    )
)
UNKNOWN_REASON = "unknown_error"
# How Slack writes an error code; the log names a reason only when it is written so.
_ERROR_CODE = re.compile(r"[a-z0-9_]{1,64}")


def oauth_pages() -> CallbackOptions:
    """Bolt's pages at the end of an install, the failure page naming only known reasons."""
    return CallbackOptions(success=_installed, failure=_not_installed)


def _installed(args: SuccessArgs) -> BoltResponse:
    return args.default.success(args)


def _not_installed(args: FailureArgs) -> BoltResponse:
    code = args.reason if _ERROR_CODE.fullmatch(args.reason) else "not an error code"
    log.warning("an OAuth install did not complete: %s", code)
    shown = copy.copy(args)
    shown.reason = args.reason if args.reason in PAGE_REASONS else UNKNOWN_REASON
    return args.default.failure(shown)


class InstalledTokens:
    """The sender's bot tokens in multi-workspace mode: each workspace's own installation."""

    def __init__(self, store: DatabaseInstallationStore) -> None:
        self._store = store

    def bot_token(self, team_id: str) -> str | None:
        return self._store.bot_token_of_team(team_id)


class StaticToken:
    """The sender's bot token in single-workspace mode: the one in the settings."""

    def __init__(self, token: str) -> None:
        self._token = token

    def bot_token(self, team_id: str) -> str | None:
        return self._token
