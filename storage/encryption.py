"""Tokens at rest: Fernet encryption under a list of keys, newest first.

A database file or dump on its own gives nobody a workspace's bot token: the
key lives in the settings, not beside the data. Fernet is authenticated, so a
token altered in the database fails to decrypt rather than turning into
another. Several keys make rotation possible without downtime: put a new key
first, keep the old ones after it; new tokens are encrypted with the first,
and every key can still decrypt what it encrypted.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

# How to make a key, for every message that asks for one.
GENERATE_KEY = (
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)


class UnreadableToken(Exception):
    """A stored token that none of the keys decrypts: its key was taken out of the setting."""


def parse_keys(setting: str | None) -> tuple[str, ...]:
    """The keys of a comma-separated setting, newest first; blanks around commas are ignored."""
    return tuple(key.strip() for key in (setting or "").split(",") if key.strip())


class TokenCipher:
    """Encrypts with the first key and decrypts with any of them."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError(f"no key given; make one with {GENERATE_KEY}")
        fernets = [_fernet(key, number, len(keys)) for number, key in enumerate(keys, 1)]
        self._fernet = MultiFernet(fernets)

    def encrypt(self, token: str | None) -> str | None:
        """The token as stored; a missing token stays missing."""
        if token is None:
            return None
        return self._fernet.encrypt(token.encode()).decode()

    def decrypt(self, stored: str | None) -> str | None:
        if stored is None:
            return None
        try:
            return self._fernet.decrypt(stored.encode()).decode()
        except InvalidToken as exc:
            raise UnreadableToken(
                "a stored token cannot be decrypted with any of the keys: "
                "was the key that encrypted it removed from the setting?"
            ) from exc


def _fernet(key: str, number: int, count: int) -> Fernet:
    """The Fernet of one key; the error says which key is wrong, never what it is."""
    try:
        return Fernet(key)
    except ValueError as exc:
        raise ValueError(
            f"key {number} of {count} is not a Fernet key (32 url-safe base64-encoded bytes); "
            f"make one with {GENERATE_KEY}"
        ) from exc
