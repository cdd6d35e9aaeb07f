"""A stand-in for the Slack Web API on loopback, for the test-suite and the local console.

It speaks the part of the Web API changebot uses, over real HTTP, so the app runs with its
real `slack_sdk.WebClient` (retry handlers, error parsing and all) pointed at it. It keeps
what a workspace would keep (messages, threads, views, files), records every call, and
answers like Slack when something is wrong: a channel the bot is not in, a message over the
Block Kit limits, a revoked token. Faults (errors, 429s, 5xx) can be injected per method
and per channel, which is how the tests reach the error paths that real Slack rarely shows.
Slack's posting limits can be enforced too (`enforce_rate_limits`), for the benchmarks.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from bot.console.blockcheck import (
    MAX_MESSAGE_TEXT,
    block_kit_problems,
    text_problems,
    view_problems,
)

logger = logging.getLogger(__name__)

DEFAULT_BOT_USER_ID = "UCHANGEBOT"
# Slack takes up to five responses on one response_url.
RESPONSE_URL_USES = 5
# files.getUploadURLExternal refuses a longer image description (`alt_txt_too_large`).
ALT_TEXT_LIMIT = 1000
# Fields that slack_sdk form-encodes as JSON strings; decoded so that both encodings look alike.
_JSON_FIELDS = frozenset({"blocks", "attachments", "view", "files", "metadata"})
# Message timestamps are "seconds.micros"; a counter from here keeps them unique and ordered.
_FIRST_TS_MICROS = 1_700_000_000_000_100
_TS_STEP_MICROS = 100
# How often the serving loop looks for stop(): it bounds how long stopping takes.
_SHUTDOWN_POLL_SECONDS = 0.01


@dataclass
class Call:
    """One request the app made, as it arrived and as it was answered."""

    method: str
    args: dict[str, Any]
    token: str | None
    at: float
    status: int = 200
    # The `error` Slack answered, None when the call succeeded.
    error: str | None = None
    # Block Kit and text-length problems found in the payload (see blockcheck).
    problems: list[str] = field(default_factory=list)
    response: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error is None


@dataclass
class _Reply:
    status: int
    payload: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Bucket:
    """A token bucket: `rate` posts a second, up to one second's worth (at least one) at once."""

    rate: float
    tokens: float
    updated: float

    @classmethod
    def full(cls, rate: float, now: float) -> _Bucket:
        return cls(rate, max(1.0, rate), now)

    @property
    def capacity(self) -> float:
        return max(1.0, self.rate)

    def wait(self, now: float) -> float:
        """Refill up to `now`; 0 when a post may go, else the seconds until one may."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        # The tolerance keeps float sums (three thirds of a token) from refusing a post.
        return 0.0 if self.tokens >= 1 - 1e-9 else (1 - self.tokens) / self.rate


@dataclass
class _RateLimits:
    """chat.postMessage's limits: per channel, and optionally across the workspace."""

    per_channel: float
    workspace: _Bucket | None
    channels: dict[str, _Bucket] = field(default_factory=dict)

    def wait(self, channel: str, now: float) -> float:
        """0 when a post to `channel` may go now (and it is counted), else seconds to wait.

        A refused post is not counted: only what Slack accepted uses up the limits.
        """
        bucket = self.channels.setdefault(channel, _Bucket.full(self.per_channel, now))
        buckets = [bucket] if self.workspace is None else [bucket, self.workspace]
        wait = max(b.wait(now) for b in buckets)
        if wait == 0:
            for b in buckets:
                b.tokens -= 1
        return wait


class _ApiError(Exception):
    """Raised anywhere inside a method to answer `{"ok": false, "error": ...}` like Slack."""

    def __init__(self, error: str, *, problems: list[str] | None = None, status: int = 200):
        super().__init__(error)
        self.error = error
        self.problems = problems or []
        self.status = status

    def reply(self) -> _Reply:
        payload: dict[str, Any] = {"ok": False, "error": self.error}
        if self.problems:
            if self.error == "invalid_blocks":
                payload["errors"] = self.problems
            payload["response_metadata"] = {"messages": [f"[ERROR] {p}" for p in self.problems]}
        return _Reply(self.status, payload)


@dataclass
class _Fault:
    """What the next matching calls get: `reply` instead of the answer, or the answer late."""

    method: str
    channel: str | None
    remaining: int
    reply: _Reply | None
    delay: float = 0.0

    def matches(self, call: Call) -> bool:
        channel = call.args.get("channel") or call.args.get("channel_id")
        return call.method == self.method and self.channel in (None, channel)


@dataclass
class _User:
    id: str
    name: str
    real_name: str
    tz: str

    def info(self, *, team_id: str, is_bot: bool) -> dict[str, Any]:
        """The users.info shape, with the offset the app would show times in."""
        offset = datetime.now(ZoneInfo(self.tz)).utcoffset()
        return {
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "real_name": self.real_name,
            "tz": self.tz,
            "tz_offset": int(offset.total_seconds()) if offset else 0,
            "is_bot": is_bot,
            "deleted": False,
            "profile": {"display_name": self.name, "real_name": self.real_name},
        }


@dataclass
class _Channel:
    id: str
    name: str
    is_private: bool = False
    is_member: bool = True
    is_archived: bool = False

    @property
    def is_im(self) -> bool:
        return self.id.startswith("D")

    def info(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": not self.is_im,
            "is_im": self.is_im,
            "is_private": self.is_private,
            "is_archived": self.is_archived,
            "is_member": self.is_member,
        }


@dataclass
class _ResponseTarget:
    """Where a response_url's answers land: the channel, user and message it was issued for."""

    channel: str | None
    user: str | None
    message_ts: str | None
    uses: int = 0


@dataclass(frozen=True)
class _HttpRequest:
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes


_Answer = Callable[[Call], dict[str, Any]]


class _PayloadCheck(NamedTuple):
    problems: Callable[[dict[str, Any]], list[str]]
    error: str
    status: int = 200


def _message_blocks(args: dict[str, Any]) -> list[str]:
    return block_kit_problems(args["blocks"], surface="message") if "blocks" in args else []


def _view(args: dict[str, Any]) -> list[str]:
    return view_problems(args.get("view"))


# Slack refuses bad message blocks with invalid_blocks, bad views with invalid_arguments.
_PAYLOAD_CHECKS = {
    "chat.postMessage": _PayloadCheck(_message_blocks, "invalid_blocks"),
    "chat.postEphemeral": _PayloadCheck(_message_blocks, "invalid_blocks"),
    "chat.update": _PayloadCheck(_message_blocks, "invalid_blocks"),
    "response_url": _PayloadCheck(_message_blocks, "invalid_blocks", 400),
    "views.open": _PayloadCheck(_view, "invalid_arguments"),
    "views.push": _PayloadCheck(_view, "invalid_arguments"),
    "views.update": _PayloadCheck(_view, "invalid_arguments"),
    "views.publish": _PayloadCheck(_view, "invalid_arguments"),
}


class SlackStandIn:
    """The Slack Web API on 127.0.0.1, with a workspace's memory and a call log."""

    def __init__(
        self,
        *,
        team_id: str = "T0CHANGE",
        team_name: str = "Local workspace",
        bot_user_id: str = DEFAULT_BOT_USER_ID,
        bot_id: str = "BCHANGEBOT",
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.team_id = team_id
        self.team_name = team_name
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self._address = (host, port)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        # One lock for all state: requests are few and short, and it keeps every answer
        # consistent with the call log that tests and the console read.
        self._lock = threading.RLock()
        self._recorded = threading.Condition(self._lock)
        self._subscribers: list[Callable[[Call], None]] = []
        self._users: dict[str, _User] = {}
        self._channels: dict[str, _Channel] = {}
        self._ts_micros = itertools.count(_FIRST_TS_MICROS, _TS_STEP_MICROS)
        self._ids = itertools.count(1)
        self.calls: list[Call] = []
        self.ephemerals: list[dict[str, Any]] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.home_views: dict[str, dict[str, Any]] = {}
        self.files: dict[str, dict[str, Any]] = {}
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._faults: list[_Fault] = []
        # What the rate limits are measured against; tests inject a clock they move.
        self._clock = clock
        self._limits: _RateLimits | None = None
        self._revoked: dict[str, str] = {}
        self._response_urls: dict[str, _ResponseTarget] = {}
        # Where apps.connections.open sends a Socket Mode client. None: it refuses, since the
        # console dispatches in-process; a test running `changebot run` in Socket Mode sets one.
        self.socket_mode_url: str | None = None
        self._methods: dict[str, _Answer] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.update": self._update_message,
            "chat.getPermalink": self._permalink,
            "views.open": self._open_view,
            "views.push": self._open_view,
            "views.update": self._update_view,
            "views.publish": self._publish_view,
            "conversations.open": self._open_dm,
            "conversations.info": self._channel_info,
            "conversations.join": self._join,
            "conversations.history": self._history,
            "conversations.replies": self._replies,
            "users.info": self._user_info,
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._complete_upload,
            "apps.connections.open": self._connections_open,
        }

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> SlackStandIn:
        """Bind the port and serve on a daemon thread; returns self for `with` and chaining."""
        if self._server is not None:
            raise RuntimeError("the Slack stand-in is already running")
        self._server = _Server(self._address, self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": _SHUTDOWN_POLL_SECONDS},
            name="slack-standin",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket; safe to call twice."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("start the Slack stand-in before asking for its URL")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        # WebClient joins method names with urljoin, which needs the trailing slash.
        return f"{self.base_url}/api/"

    # -- directory ---------------------------------------------------------------------

    def add_user(
        self, user_id: str, name: str, *, real_name: str | None = None, tz: str = "Europe/London"
    ) -> None:
        with self._lock:
            self._users[user_id] = _User(user_id, name, real_name or name, tz)

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        is_private: bool = False,
        is_member: bool = True,
        is_archived: bool = False,
    ) -> None:
        with self._lock:
            self._channels[channel_id] = _Channel(
                channel_id, name, is_private, is_member, is_archived
            )

    def user_info(self, user_id: str) -> dict[str, Any]:
        """The users.info `user`; users never added are invented so tests need no set-up."""
        with self._lock:
            user = self._users.get(user_id) or _User(
                user_id, user_id.lower(), f"User {user_id}", "Europe/London"
            )
            return user.info(team_id=self.team_id, is_bot=user_id == self.bot_user_id)

    def channel_info(self, channel_id: str) -> dict[str, Any]:
        """The conversations.info `channel`, whatever the bot's access to it."""
        with self._lock:
            return self._channel(_resolve(channel_id)).info()

    # -- recording ---------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until `count` calls of `method` were recorded (the app works on threads)."""
        with self._recorded:
            if self._recorded.wait_for(lambda: len(self.calls_to(method)) >= count, timeout):
                return self.calls_to(method)
            got = len(self.calls_to(method))
            raise AssertionError(
                f"expected {count} call(s) to {method} within {timeout:g} s, got {got}; "
                f"recorded: {self._summary()}"
            )

    def subscribe(self, callback: Callable[[Call], None]) -> None:
        """Call `callback` after each recorded call, on the server's thread."""
        with self._lock:
            self._subscribers.append(callback)

    def reset(self) -> None:
        """Forget calls, messages, views, files, faults and rate limits; keep users and
        channels."""
        with self._lock:
            self.calls.clear()
            self.ephemerals.clear()
            self.views.clear()
            self.home_views.clear()
            self.files.clear()
            self._messages.clear()
            self._faults.clear()
            self._limits = None
            self._revoked.clear()
            self._response_urls.clear()

    def _summary(self) -> str:
        labels = Counter(
            call.method + (f" [{call.error}]" if call.error else "") for call in self.calls
        )
        return ", ".join(f"{label} x{n}" for label, n in labels.items()) or "nothing"

    # -- state -------------------------------------------------------------------------

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Every message the bot has in `channel`, thread replies included, oldest first."""
        with self._lock:
            return [dict(message) for message in self._messages.get(_resolve(channel), [])]

    def message(self, channel: str, ts: str) -> dict[str, Any]:
        for message in self.messages(channel):
            if message["ts"] == ts:
                return message
        raise KeyError(f"no message {ts} in {channel}")

    def add_message(
        self, channel: str, *, user: str, text: str, thread_ts: str | None = None
    ) -> dict[str, Any]:
        """A person's message in `channel`, kept as Slack keeps it: the app can link to it,
        read it in the history, and a shortcut can be used on it."""
        with self._lock:
            message = self._store(
                _resolve(channel), {"text": text}, thread_ts=thread_ts, broadcast=False
            )
            message["user"] = user
            del message["bot_id"]
            return dict(message)

    def new_response_url(
        self, *, channel: str | None = None, user: str | None = None, message_ts: str | None = None
    ) -> str:
        """A response_url; given the message it belongs to, replace/delete_original apply to it."""
        with self._lock:
            key = str(next(self._ids))
            self._response_urls[key] = _ResponseTarget(channel, user, message_ts)
        return f"{self.base_url}/response/{key}"

    # -- faults ------------------------------------------------------------------------

    def fail(self, method: str, error: str, *, times: int = 1, channel: str | None = None) -> None:
        """The next `times` calls answer HTTP 200 `{"ok": false, "error": error}`."""
        self._add_fault(method, channel, times, _Reply(200, {"ok": False, "error": error}))

    def rate_limit(
        self, method: str, *, retry_after: int = 1, times: int = 1, channel: str | None = None
    ) -> None:
        """The next `times` calls answer 429 with Retry-After, as Slack's rate limiter does."""
        reply = _Reply(
            429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}
        )
        self._add_fault(method, channel, times, reply)

    def server_error(
        self, method: str, *, status: int = 503, times: int = 1, channel: str | None = None
    ) -> None:
        """The next `times` calls answer an HTTP 5xx."""
        error = "service_unavailable" if status == 503 else "internal_error"
        self._add_fault(method, channel, times, _Reply(status, {"ok": False, "error": error}))

    def enforce_rate_limits(
        self, per_channel_per_second: float = 1.0, workspace_per_second: float | None = None
    ) -> None:
        """From now on, answer chat.postMessage over Slack's posting limits with a 429.

        Each limit is a token bucket that allows a second's worth of posts at once (at
        least one) and refills at its rate. A post over either limit answers HTTP 429,
        `{"ok": false, "error": "ratelimited"}` and `Retry-After` in whole seconds (at
        least 1, as Slack sends), and is recorded as a failed call, so attempts and
        deliveries can be told apart. Calling it again starts the limits afresh.
        """
        workspace_rate = 1.0 if workspace_per_second is None else workspace_per_second
        if min(per_channel_per_second, workspace_rate) <= 0:
            raise ValueError("rate limits must be positive")
        with self._lock:
            workspace = (
                None
                if workspace_per_second is None
                else _Bucket.full(workspace_per_second, self._clock())
            )
            self._limits = _RateLimits(per_channel_per_second, workspace)

    def stall(
        self, method: str, *, seconds: float, times: int = 1, channel: str | None = None
    ) -> None:
        """The next `times` calls are carried out (a post is posted) but answered late.

        A client killed while waiting has had its call accepted without hearing so:
        the case an exactly-once sender must not turn into a second post.
        """
        with self._lock:
            self._faults.append(_Fault(method, channel, times, None, delay=seconds))

    def revoke(self, token: str, *, error: str = "invalid_auth") -> None:
        """Every later call with `token` answers `error` (or "token_revoked")."""
        with self._lock:
            self._revoked[token] = error

    def _add_fault(self, method: str, channel: str | None, times: int, reply: _Reply) -> None:
        with self._lock:
            self._faults.append(_Fault(method, channel, times, reply))

    def _over_limit(self, call: Call) -> _Reply | None:
        """The 429 for a post over the enforced limits, or None when it may go."""
        channel = call.args.get("channel")
        if self._limits is None or call.method != "chat.postMessage" or not channel:
            return None
        wait = self._limits.wait(_resolve(str(channel)), self._clock())
        if wait == 0:
            return None
        retry_after = str(max(1, math.ceil(wait)))
        return _Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": retry_after})

    def _take_fault(self, call: Call) -> _Fault | None:
        for fault in self._faults:
            if fault.matches(call):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    # -- HTTP routing ------------------------------------------------------------------

    def _route(self, request: _HttpRequest) -> _Reply:
        kind, _, rest = request.path.lstrip("/").partition("/")
        if kind == "api":
            return self._receive(rest, request, self._answer_api)
        if kind == "response":
            url = f"{self.base_url}/response/{rest}"
            return self._receive("response_url", request, partial(self._respond, rest), url=url)
        if kind == "upload":
            return self._upload(rest, request)
        return _Reply(404, {"ok": False, "error": "not_found"})

    def _receive(self, method: str, request: _HttpRequest, answer: _Answer, **extra: str) -> _Reply:
        """Decode one request into a Call and serve it; an unreadable body gets invalid_json."""
        try:
            args = _decode_args(request)
        except ValueError:
            args, answer = {}, _invalid_json
        token = _bearer(request.headers) or args.pop("token", None)
        return self._serve(Call(method, {**args, **extra}, token, time.monotonic()), answer)

    def _upload(self, file_id: str, request: _HttpRequest) -> _Reply:
        """The upload URL of files.getUploadURLExternal; slack_sdk posts the raw bytes."""
        args = {"url": f"{self.base_url}/upload/{file_id}", "length": len(request.body)}
        call = Call("file_upload", args, None, time.monotonic())
        return self._serve(call, partial(self._store_upload, file_id, request.body))

    def _serve(self, call: Call, answer: _Answer) -> _Reply:
        with self._lock:
            fault = self._take_fault(call)
            reply = (
                (fault.reply if fault else None) or self._over_limit(call) or _attempt(call, answer)
            )
            call.status, call.response = reply.status, reply.payload
            call.error = reply.payload.get("error")
            self.calls.append(call)
            self._recorded.notify_all()
            subscribers = list(self._subscribers)
        for callback in subscribers:
            _notify(callback, call)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        return reply

    def _answer_api(self, call: Call) -> dict[str, Any]:
        method = self._methods.get(call.method)
        if method is None:
            raise _ApiError("unknown_method")
        if not call.token:
            raise _ApiError("not_authed")
        if call.token in self._revoked:
            raise _ApiError(self._revoked[call.token])
        _check_payload(call)
        return method(call)

    # -- channels and messages ---------------------------------------------------------

    def _channel(self, channel_id: str) -> _Channel:
        """The directory's channel; ids never added are accepted as channels the bot is in."""
        if channel_id not in self._channels:
            self._channels[channel_id] = _Channel(channel_id, channel_id.lower())
        return self._channels[channel_id]

    def _visible(self, channel_id: object) -> _Channel:
        """A private channel the bot is not in does not exist for it."""
        if not isinstance(channel_id, str) or not channel_id:
            raise _ApiError("channel_not_found")
        channel = self._channel(_resolve(channel_id))
        if channel.is_private and not channel.is_member:
            raise _ApiError("channel_not_found")
        return channel

    def _usable(self, channel_id: object, *, posting: bool) -> _Channel:
        channel = self._visible(channel_id)
        if posting and channel.is_archived:
            raise _ApiError("is_archived")
        if not channel.is_member:
            raise _ApiError("not_in_channel")
        return channel

    def _next_ts(self) -> str:
        micros = next(self._ts_micros)
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def _find(
        self, channel: str, ts: object, *, missing: str = "message_not_found"
    ) -> dict[str, Any]:
        for message in self._messages.get(channel, []):
            if message["ts"] == ts:
                return message
        raise _ApiError(missing)

    def _store(
        self, channel: str, content: dict[str, Any], *, thread_ts: str | None, broadcast: bool
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "team": self.team_id,
            "ts": self._next_ts(),
            "thread_ts": thread_ts or None,
            "text": "",
            "blocks": [],
            **content,
        }
        if broadcast:
            message["subtype"] = "thread_broadcast"
        self._messages.setdefault(channel, []).append(message)
        return message

    def _ephemeral(
        self, channel: str, user: str, content: dict[str, Any], thread_ts: str | None
    ) -> dict[str, Any]:
        ephemeral = {
            "channel": channel,
            "user": user,
            "thread_ts": thread_ts,
            "message_ts": self._next_ts(),
            "text": "",
            "blocks": [],
            **content,
        }
        self.ephemerals.append(ephemeral)
        return ephemeral

    # -- Web API methods ---------------------------------------------------------------

    def _auth_test(self, call: Call) -> dict[str, Any]:
        return {
            "url": f"{self.base_url}/",
            "team": self.team_name,
            "user": "changebot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _post_message(self, call: Call) -> dict[str, Any]:
        channel = self._usable(call.args.get("channel"), posting=True)
        message = self._store(
            channel.id,
            _content(call, required=True),
            thread_ts=call.args.get("thread_ts"),
            broadcast=_flag(call.args, "reply_broadcast"),
        )
        return {"channel": channel.id, "ts": message["ts"], "message": shown_message(message)}

    def _post_ephemeral(self, call: Call) -> dict[str, Any]:
        channel = self._usable(call.args.get("channel"), posting=True)
        user = _required(call.args, "user")
        content = _content(call, required=True)
        ephemeral = self._ephemeral(channel.id, user, content, call.args.get("thread_ts"))
        return {"message_ts": ephemeral["message_ts"]}

    def _update_message(self, call: Call) -> dict[str, Any]:
        channel = self._usable(call.args.get("channel"), posting=True)
        message = self._find(channel.id, call.args.get("ts"))
        message.update(_content(call, required=True))
        return {
            "channel": channel.id,
            "ts": message["ts"],
            "text": message["text"],
            "message": shown_message(message),
        }

    def _permalink(self, call: Call) -> dict[str, Any]:
        channel = self._usable(call.args.get("channel"), posting=False)
        message = self._find(channel.id, call.args.get("message_ts"))
        permalink = f"{self.base_url}/archives/{channel.id}/p{message['ts'].replace('.', '')}"
        if message["thread_ts"] not in (None, message["ts"]):
            permalink += f"?thread_ts={message['thread_ts']}&cid={channel.id}"
        return {"channel": channel.id, "permalink": permalink}

    def _stamp(self, view: dict[str, Any], view_id: str) -> dict[str, Any]:
        """A view as Slack returns and later sends it back: id, hash, empty state, defaults."""
        return {
            "type": "modal",
            "callback_id": "",
            "private_metadata": "",
            "external_id": "",
            **view,
            "id": view_id,
            "team_id": self.team_id,
            "bot_id": self.bot_id,
            "hash": self._next_id("h"),
            "state": {"values": {}},
        }

    def _open_view(self, call: Call) -> dict[str, Any]:
        """views.open and views.push: both need a trigger and both make a new view."""
        _required(call.args, "trigger_id")
        view = call.args["view"]
        external_id = view.get("external_id")
        if external_id and any(v["external_id"] == external_id for v in self.views.values()):
            raise _ApiError("duplicate_external_id")
        stored = self._stamp(view, self._next_id("V"))
        self.views[stored["id"]] = stored
        return {"view": stored}

    def _update_view(self, call: Call) -> dict[str, Any]:
        current = self._current_view(call.args)
        _check_hash(current, call.args.get("hash"))
        new = {"external_id": current["external_id"], **call.args["view"]}
        stored = self._stamp(new, current["id"])
        self.views[stored["id"]] = stored
        return {"view": stored}

    def _current_view(self, args: dict[str, Any]) -> dict[str, Any]:
        for view in self.views.values():
            if view["id"] == args.get("view_id") or (
                args.get("external_id") and view["external_id"] == args.get("external_id")
            ):
                return view
        raise _ApiError("not_found")

    def _publish_view(self, call: Call) -> dict[str, Any]:
        """views.publish: one Home tab per user, which keeps its id across publishes."""
        user_id = _required(call.args, "user_id")
        current = self.home_views.get(user_id)
        if current is not None:
            _check_hash(current, call.args.get("hash"))
        view_id = current["id"] if current else self._next_id("V")
        self.home_views[user_id] = self._stamp(call.args["view"], view_id)
        return {"view": self.home_views[user_id]}

    def _open_dm(self, call: Call) -> dict[str, Any]:
        users = str(_required(call.args, "users")).split(",")
        if len(users) != 1:
            raise _ApiError(
                "invalid_arguments", problems=["the stand-in opens one-to-one DMs only"]
            )
        return {"channel": {"id": _resolve(users[0])}}

    def _channel_info(self, call: Call) -> dict[str, Any]:
        return {"channel": self._visible(call.args.get("channel")).info()}

    def _join(self, call: Call) -> dict[str, Any]:
        channel = self._visible(call.args.get("channel"))
        if channel.is_private or channel.is_im:
            raise _ApiError("method_not_supported_for_channel_type")
        if channel.is_archived:
            raise _ApiError("is_archived")
        channel.is_member = True
        return {"channel": channel.info()}

    def _history(self, call: Call) -> dict[str, Any]:
        """Top-level messages (and thread replies sent to the channel), newest first."""
        channel = self._usable(call.args.get("channel"), posting=False)
        limit = int(call.args.get("limit") or 100)
        top_level = [
            message
            for message in reversed(self._messages.get(channel.id, []))
            if message["thread_ts"] is None or message.get("subtype") == "thread_broadcast"
        ]
        metadata = _flag(call.args, "include_all_metadata")
        return {
            "messages": [
                shown_message(message, metadata=metadata) for message in top_level[:limit]
            ],
            "has_more": len(top_level) > limit,
        }

    def _replies(self, call: Call) -> dict[str, Any]:
        """A thread, its parent first, oldest first."""
        channel = self._usable(call.args.get("channel"), posting=False)
        ts = call.args.get("ts")
        self._find(channel.id, ts, missing="thread_not_found")
        metadata = _flag(call.args, "include_all_metadata")
        thread = [
            shown_message(message, metadata=metadata)
            for message in self._messages[channel.id]
            if ts in (message["ts"], message["thread_ts"])
        ]
        return {"messages": thread, "has_more": False}

    def _user_info(self, call: Call) -> dict[str, Any]:
        return {"user": self.user_info(_required(call.args, "user"))}

    def _upload_url(self, call: Call) -> dict[str, Any]:
        filename = _required(call.args, "filename")
        _required(call.args, "length")
        alt_text = call.args.get("alt_txt")
        if isinstance(alt_text, str) and len(alt_text) > ALT_TEXT_LIMIT:
            raise _ApiError("alt_txt_too_large")
        file_id = self._next_id("F")
        self.files[file_id] = {
            "filename": filename,
            "title": filename,
            "alt_txt": alt_text,
            "content": b"",
            "channel_id": None,
            "initial_comment": None,
            "thread_ts": None,
        }
        return {"upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _store_upload(self, file_id: str, content: bytes, call: Call) -> dict[str, Any]:
        if file_id not in self.files:
            raise _ApiError("file_not_found", status=404)
        self.files[file_id]["content"] = content
        return {}

    def _complete_upload(self, call: Call) -> dict[str, Any]:
        """Name the uploaded files and, given a channel, share them there in one message."""
        entries = call.args.get("files")
        if not isinstance(entries, list) or not entries:
            raise _ApiError("invalid_arguments", problems=["files: a non-empty array is required"])
        ids = [entry.get("id") if isinstance(entry, dict) else None for entry in entries]
        if any(file_id not in self.files for file_id in ids):
            raise _ApiError("file_not_found")
        channel_id = call.args.get("channel_id")
        channel = self._usable(channel_id, posting=True) if channel_id else None
        shared = [self._complete_file(entry, call.args) for entry in entries]
        if channel is not None:
            content = {"text": call.args.get("initial_comment") or "", "files": shared}
            thread_ts = call.args.get("thread_ts")
            self._store(channel.id, content, thread_ts=thread_ts, broadcast=False)
        return {"files": shared}

    def _complete_file(self, entry: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
        upload = self.files[entry["id"]]
        upload.update(
            title=entry.get("title") or upload["filename"],
            channel_id=args.get("channel_id"),
            initial_comment=args.get("initial_comment"),
            thread_ts=args.get("thread_ts"),
        )
        return {
            "id": entry["id"],
            "name": upload["filename"],
            "title": upload["title"],
            "size": len(upload["content"]),
        }

    def _connections_open(self, call: Call) -> dict[str, Any]:
        if self.socket_mode_url is None:
            raise _ApiError("not_allowed_token_type")
        return {"url": self.socket_mode_url}

    # -- response_url ------------------------------------------------------------------

    def _respond(self, key: str, call: Call) -> dict[str, Any]:
        """A POST to a response_url, applied as Slack applies it to the conversation."""
        target = self._response_urls.get(key)
        if target is None:
            raise _ApiError("expired_url", status=404)
        target.uses += 1
        if target.uses > RESPONSE_URL_USES:
            raise _ApiError("used_url", status=404)
        _check_payload(call)
        if target.channel is not None:
            self._apply_response(target, target.channel, call)
        return {}

    def _apply_response(self, target: _ResponseTarget, channel: str, call: Call) -> None:
        args = call.args
        original = self._original(target, channel)
        if _flag(args, "delete_original"):
            if original is not None:
                self._discard(original, channel)
        elif original is not None and _flag(args, "replace_original"):
            original.update(_content(call, required=False))
        elif args.get("response_type") == "in_channel":
            content = _content(call, required=False)
            self._store(channel, content, thread_ts=args.get("thread_ts"), broadcast=False)
        else:
            user = target.user or self.bot_user_id
            self._ephemeral(channel, user, _content(call, required=False), args.get("thread_ts"))

    def _original(self, target: _ResponseTarget, channel: str) -> dict[str, Any] | None:
        """The message a response_url was issued for, posted or ephemeral, if still there."""
        if target.message_ts is None:
            return None
        for message in self._messages.get(channel, []):
            if message["ts"] == target.message_ts:
                return message
        for ephemeral in self.ephemerals:
            if (ephemeral["channel"], ephemeral["message_ts"]) == (channel, target.message_ts):
                return ephemeral
        return None

    def _discard(self, original: dict[str, Any], channel: str) -> None:
        kept = self.ephemerals if "message_ts" in original else self._messages[channel]
        kept.remove(original)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], standin: SlackStandIn) -> None:
        super().__init__(address, _Handler)
        self.standin = standin


class _Handler(BaseHTTPRequestHandler):
    """Thin HTTP glue: everything Slack-like happens in SlackStandIn._route."""

    server: _Server

    def do_GET(self) -> None:
        self._serve(b"")

    def do_POST(self) -> None:
        self._serve(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def _serve(self, body: bytes) -> None:
        url = urlsplit(self.path)
        headers = {name.lower(): value for name, value in self.headers.items()}
        reply = self.server.standin._route(_HttpRequest(url.path, url.query, headers, body))
        data = json.dumps(reply.payload).encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.address_string(), format % args)


def _attempt(call: Call, answer: _Answer) -> _Reply:
    """Run a method; a bug in the stand-in answers 500 (and is logged) rather than hang."""
    try:
        return _Reply(200, {"ok": True, **answer(call)})
    except _ApiError as error:
        return error.reply()
    except Exception:
        logger.exception("the Slack stand-in failed on %s", call.method)
        return _Reply(500, {"ok": False, "error": "internal_error"})


def _notify(callback: Callable[[Call], None], call: Call) -> None:
    """A broken subscriber (the console's renderer) must not break the API for the app."""
    try:
        callback(call)
    except Exception:
        logger.exception("a Slack stand-in subscriber failed on %s", call.method)


def _invalid_json(call: Call) -> dict[str, Any]:
    raise _ApiError("invalid_json")


def _check_payload(call: Call) -> None:
    """Refuse what Slack refuses, keeping the problems on the call for the tests."""
    check = _PAYLOAD_CHECKS.get(call.method)
    problems = check.problems(call.args) if check else []
    if check and problems:
        call.problems.extend(problems)
        raise _ApiError(check.error, problems=problems, status=check.status)


def _content(call: Call, *, required: bool) -> dict[str, Any]:
    """The text, blocks and metadata a message gets; text over the limit is cut, as Slack does."""
    content: dict[str, Any] = {
        key: call.args[key] for key in ("text", "blocks", "metadata") if key in call.args
    }
    if required and not (content.get("text") or content.get("blocks")):
        raise _ApiError("no_text")
    text = content.get("text")
    if isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
        call.problems.extend(text_problems(text))
        content["text"] = text[:MAX_MESSAGE_TEXT]
    return content


def shown_message(message: dict[str, Any], *, metadata: bool = True) -> dict[str, Any]:
    """A stored message as API answers and payloads show it: no empty fields, and metadata
    only when asked for (conversations.history wants `include_all_metadata`)."""
    return {
        key: value
        for key, value in message.items()
        if value is not None and (metadata or key != "metadata")
    }


def _check_hash(view: dict[str, Any], expected: object) -> None:
    if expected and expected != view["hash"]:
        raise _ApiError("hash_conflict")


def _resolve(channel_id: str) -> str:
    """A user id used as a channel means the bot's DM with that user."""
    return "D" + channel_id[1:] if channel_id[:1] in ("U", "W") else channel_id


def _required(args: dict[str, Any], name: str) -> Any:
    value = args.get(name)
    if value in (None, ""):
        raise _ApiError("invalid_arguments", problems=[f"missing required field: {name}"])
    return value


def _flag(args: dict[str, Any], name: str) -> bool:
    """A boolean argument: JSON sends true, forms send "1" or "true"."""
    return args.get(name) in (True, 1, "1", "true")


def _bearer(headers: Mapping[str, str]) -> str | None:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def _decode_args(request: _HttpRequest) -> dict[str, Any]:
    """Query string plus a JSON or form body, with form fields that carry JSON decoded."""
    args: dict[str, Any] = dict(parse_qsl(request.query, keep_blank_values=True))
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type == "application/json":
        body = json.loads(request.body or b"{}")
        if not isinstance(body, dict):
            raise ValueError("a JSON body must be an object")
        args.update(body)
    elif request.body:
        args.update(parse_qsl(request.body.decode(), keep_blank_values=True))
    return {name: _decode_field(name, value) for name, value in args.items()}


def _decode_field(name: str, value: Any) -> Any:
    return json.loads(value) if name in _JSON_FIELDS and isinstance(value, str) else value
