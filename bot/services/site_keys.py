"""Secrets a deployment makes for itself, once, in its database.

Every instance on the database reads the same key, so that an anti-forgery
token signed by one instance is accepted by another, and one address hashes
to the same rate-limit bucket wherever its requests land.
"""

from __future__ import annotations

import secrets

from sqlmodel import Session

from storage.db import insert_new
from storage.models import SiteKey

KEY_BYTES = 32


def site_key(*, session: Session, name: str) -> bytes:
    """The key called `name`, made on first use; the first instance to make it wins."""
    row = session.get(SiteKey, name)
    if row is None:
        made = {"name": name, "value": secrets.token_hex(KEY_BYTES)}
        insert_new(session, SiteKey, made, unique=["name"])
        row = session.get(SiteKey, name)
    if row is None:
        raise RuntimeError(f"site key {name!r} was neither found nor made")
    return bytes.fromhex(row.value)
