"""The only code that posts to channels: the outbox and its sender.

Anything the team must see is first written as an outbox row with a
deterministic key, in the same transaction as the change that caused it
(`enqueue`). The sender then claims due rows with a short lease, posts them,
and records the message `ts`. The unique key makes a retried command or a
second instance unable to write a second row; the lease makes two senders
unable to post the same row at once. Together: fast acks, nothing lost,
nothing posted twice.

Failures are sorted into three kinds:
- rate limits (HTTP 429): the channel waits `Retry-After` seconds, the row stays due;
- transient (5xx, network, Slack's internal errors): retried with growing backoff, forever;
- permanent (`channel_not_found`, `is_archived`, bad auth, refused blocks): the row
  is kept as `failed` with its error, and `on_unreachable` hears about lost channels.
"""

from __future__ import annotations

import base64
import json
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from bot.views.message import Message, Upload
from storage.db import unit_of_work
from storage.models import OutboxMessage, OutboxStatus
from storage.types import utcnow

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

OUTBOX_WRITTEN = "changebot.outbox_written"
TRANSIENT_ERRORS = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}
)
UNREACHABLE_ERRORS = frozenset({"not_in_channel", "channel_not_found", "is_archived"})
AUTH_ERRORS = frozenset({"invalid_auth", "token_revoked", "account_inactive", "not_authed"})
MAX_BACKOFF_SECONDS = 600


def enqueue(
    session: Session,
    *,
    key: str,
    team_id: str,
    channel_id: str,
    message: Message | Upload,
    reply_to_ts: str | None = None,
    thread_key: str | None = None,
    update_key: str | None = None,
) -> bool:
    """Write a message or a file to the outbox; False when a row with this key already exists."""
    exists = session.exec(select(OutboxMessage.id).where(OutboxMessage.key == key)).first()
    if exists is not None:
        return False
    row = OutboxMessage(
        key=key,
        team_id=team_id,
        channel_id=channel_id,
        payload=json.dumps(message.payload()),
        thread_ts=reply_to_ts,
        thread_key=thread_key,
        update_key=update_key,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    session.info[OUTBOX_WRITTEN] = True
    return True


class TokenSource(Protocol):
    def bot_token(self, team_id: str) -> str | None: ...


@dataclass(frozen=True)
class Unreachable:
    """A channel Slack says changebot can no longer post to."""

    team_id: str
    channel_id: str
    error: str


class _Deferred(Exception):
    """The row cannot go yet (its thread's parent is not posted); try again shortly."""


class Sender:
    """Delivers due outbox rows on a background thread; `deliver_due` is one pass."""

    def __init__(
        self,
        *,
        engine: Engine,
        tokens: TokenSource,
        api_url: str,
        instance_id: str,
        clock: Clock = utcnow,
        poll_interval: float = 1.0,
        lease: timedelta = timedelta(seconds=60),
        batch: int = 50,
        on_unreachable: Callable[[Unreachable], None] | None = None,
    ) -> None:
        self._engine = engine
        self._tokens = tokens
        self._api_url = api_url
        self._instance_id = instance_id
        self._clock = clock
        self._poll_interval = poll_interval
        self._lease = lease
        self._batch = batch
        self._on_unreachable = on_unreachable
        self._clients: dict[str, WebClient] = {}
        self._channel_wait: dict[str, datetime] = {}
        self._wakeup = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="outbox-sender", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 20.0) -> None:
        """Finish the post under way, record it, and stop."""
        self._stopping.set()
        self._wakeup.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self) -> None:
        self._wakeup.set()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                delivered = self.deliver_due()
            except Exception:
                log.exception("outbox pass failed; trying again shortly")
                delivered = 0
            if delivered < self._batch:
                self._wakeup.wait(self._poll_interval)
                self._wakeup.clear()

    def deliver_due(self) -> int:
        """Claim and post every due row this pass can; returns how many were handled.

        A channel told to wait (429) is skipped for the rest of the pass, so
        its later rows neither hit the limit again nor overtake the earlier one.
        """
        handled = 0
        for row_id, channel in self._due_rows():
            if self._stopping.is_set() and self._thread is not None:
                break
            if self._channel_wait.get(channel, self._clock()) > self._clock():
                continue
            row = self._claim(row_id)
            if row is not None:
                self._deliver(row)
                handled += 1
        return handled

    def _due_rows(self) -> list[tuple[int, str]]:
        now = self._clock()
        query = (
            select(OutboxMessage.id, OutboxMessage.channel_id)
            .where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.next_attempt_at <= now,
                _unclaimed(now),
            )
            .order_by(col(OutboxMessage.id))
            .limit(self._batch)
        )
        with Session(self._engine) as session:
            rows = session.exec(query).all()
        return [(row_id, channel) for row_id, channel in rows if row_id is not None]

    def _claim(self, row_id: int) -> OutboxMessage | None:
        now = self._clock()
        claim = (
            update(OutboxMessage)
            .where(
                col(OutboxMessage.id) == row_id,
                col(OutboxMessage.status) == OutboxStatus.PENDING,
                _unclaimed(now),
            )
            .values(
                claimed_by=self._instance_id,
                claimed_until=now + self._lease,
                attempts=OutboxMessage.attempts + 1,
            )
        )
        with unit_of_work(self._engine) as session:
            if session.exec(claim).rowcount != 1:
                return None
            return session.get(OutboxMessage, row_id)

    def _deliver(self, row: OutboxMessage) -> None:
        token = self._tokens.bot_token(row.team_id)
        if token is None:
            self._record_failed(row, "no_installation")
            return
        try:
            channel, ts = self._post(self._client(token), row)
        except _Deferred:
            self._release(row, retry_in=1.0, count_attempt=False)
        except SlackApiError as exc:
            self._handle_slack_error(row, exc)
        except OSError as exc:
            log.warning("outbox %s: network error %s; will retry", row.key, exc)
            self._release(row, retry_in=self._backoff(row.attempts), error=type(exc).__name__)
        else:
            self._record_sent(row, channel, ts)

    def _post(self, client: WebClient, row: OutboxMessage) -> tuple[str, str]:
        payload: dict[str, Any] = json.loads(row.payload)
        if row.update_key is not None:
            target = self._posted(row.update_key)
            channel, ts = str(target.posted_channel_id), str(target.message_ts)
            client.chat_update(channel=channel, ts=ts, **payload)
            return channel, ts
        channel = row.channel_id
        if channel[:1] in ("U", "W"):
            channel = client.conversations_open(users=channel)["channel"]["id"]
        thread_ts = self._posted(row.thread_key).message_ts if row.thread_key else row.thread_ts
        if "file" in payload:
            return channel, _upload(client, channel, thread_ts, payload)
        response = client.chat_postMessage(
            channel=channel, thread_ts=thread_ts, unfurl_links=False, unfurl_media=False, **payload
        )
        return response["channel"], response["ts"]

    def _posted(self, key: str) -> OutboxMessage:
        with Session(self._engine) as session:
            target = session.exec(select(OutboxMessage).where(OutboxMessage.key == key)).first()
        if target is None or target.message_ts is None:
            raise _Deferred(key)
        return target

    def _client(self, token: str) -> WebClient:
        if token not in self._clients:
            self._clients[token] = WebClient(token=token, base_url=self._api_url, timeout=10)
        return self._clients[token]

    def _handle_slack_error(self, row: OutboxMessage, exc: SlackApiError) -> None:
        status = exc.response.status_code
        error = str(exc.response.get("error") or f"http_{status}")
        if status == 429:
            wait = _retry_after(exc)
            self._channel_wait[row.channel_id] = self._clock() + timedelta(seconds=wait)
            self._release(row, retry_in=wait, error=error)
        elif error == "not_in_channel" and row.attempts == 1 and self._join(row):
            self._release(row, retry_in=0, error=error)
        elif status >= 500 or error in TRANSIENT_ERRORS:
            log.warning("outbox %s: Slack answered %s; will retry", row.key, error)
            self._release(row, retry_in=self._backoff(row.attempts), error=error)
        else:
            self._record_failed(row, error)

    def _join(self, row: OutboxMessage) -> bool:
        """Join a public channel the bot was not invited to; private ones need an invitation."""
        token = self._tokens.bot_token(row.team_id)
        try:
            self._client(str(token)).conversations_join(channel=row.channel_id)
        except SlackApiError as exc:
            log.info(
                "outbox %s: could not join %s (%s)",
                row.key,
                row.channel_id,
                exc.response.get("error"),
            )
            return False
        return True

    def _backoff(self, attempts: int) -> float:
        base = min(2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)
        return float(base * random.uniform(0.8, 1.2))  # noqa: S311 - jitter, not security

    def _release(
        self,
        row: OutboxMessage,
        *,
        retry_in: float,
        error: str | None = None,
        count_attempt: bool = True,
    ) -> None:
        values: dict[str, Any] = {
            "claimed_by": None,
            "claimed_until": None,
            "next_attempt_at": self._clock() + timedelta(seconds=retry_in),
        }
        if error is not None:
            values["last_error"] = error[:255]
        if not count_attempt:
            values["attempts"] = OutboxMessage.attempts - 1
        self._finish(row, values)

    def _record_sent(self, row: OutboxMessage, channel: str, ts: str) -> None:
        self._finish(
            row,
            {
                "status": OutboxStatus.SENT,
                "message_ts": ts,
                "posted_channel_id": channel,
                "sent_at": self._clock(),
                "claimed_until": None,
                "last_error": None,
            },
        )

    def _record_failed(self, row: OutboxMessage, error: str) -> None:
        if error in AUTH_ERRORS:
            log.error(
                "outbox %s: workspace %s refused our token (%s); its posts are stopped",
                row.key,
                row.team_id,
                error,
            )
        else:
            log.error("outbox %s: Slack refused the post (%s); kept as failed", row.key, error)
        self._finish(
            row, {"status": OutboxStatus.FAILED, "last_error": error[:255], "claimed_until": None}
        )
        if error in UNREACHABLE_ERRORS and self._on_unreachable is not None:
            self._on_unreachable(Unreachable(row.team_id, row.channel_id, error))

    def _finish(self, row: OutboxMessage, values: dict[str, Any]) -> None:
        statement = (
            update(OutboxMessage)
            .where(
                col(OutboxMessage.id) == row.id,
                col(OutboxMessage.claimed_by) == self._instance_id,
            )
            .values(**values)
        )
        with unit_of_work(self._engine) as session:
            session.exec(statement)


def _upload(client: WebClient, channel: str, thread_ts: str | None, payload: dict[str, Any]) -> str:
    """Share a file in the channel (files upload v2); returns the file's id."""
    file = payload["file"]
    response = client.files_upload_v2(
        channel=channel,
        thread_ts=thread_ts,
        content=base64.b64decode(file["content_base64"]),
        filename=file["filename"],
        title=file["title"],
        initial_comment=payload.get("initial_comment") or None,
    )
    return str(response["file"]["id"])


def _unclaimed(now: datetime) -> ColumnElement[bool]:
    """No sender holds the row, or the one that did let its lease run out (it died)."""
    claimed_until = col(OutboxMessage.claimed_until)
    return or_(claimed_until.is_(None), claimed_until < now)


def _retry_after(exc: SlackApiError) -> int:
    header = exc.response.headers.get("Retry-After") or exc.response.headers.get("retry-after")
    try:
        return max(1, int(header)) if header is not None else 1
    except ValueError:
        return 1
