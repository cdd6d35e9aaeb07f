"""The feedback form's anti-forgery token: stateless, an HMAC over the link's token and a time.

Nothing is stored per visitor. The token in the hidden field says when the
form was handed out and is signed with a deployment-wide key (bot/services/
site_keys.py), so any instance on the database checks what another issued. A
token for one link is no good on another. A form older than `LIFETIME` is not
refused outright: a person may leave it open overnight, so the page shows it
again, as typed, with a fresh token.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from enum import StrEnum

LIFETIME = timedelta(days=1)
# A token issued a little "in the future" is another instance's clock, not a forgery.
CLOCK_SKEW = timedelta(minutes=5)


class Verdict(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    FORGED = "forged"


def issue(*, key: bytes, link_token: str, now: datetime) -> str:
    issued = str(int(now.timestamp()))
    return f"{issued}.{_signature(key, link_token, issued)}"


def check(*, key: bytes, link_token: str, token: str, now: datetime) -> Verdict:
    """Whether `token` is one we issued for this link, and still fresh; missing is forged."""
    issued, _, signature = token.partition(".")
    if not issued.isdigit() or len(issued) > 12:
        return Verdict.FORGED
    # Bytes, not text: compare_digest refuses text that is not ASCII, and a forger may send any.
    if not hmac.compare_digest(signature.encode(), _signature(key, link_token, issued).encode()):
        return Verdict.FORGED
    age = now - datetime.fromtimestamp(int(issued), tz=UTC)
    if age < -CLOCK_SKEW:
        return Verdict.FORGED
    return Verdict.EXPIRED if age > LIFETIME else Verdict.VALID


def _signature(key: bytes, link_token: str, issued: str) -> str:
    message = f"feedback-form:{link_token}:{issued}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
