"""OAuth installations and state values, on a migrated SQLite and PostgreSQL database."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.installations import (
    DatabaseInstallationStore,
    DatabaseOAuthStateStore,
    InstalledTokens,
    StaticToken,
)
from storage.db import make_engine
from storage.encryption import TokenCipher, UnreadableToken
from storage.migrate import upgrade
from storage.models import OAuthState

INSTALLED = datetime(2026, 1, 5, 9, 30, 15, 250000, tzinfo=UTC)
OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()


class _Clock:
    """A clock the test moves by hand, so that expiry needs no sleeping."""

    def __init__(self) -> None:
        self.now = INSTALLED

    def __call__(self) -> datetime:
        return self.now


def _store(engine: Engine, *keys: str, client_id: str = "1111.2222") -> DatabaseInstallationStore:
    return DatabaseInstallationStore(engine=engine, client_id=client_id, cipher=TokenCipher(keys))


@pytest.fixture
def store(migrated_engine: Engine) -> DatabaseInstallationStore:
    return _store(migrated_engine, OLD_KEY)


def _installation(**overrides: Any) -> Installation:
    values: dict[str, Any] = {
        "app_id": "A0APP",
        "team_id": "T0TEAM",
        "bot_token": "xoxb-first",
        "bot_id": "B0BOT",
        "bot_user_id": "U0BOT",
        "bot_scopes": ["chat:write", "commands"],
        "user_id": "U0ALICE",
        "installed_at": INSTALLED,
    }
    return Installation(**(values | overrides))


def test_a_saved_installation_is_found_with_its_tokens_scopes_and_bot_ids(
    store: DatabaseInstallationStore,
) -> None:
    store.save(_installation(user_token="xoxp-alice"))

    found = store.find_installation(enterprise_id=None, team_id="T0TEAM")
    bot = store.find_bot(enterprise_id=None, team_id="T0TEAM")

    assert found is not None
    assert (found.app_id, found.team_id, found.enterprise_id) == ("A0APP", "T0TEAM", None)
    assert (found.bot_token, found.bot_id, found.bot_user_id) == ("xoxb-first", "B0BOT", "U0BOT")
    assert found.bot_scopes == ["chat:write", "commands"]
    assert (found.user_id, found.user_token) == ("U0ALICE", "xoxp-alice")
    assert found.is_enterprise_install is False
    assert found.installed_at == INSTALLED.timestamp()
    assert bot is not None
    assert (bot.bot_token, bot.bot_id, bot.bot_user_id) == ("xoxb-first", "B0BOT", "U0BOT")
    assert bot.bot_scopes == ["chat:write", "commands"]
    assert (bot.app_id, bot.team_id, bot.installed_at) == ("A0APP", "T0TEAM", INSTALLED.timestamp())


def test_nothing_is_found_for_a_workspace_that_never_installed(
    store: DatabaseInstallationStore,
) -> None:
    store.save(_installation())

    assert store.find_bot(enterprise_id=None, team_id="T0OTHER") is None
    assert store.find_installation(enterprise_id=None, team_id="T0OTHER") is None


def test_the_latest_installation_wins(store: DatabaseInstallationStore) -> None:
    later = INSTALLED + timedelta(days=1)
    store.save(_installation(bot_token="xoxb-second", installed_at=later))
    store.save(_installation(bot_token="xoxb-first"))

    bot = store.find_bot(enterprise_id=None, team_id="T0TEAM")
    found = store.find_installation(enterprise_id=None, team_id="T0TEAM")

    assert bot is not None
    assert bot.bot_token == "xoxb-second"
    assert found is not None
    assert found.bot_token == "xoxb-second"


def test_of_two_saves_at_the_same_moment_the_later_one_wins(
    store: DatabaseInstallationStore,
) -> None:
    store.save(_installation(bot_token="xoxb-first"))
    store.save(_installation(bot_token="xoxb-refreshed"))

    bot = store.find_bot(enterprise_id=None, team_id="T0TEAM")

    assert bot is not None
    assert bot.bot_token == "xoxb-refreshed"


def test_an_org_wide_install_is_found_from_any_workspace_of_the_org(
    store: DatabaseInstallationStore,
) -> None:
    store.save(_installation(enterprise_id="E0ORG", team_id=None, is_enterprise_install=True))

    bot = store.find_bot(enterprise_id="E0ORG", team_id="T0ANY", is_enterprise_install=True)
    found = store.find_installation(
        enterprise_id="E0ORG", team_id="T0ANY", is_enterprise_install=True
    )

    assert bot is not None
    assert bot.bot_token == "xoxb-first"
    assert bot.is_enterprise_install is True
    assert found is not None
    assert (found.enterprise_id, found.team_id) == ("E0ORG", None)
    assert found.is_enterprise_install is True
    # A workspace-level lookup does not stumble on the org's install.
    assert store.find_bot(enterprise_id="E0ORG", team_id="T0ANY") is None


def test_a_workspace_of_an_enterprise_is_found_with_its_enterprise_id(
    store: DatabaseInstallationStore,
) -> None:
    store.save(_installation(enterprise_id="E0ORG"))

    bot = store.find_bot(enterprise_id="E0ORG", team_id="T0TEAM")

    assert bot is not None
    assert (bot.enterprise_id, bot.team_id) == ("E0ORG", "T0TEAM")
    assert store.find_bot(enterprise_id=None, team_id="T0TEAM") is None


def test_a_users_installation_comes_with_the_workspaces_latest_bot_token(
    store: DatabaseInstallationStore,
) -> None:
    store.save(_installation(user_id="U0ALICE", user_token="xoxp-alice"))
    store.save(
        _installation(
            user_id="U0BOB",
            user_token="xoxp-bob",
            bot_token="xoxb-second",
            installed_at=INSTALLED + timedelta(hours=1),
        )
    )

    alice = store.find_installation(enterprise_id=None, team_id="T0TEAM", user_id="U0ALICE")
    latest = store.find_installation(enterprise_id=None, team_id="T0TEAM")

    assert alice is not None
    assert (alice.user_id, alice.user_token, alice.bot_token) == (
        "U0ALICE",
        "xoxp-alice",
        "xoxb-second",
    )
    assert latest is not None
    assert (latest.user_id, latest.user_token) == ("U0BOB", "xoxp-bob")
    assert store.find_installation(enterprise_id=None, team_id="T0TEAM", user_id="U0CAROL") is None


def test_a_user_only_installation_borrows_the_workspaces_bot_token(
    store: DatabaseInstallationStore,
) -> None:
    store.save(_installation())
    store.save(
        _installation(
            user_id="U0BOB",
            user_token="xoxp-bob",
            bot_token=None,
            bot_id=None,
            bot_user_id=None,
            bot_scopes="",
            installed_at=INSTALLED + timedelta(hours=1),
        )
    )

    latest = store.find_installation(enterprise_id=None, team_id="T0TEAM")

    assert latest is not None
    assert (latest.user_id, latest.user_token, latest.bot_token) == (
        "U0BOB",
        "xoxp-bob",
        "xoxb-first",
    )
    assert latest.bot_scopes == ["chat:write", "commands"]


def test_deleting_a_users_installation_keeps_the_workspaces_bot(
    store: DatabaseInstallationStore,
) -> None:
    store.save(_installation(user_id="U0ALICE", user_token="xoxp-alice"))
    user_only = {"bot_token": None, "bot_id": None, "bot_user_id": None, "bot_scopes": ""}
    store.save(_installation(user_id="U0BOB", user_token="xoxp-bob", **user_only))

    store.delete_installation(enterprise_id=None, team_id="T0TEAM", user_id="U0BOB")
    store.delete_installation(enterprise_id=None, team_id="T0TEAM", user_id="U0ALICE")

    alice = store.find_installation(enterprise_id=None, team_id="T0TEAM", user_id="U0ALICE")
    bot = store.find_bot(enterprise_id=None, team_id="T0TEAM")
    assert store.find_installation(enterprise_id=None, team_id="T0TEAM", user_id="U0BOB") is None
    assert alice is not None
    assert (alice.user_token, alice.bot_token) == (None, "xoxb-first")
    assert bot is not None
    assert bot.bot_token == "xoxb-first"


def test_deleting_the_bot_keeps_user_tokens(store: DatabaseInstallationStore) -> None:
    store.save(_installation(user_token="xoxp-alice"))

    store.delete_bot(enterprise_id=None, team_id="T0TEAM")

    found = store.find_installation(enterprise_id=None, team_id="T0TEAM")
    assert store.find_bot(enterprise_id=None, team_id="T0TEAM") is None
    assert found is not None
    assert (found.bot_token, found.bot_scopes, found.user_token) == (None, [], "xoxp-alice")


def test_delete_all_forgets_one_workspace_only(store: DatabaseInstallationStore) -> None:
    store.save(_installation(user_token="xoxp-alice"))
    store.save(_installation(user_id="U0BOB", installed_at=INSTALLED + timedelta(hours=1)))
    store.save(_installation(team_id="T0OTHER", bot_token="xoxb-other"))

    store.delete_all(enterprise_id=None, team_id="T0TEAM")

    assert store.find_installation(enterprise_id=None, team_id="T0TEAM") is None
    assert store.find_installation(enterprise_id=None, team_id="T0TEAM", user_id="U0ALICE") is None
    assert store.find_bot(enterprise_id=None, team_id="T0TEAM") is None
    assert store.find_bot(enterprise_id=None, team_id="T0OTHER") is not None


def test_another_apps_installations_are_invisible(
    store: DatabaseInstallationStore, migrated_engine: Engine
) -> None:
    staging = _store(migrated_engine, OLD_KEY, client_id="3333.4444")
    staging.save(_installation(bot_token="xoxb-staging"))

    assert store.find_bot(enterprise_id=None, team_id="T0TEAM") is None
    store.delete_all(enterprise_id=None, team_id="T0TEAM")
    assert staging.find_bot(enterprise_id=None, team_id="T0TEAM") is not None


def test_tokens_are_unreadable_in_the_database_file_and_come_back_decrypted(
    sqlite_url: str, tmp_path: Path
) -> None:
    upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    try:
        store = _store(engine, OLD_KEY)
        store.save(_installation(bot_token="xoxb-1234-secret-bot", user_token="xoxp-5678-alice"))
        found = store.find_installation(enterprise_id=None, team_id="T0TEAM")
        sent_with = InstalledTokens(store).bot_token("T0TEAM")
    finally:
        engine.dispose()

    # The main file and whatever WAL or journal SQLite left beside it.
    on_disk = b"".join(path.read_bytes() for path in tmp_path.glob("changebot.db*"))
    assert b"U0ALICE" in on_disk  # the row is there, in the clear where nothing is secret
    assert b"xoxb-1234-secret-bot" not in on_disk
    assert b"xoxp-5678-alice" not in on_disk
    assert found is not None
    assert (found.bot_token, found.user_token) == ("xoxb-1234-secret-bot", "xoxp-5678-alice")
    assert sent_with == "xoxb-1234-secret-bot"


def test_a_new_key_first_still_reads_tokens_saved_under_the_old_and_saves_under_the_new(
    migrated_engine: Engine,
) -> None:
    _store(migrated_engine, OLD_KEY).save(_installation(bot_token="xoxb-saved-before"))
    rotated = _store(migrated_engine, NEW_KEY, OLD_KEY)

    found = rotated.find_bot(enterprise_id=None, team_id="T0TEAM")
    rotated.save(_installation(team_id="T0LATER", bot_token="xoxb-saved-after"))

    assert found is not None
    assert found.bot_token == "xoxb-saved-before"
    assert InstalledTokens(_store(migrated_engine, NEW_KEY)).bot_token("T0LATER") == (
        "xoxb-saved-after"
    )
    with pytest.raises(UnreadableToken):
        _store(migrated_engine, OLD_KEY).find_bot(enterprise_id=None, team_id="T0LATER")


def test_a_state_is_accepted_once(migrated_engine: Engine) -> None:
    states = DatabaseOAuthStateStore(engine=migrated_engine)

    state = states.issue()

    assert states.consume(state) is True
    assert states.consume(state) is False


def test_a_state_never_issued_is_refused(migrated_engine: Engine) -> None:
    assert DatabaseOAuthStateStore(engine=migrated_engine).consume("made-up") is False


def test_an_expired_state_is_refused(migrated_engine: Engine) -> None:
    clock = _Clock()
    states = DatabaseOAuthStateStore(engine=migrated_engine, expiration_seconds=600, clock=clock)
    fresh, stale = states.issue(), states.issue()

    clock.now += timedelta(seconds=599)
    assert states.consume(fresh) is True
    clock.now += timedelta(seconds=1)
    assert states.consume(stale) is False


def test_issuing_clears_out_expired_states(migrated_engine: Engine) -> None:
    clock = _Clock()
    states = DatabaseOAuthStateStore(engine=migrated_engine, clock=clock)
    states.issue()
    clock.now += timedelta(seconds=600)

    latest = states.issue()

    with Session(migrated_engine) as session:
        remaining = session.exec(select(OAuthState.state)).all()
    assert remaining == [latest]


def test_issuing_keeps_at_most_the_bound_of_live_states_dropping_the_oldest(
    migrated_engine: Engine,
) -> None:
    clock = _Clock()
    states = DatabaseOAuthStateStore(engine=migrated_engine, clock=clock, max_live_states=3)
    issued = []
    for _ in range(5):
        issued.append(states.issue())
        clock.now += timedelta(seconds=1)

    with Session(migrated_engine) as session:
        assert session.exec(select(func.count()).select_from(OAuthState)).one() == 3
    assert [states.consume(state) for state in issued] == [False, False, True, True, True]


def test_of_two_concurrent_consumers_exactly_one_succeeds(migrated_engine: Engine) -> None:
    states = DatabaseOAuthStateStore(engine=migrated_engine)
    issued = [states.issue() for _ in range(10)]
    start = threading.Barrier(2)

    def consume(state: str) -> bool:
        start.wait(timeout=10)
        return states.consume(state)

    with ThreadPoolExecutor(max_workers=2) as pool:
        for state in issued:
            first, second = pool.submit(consume, state), pool.submit(consume, state)
            assert sorted([first.result(), second.result()]) == [False, True]
    with Session(migrated_engine) as session:
        assert session.exec(select(func.count()).select_from(OAuthState)).one() == 0


def test_installed_tokens_gives_each_workspace_its_bot_token(
    store: DatabaseInstallationStore,
) -> None:
    store.save(_installation())
    tokens = InstalledTokens(store)

    assert tokens.bot_token("T0TEAM") == "xoxb-first"
    assert tokens.bot_token("T0UNKNOWN") is None


def test_the_sender_finds_the_token_of_a_workspace_in_an_enterprise_org(
    store: DatabaseInstallationStore,
) -> None:
    store.save(_installation(enterprise_id="E0ORG"))

    assert InstalledTokens(store).bot_token("T0TEAM") == "xoxb-first"


def test_a_static_token_serves_every_workspace() -> None:
    assert StaticToken("xoxb-single").bot_token("T0ANY") == "xoxb-single"
