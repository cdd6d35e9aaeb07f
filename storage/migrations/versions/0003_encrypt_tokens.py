"""Encrypt OAuth tokens at rest, and widen their columns to hold the ciphertext.

Tokens already encrypted are left alone, so a database holding both kinds
(an upgrade interrupted on SQLite, rows written by a newer instance) is safe
to upgrade. The keys come from `storage.migrate.upgrade(..., encryption_keys=)`
through `config.attributes`; with plaintext tokens and no key the upgrade
stops before changing anything and names the setting to give. Downgrading
decrypts the tokens again.

Like every migration this imports nothing from the application: it uses
`cryptography` directly, as storage/encryption.py does today.

Revision ID: 0003
Revises: 0001
Create Date: 2026-12-02
"""

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import context, op
from alembic.util import CommandError
from cryptography.fernet import Fernet, MultiFernet

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TOKENS = ("bot_token", "user_token")
_Row = sa.Row[Any]
# Every Fernet token starts with its version byte; a Slack token (`xox…`) never decodes to it.
_FERNET_VERSION = b"\x80"
_GENERATE_KEY = (
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)


def upgrade() -> None:
    rows = _rows_with(_is_plaintext)
    if rows:
        cipher = _cipher(f"{len(rows)} installations have plaintext tokens to encrypt")
    _set_token_type(sa.String(length=255), sa.Text())
    if rows:
        _rewrite(rows, _is_plaintext, lambda token: cipher.encrypt(token.encode()).decode())


def downgrade() -> None:
    rows = _rows_with(_is_encrypted)
    if rows:
        cipher = _cipher(f"{len(rows)} installations have encrypted tokens to decrypt")
        _rewrite(rows, _is_encrypted, lambda stored: cipher.decrypt(stored.encode()).decode())
    _set_token_type(sa.Text(), sa.String(length=255))


def _is_encrypted(value: str) -> bool:
    try:
        return base64.urlsafe_b64decode(value.encode()).startswith(_FERNET_VERSION)
    except (binascii.Error, ValueError):
        return False


def _is_plaintext(value: str) -> bool:
    return not _is_encrypted(value)


def _rows_with(kind: Callable[[str], bool]) -> list[_Row]:
    """The installations holding at least one token of `kind`."""
    query = sa.text(f"SELECT id, {', '.join(_TOKENS)} FROM installation")  # noqa: S608 - constants
    rows = op.get_bind().execute(query).all()
    return [row for row in rows if any(_is(kind, row._mapping[name]) for name in _TOKENS)]


def _is(kind: Callable[[str], bool], token: str | None) -> bool:
    """Whether `token` is there (not NULL, not empty) and of `kind`."""
    return bool(token) and kind(str(token))


def _cipher(reason: str) -> MultiFernet:
    keys = context.config.attributes.get("encryption_keys", ())
    if not keys:
        raise CommandError(
            f"{reason}, but no key was given: set CHANGEBOT_ENCRYPTION_KEY "
            f"(make one with {_GENERATE_KEY}) and upgrade again"
        )
    return MultiFernet([Fernet(key) for key in keys])


def _rewrite(
    rows: Sequence[_Row], kind: Callable[[str], bool], change: Callable[[str], str]
) -> None:
    """Store `change(token)` in place of each token of `kind`; other tokens stay as they are."""

    def rewritten(token: str | None) -> str | None:
        return change(token) if token and _is(kind, token) else token

    assignments = ", ".join(f"{name} = :{name}" for name in _TOKENS)
    update = sa.text(f"UPDATE installation SET {assignments} WHERE id = :id")  # noqa: S608
    values = [
        {"id": row.id} | {name: rewritten(row._mapping[name]) for name in _TOKENS} for row in rows
    ]
    op.get_bind().execute(update, values)


def _set_token_type(existing: sa.types.TypeEngine[str], new: sa.types.TypeEngine[str]) -> None:
    # Batch mode: SQLite cannot alter a column's type in place, so the table is copied.
    with op.batch_alter_table("installation") as batch:
        for name in _TOKENS:
            batch.alter_column(name, existing_type=existing, type_=new, existing_nullable=True)
