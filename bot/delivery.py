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
- permanent (`channel_not_found`, `is_archived`, bad auth, refused blocks, and
  `not_in_channel` where changebot has posted before: someone removed it): the row
  is kept as `failed` with its error, and `on_unreachable` hears about lost channels.
"""

from __future__ import annotations

import base64
import json
import logging
import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from bot.logs import RepeatedFailure
from bot.views.message import Message, Upload
from storage.db import insert_new, unit_of_work
from storage.models import OutboxMessage, OutboxStatus
from storage.types import utcnow

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

OUTBOX_WRITTEN = "changebot.outbox_written"
# The metadata event type that marks a post with its outbox key (see `_earlier_post`).
OUTBOX_EVENT = "changebot_outbox"
TRANSIENT_ERRORS = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}
)
UNREACHABLE_ERRORS = frozenset({"not_in_channel", "channel_not_found", "is_archived"})
AUTH_ERRORS = frozenset(
    {"invalid_auth", "token_revoked", "account_inactive", "not_authed", "no_installation"}
)
MAX_BACKOFF_SECONDS = 600
# While every pass fails (the database down), the sender's pause between them grows to this.
MAX_FAILING_PAUSE_SECONDS = 5.0
# A channel that posted within this long may have hit its own rate limit.
CHANNEL_LIMIT_WINDOW = timedelta(seconds=1.5)


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
    visible_to: str | None = None,
) -> bool:
    """Write a message or a file to the outbox; False when a row with this key already exists.

    With `visible_to`, the message is shown to that user alone, in the channel (and thread).
    """
    row = {
        "key": key,
        "team_id": team_id,
        "channel_id": channel_id,
        "payload": json.dumps(message.payload()),
        "thread_ts": reply_to_ts,
        "thread_key": thread_key,
        "update_key": update_key,
        "visible_to": visible_to,
    }
    if not insert_new(session, OutboxMessage, row, unique=["key"]):
        return False
    session.info[OUTBOX_WRITTEN] = True
    return True


@dataclass(frozen=True)
class Posted:
    """Where an outbox row's message landed."""

    channel_id: str
    ts: str


def posted(session: Session, key: str) -> Posted | None:
    """Where the row with this key was posted, or None while it has not been."""
    query = select(OutboxMessage.posted_channel_id, OutboxMessage.message_ts).where(
        OutboxMessage.key == key
    )
    found = session.exec(query).first()
    if found is None or found[1] is None:
        return None
    channel, ts = found
    return Posted(str(channel), str(ts))


class TokenSource(Protocol):
    def bot_token(self, team_id: str) -> str | None: ...


@dataclass(frozen=True)
class Unreachable:
    """A channel Slack says changebot can no longer post to."""

    team_id: str
    channel_id: str
    error: str


class _Due(NamedTuple):
    """A row the sender may claim, as its pass sees it."""

    id: int
    team_id: str
    channel_id: str
    # A sender claimed it and stopped before saying how its post went: it died mid-post.
    abandoned: bool


class _Deferred(Exception):
    """The row cannot go yet (its thread's parent is not posted); try again shortly."""


class _ParentFailed(Exception):
    """The message this row replies to, or edits, was never posted and never will be."""


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
        concurrency: int = 8,
        on_unreachable: Callable[[Unreachable], None] | None = None,
        on_refused: Callable[[str, str], None] | None = None,
    ) -> None:
        self._engine = engine
        self._tokens = tokens
        self._api_url = api_url
        self._instance_id = instance_id
        self._clock = clock
        self._poll_interval = poll_interval
        self._lease = lease
        self._batch = batch
        # What to do about a channel lost, or a workspace whose token Slack refuses
        # (team id, error); set after construction by whoever owns the runtime.
        self.on_unreachable = on_unreachable
        self.on_refused = on_refused
        self._clients: dict[str, WebClient] = {}
        self._channel_wait: dict[str, datetime] = {}
        self._team_wait: dict[str, datetime] = {}
        self._last_post: dict[str, datetime] = {}
        self._posting = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="post")
        self._wakeup = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._failing = RepeatedFailure(log, "the outbox pass")

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="outbox-sender", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 20.0) -> None:
        """Finish the round of posts under way, record them, and stop.

        The loop thread waits for its round, so once it has joined no post is
        in flight; `deliver_due` can still be called by hand afterwards.
        """
        self._stopping.set()
        self._wakeup.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self) -> None:
        self._wakeup.set()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                delivered = self._deliver_pass(stop_early=True)
            except Exception as error:
                self._failing.failed(error)
                delivered = 0
            else:
                self._failing.succeeded()
            if delivered < self._batch:
                self._wakeup.wait(self._pause())
                self._wakeup.clear()

    def _pause(self) -> float:
        """The poll interval, doubled for each pass in a row that failed, up to a few seconds:
        a database that is down is not asked four times a second. A wake-up (a commit) still
        brings the next pass at once."""
        longest = max(self._poll_interval, MAX_FAILING_PAUSE_SECONDS)
        return float(min(self._poll_interval * 2 ** min(self._failing.failures, 16), longest))

    def deliver_due(self) -> int:
        """Claim and post every due row this pass can; returns how many were handled.

        A channel told to wait (429) is skipped for the rest of the pass, so
        its later rows neither hit the limit again nor overtake the earlier one.
        """
        return self._deliver_pass(stop_early=False)

    def _deliver_pass(self, *, stop_early: bool) -> int:
        """Post due rows in rounds: one row per channel a round, the channels side by side.

        Channels keep their order (a channel's next row waits for the round
        after), while a fan-out to many channels is not held to one post at a time.
        """
        handled = 0
        due = self._due_rows()
        while due and not (stop_early and self._stopping.is_set()):
            ready = [row for row in due if not self._waiting(row)]
            this_round: list[_Due] = []
            later: list[_Due] = []
            seen: set[str] = set()
            for row in ready:
                (later if row.channel_id in seen else this_round).append(row)
                seen.add(row.channel_id)
            if not this_round:
                break
            handled += sum(self._posting.map(self._claim_and_deliver, this_round))
            due = later
        return handled

    def _waiting(self, row: _Due) -> bool:
        now = self._clock()
        return (
            self._channel_wait.get(row.channel_id, now) > now
            or self._team_wait.get(row.team_id, now) > now
        )

    def _claim_and_deliver(self, due: _Due) -> int:
        row = self._claim(due.id)
        if row is None:
            return 0
        self._deliver(row, abandoned=due.abandoned)
        return 1

    def _due_rows(self) -> list[_Due]:
        now = self._clock()
        query = (
            select(
                OutboxMessage.id,
                OutboxMessage.team_id,
                OutboxMessage.channel_id,
                OutboxMessage.claimed_by,
            )
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
        return [
            _Due(row_id, team, channel, claimed_by is not None)
            for row_id, team, channel, claimed_by in rows
            if row_id is not None
        ]

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

    def _deliver(self, row: OutboxMessage, *, abandoned: bool = False) -> None:
        token = self._tokens.bot_token(row.team_id)
        if token is None:
            self._record_failed(row, "no_installation")
            return
        try:
            channel, ts = self._post(self._client(token), row, abandoned=abandoned)
        except _Deferred:
            self._release(row, retry_in=1.0, count_attempt=False)
        except _ParentFailed:
            self._record_failed(row, "parent_failed")
        except SlackApiError as exc:
            self._handle_slack_error(row, exc)
        except OSError as exc:
            log.warning("outbox %s: network error %s; will retry", row.key, exc)
            self._release(row, retry_in=self._backoff(row.attempts), error=type(exc).__name__)
        else:
            self._record_sent(row, channel, ts)

    def _post(self, client: WebClient, row: OutboxMessage, *, abandoned: bool) -> tuple[str, str]:
        payload: dict[str, Any] = json.loads(row.payload)
        if row.update_key is not None:
            target = self._posted(row.update_key)
            channel, ts = str(target.posted_channel_id), str(target.message_ts)
            if self._superseded(row):
                log.info("outbox %s: a later update of its message was written; not sent", row.key)
                return channel, ts
            client.chat_update(channel=channel, ts=ts, **payload)
            return channel, ts
        channel = row.channel_id
        if channel[:1] in ("U", "W"):
            channel = client.conversations_open(users=channel)["channel"]["id"]
        thread_ts = self._posted(row.thread_key).message_ts if row.thread_key else row.thread_ts
        if row.visible_to is not None:
            # Nobody else sees it, so there is no earlier post to find: Slack keeps none.
            shown = client.chat_postEphemeral(
                channel=channel, user=row.visible_to, thread_ts=thread_ts, **payload
            )
            return channel, shown["message_ts"]
        if "file" in payload:
            return channel, _upload(client, channel, thread_ts, payload)
        earlier = _earlier_post(client, channel, thread_ts, row) if abandoned else None
        if earlier is not None:
            log.info(
                "outbox %s: a stopped sender had posted it already; not posting again", row.key
            )
            return channel, earlier
        response = client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            unfurl_links=False,
            unfurl_media=False,
            metadata={"event_type": OUTBOX_EVENT, "event_payload": {"key": row.key}},
            **payload,
        )
        return response["channel"], response["ts"]

    def _posted(self, key: str) -> OutboxMessage:
        with Session(self._engine) as session:
            target = session.exec(select(OutboxMessage).where(OutboxMessage.key == key)).first()
        if target is not None and target.status == OutboxStatus.FAILED:
            raise _ParentFailed(key)
        if target is None or target.message_ts is None:
            raise _Deferred(key)
        return target

    def _superseded(self, row: OutboxMessage) -> bool:
        """Whether a later update of the same message is waiting or sent. An update carries
        the whole message, so an earlier one held back by a failure, sent after it, would put
        the old state back (a concern's card reading "acknowledged" once it is resolved)."""
        later = select(OutboxMessage.id).where(
            OutboxMessage.update_key == row.update_key,
            col(OutboxMessage.id) > row.id,
            col(OutboxMessage.status).in_((OutboxStatus.PENDING, OutboxStatus.SENT)),
        )
        with Session(self._engine) as session:
            return session.exec(later.limit(1)).first() is not None

    def _client(self, token: str) -> WebClient:
        if token not in self._clients:
            self._clients[token] = WebClient(token=token, base_url=self._api_url, timeout=10)
        return self._clients[token]

    def _handle_slack_error(self, row: OutboxMessage, exc: SlackApiError) -> None:
        status = exc.response.status_code
        error = str(exc.response.get("error") or f"http_{status}")
        if status == 429:
            wait = _retry_after(exc)
            self._hold_back(row, until=self._clock() + timedelta(seconds=wait))
            self._release(row, retry_in=wait, error=error)
        elif error == "not_in_channel" and row.attempts == 1 and self._may_join(row):
            self._release(row, retry_in=0, error=error)
        elif status >= 500 or error in TRANSIENT_ERRORS:
            log.warning("outbox %s: Slack answered %s; will retry", row.key, error)
            self._release(row, retry_in=self._backoff(row.attempts), error=error)
        else:
            self._record_failed(row, error)

    def _hold_back(self, row: OutboxMessage, *, until: datetime) -> None:
        """Wait out a rate limit: the channel's, or the whole workspace's.

        A channel that has not posted for a while cannot have hit its own limit
        (about one message a second): the workspace has, and every channel of
        it waits rather than each drawing a 429 of its own.
        """
        self._channel_wait[row.channel_id] = until
        last = self._last_post.get(row.channel_id)
        if last is None or self._clock() - last > CHANNEL_LIMIT_WINDOW:
            self._team_wait[row.team_id] = until

    def _may_join(self, row: OutboxMessage) -> bool:
        """Join a public channel changebot has never posted in; private ones need an invitation.

        A channel it has posted in before removed it: it stays out, and the post fails
        as unreachable, so the channel's schedules pause and a lead is told.
        """
        return not self._has_posted_in(row.channel_id) and self._join(row)

    def _has_posted_in(self, channel_id: str) -> bool:
        query = select(OutboxMessage.id).where(
            OutboxMessage.channel_id == channel_id, OutboxMessage.status == OutboxStatus.SENT
        )
        with Session(self._engine) as session:
            return session.exec(query.limit(1)).first() is not None

    def _join(self, row: OutboxMessage) -> bool:
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
        self._last_post[row.channel_id] = self._clock()
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
        if error in UNREACHABLE_ERRORS and self.on_unreachable is not None:
            self.on_unreachable(Unreachable(row.team_id, row.channel_id, error))
        if error in AUTH_ERRORS and self.on_refused is not None:
            self.on_refused(row.team_id, error)

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


def _earlier_post(
    client: WebClient, channel: str, thread_ts: str | None, row: OutboxMessage
) -> str | None:
    """The ts of a message already posted for this row, found by the key in its metadata.

    Only a sender that died between Slack accepting a post and recording its
    ts leaves such a message; looking for it before posting again is what
    makes a kill mid-post end in one post, not two. Direct messages cannot be
    searched without an extra scope: they are posted again.
    """
    if channel[:1] == "D":
        return None
    history: dict[str, Any] = {"channel": channel, "include_all_metadata": True, "limit": 200}
    try:
        if thread_ts is not None:
            found = client.conversations_replies(ts=thread_ts, **history)
        else:
            found = client.conversations_history(
                oldest=f"{row.created_at.timestamp() - 1:.6f}", **history
            )
    except SlackApiError as exc:
        log.warning(
            "outbox %s: could not look for an earlier post (%s)", row.key, exc.response.get("error")
        )
        return None
    messages: list[dict[str, Any]] = found.get("messages", [])
    for message in messages:
        metadata = message.get("metadata") or {}
        if (
            metadata.get("event_type") == OUTBOX_EVENT
            and metadata.get("event_payload", {}).get("key") == row.key
        ):
            return str(message["ts"])
    return None


def _upload(client: WebClient, channel: str, thread_ts: str | None, payload: dict[str, Any]) -> str:
    """Share a file in the channel (files upload v2); returns the file's id."""
    file = payload["file"]
    response = client.files_upload_v2(
        channel=channel,
        thread_ts=thread_ts,
        content=base64.b64decode(file["content_base64"]),
        filename=file["filename"],
        title=file["title"],
        alt_txt=file.get("alt_txt"),
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
