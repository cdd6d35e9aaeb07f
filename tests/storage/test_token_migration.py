"""Migration 0003 encrypts the tokens an earlier release stored in plaintext, on both databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from cryptography.fernet import Fernet
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from storage.migrate import UpgradeRefused, alembic_config, current_revision, upgrade

# The revision 0003 follows (the merge may re-chain it): the schema with plaintext tokens.
BEFORE = str(
    ScriptDirectory.from_config(alembic_config("sqlite://")).get_revision("0003").down_revision
)
KEY = Fernet.generate_key().decode()
# As long as a token the old VARCHAR(255) columns could hold: its ciphertext is longer.
LONGEST_BOT_TOKEN = "xoxb-" + "1" * 250
ALREADY_ENCRYPTED = Fernet(KEY).encrypt(b"xoxb-encrypted-by-a-newer-instance").decode()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A database as the release before encryption left it, with one plaintext and one
    encrypted installation."""
    upgrade(database_url, BEFORE)
    engine = create_engine(database_url, poolclass=NullPool)
    insert = text(
        "INSERT INTO installation (client_id, is_enterprise_install, team_id, bot_token,"
        " user_id, user_token, installed_at)"
        " VALUES ('1111.2222', false, :team, :bot, 'U0ALICE', :user, '2026-01-05 09:30:00')"
    )
    with engine.begin() as connection:
        connection.execute(insert, {"team": "T0OLD", "bot": LONGEST_BOT_TOKEN, "user": "xoxp-a"})
        connection.execute(insert, {"team": "T0NEW", "bot": ALREADY_ENCRYPTED, "user": None})
    yield engine
    engine.dispose()


def _stored(engine: Engine) -> dict[str, tuple[str | None, str | None]]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT team_id, bot_token, user_token FROM installation"))
        return {team: (bot, user) for team, bot, user in rows}


def test_plaintext_tokens_are_encrypted_and_encrypted_ones_left_alone(
    database_url: str, engine: Engine
) -> None:
    upgrade(database_url, encryption_keys=[KEY])

    stored = _stored(engine)
    old_bot, old_user = stored["T0OLD"]
    assert old_bot is not None
    assert old_user is not None
    assert LONGEST_BOT_TOKEN not in old_bot
    assert Fernet(KEY).decrypt(old_bot.encode()).decode() == LONGEST_BOT_TOKEN
    assert Fernet(KEY).decrypt(old_user.encode()).decode() == "xoxp-a"
    assert stored["T0NEW"] == (ALREADY_ENCRYPTED, None)


def test_plaintext_tokens_and_no_key_stop_the_upgrade_and_change_nothing(
    database_url: str, engine: Engine
) -> None:
    before = _stored(engine)

    with pytest.raises(UpgradeRefused, match=r"1 installations .* set CHANGEBOT_ENCRYPTION_KEY"):
        upgrade(database_url)

    assert current_revision(database_url) == BEFORE
    assert _stored(engine) == before


def test_downgrading_decrypts_the_tokens_again(database_url: str, engine: Engine) -> None:
    upgrade(database_url, encryption_keys=[KEY])
    config = alembic_config(database_url)
    config.attributes["encryption_keys"] = (KEY,)

    command.downgrade(config, BEFORE)

    assert _stored(engine) == {
        "T0OLD": (LONGEST_BOT_TOKEN, "xoxp-a"),
        "T0NEW": ("xoxb-encrypted-by-a-newer-instance", None),
    }
