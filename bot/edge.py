"""The HTTP edge: only a bounded, verified, well-formed, first-seen Slack request reaches Bolt.

Bolt parses a request's body before it checks the signature, crashes on
bodies it cannot parse (a 500 and a traceback each), lets a malformed
timestamp raise into the app's error handler (which then answered at the
request's own, unverified `response_url`), reads bodies of any size, and
logs the body of every request it refuses. So Slack's POSTs pass here first,
in this order, each refusal answered with one warning line that holds
nothing from the request (SPEC §6):

1. the body: over `MAX_BODY_BYTES` gets 413, without reading the rest;
2. the timestamp (ASCII digits, within five minutes) and the signature
   (`v0=` + HMAC-SHA256 of `v0:{timestamp}:{body}`): 401;
3. the body's shape, parsed as Bolt will parse it: 400.

The edge touches no database. The replay record (a signature already seen
gets an empty 200 and does nothing) is kept in the transaction of the work
the request asks for (bot/listeners/surfaces.py), so that a request costs
one transaction rather than two. Bolt's own verification stays on behind
this, and passes. Everything else (the OAuth pages, `/healthz` in front)
goes by untouched.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, BinaryIO
from urllib.parse import parse_qsl

from bot.services.replays import FRESH_SECONDS

log = logging.getLogger(__name__)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

EVENTS_PATH = "/slack/events"
MAX_BODY_BYTES = 1024 * 1024

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
_CONTENT_LENGTH = re.compile(r"[0-9]{1,19}")
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


class Refused(Exception):
    """A request the edge answers itself; `reason` is ours, never the request's.

    The reason is logged, and told to the sender unless it would help a forger.
    """

    def __init__(self, status: str, reason: str, *, told: str | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.told = reason if told is None else told


def _too_large() -> Refused:
    return Refused("413 Content Too Large", f"the body is over {MAX_BODY_BYTES} bytes")


def _unverified(reason: str) -> Refused:
    return Refused("401 Unauthorized", reason, told="invalid request")


def _malformed(reason: str) -> Refused:
    return Refused("400 Bad Request", reason)


class SlackEdge:
    """WSGI middleware in front of Bolt's handler for `POST /slack/events`."""

    def __init__(
        self,
        bolt: WsgiApp,
        *,
        signing_secret: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not signing_secret:
            raise ValueError("the edge needs the signing secret: without it anyone could sign")
        self._bolt = bolt
        self._secret = signing_secret.encode()
        self._clock = clock

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != EVENTS_PATH:
            return self._bolt(environ, start_response)
        try:
            body = read_body(environ)
            self._verify(environ, body)
            check_shape(environ.get("CONTENT_TYPE"), body)
        except Refused as refusal:
            log.warning("refused a request to %s: %s", EVENTS_PATH, refusal.reason)
            return _answer(start_response, refusal.status, refusal.told)
        if mentions_payload_in_passing(environ.get("CONTENT_TYPE"), body):
            body = body.replace(b"payload", _PAYLOAD_SPELLED_OUT)
            environ["HTTP_X_SLACK_SIGNATURE"] = signature_of(
                self._secret, environ["HTTP_X_SLACK_REQUEST_TIMESTAMP"], body
            )
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return self._bolt(environ, start_response)

    def _verify(self, environ: Mapping[str, Any], body: bytes) -> None:
        """Prove the timestamp fresh and the signature right; else 401."""
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
        if not _TIMESTAMP.fullmatch(timestamp):
            raise _unverified("the timestamp is missing or not a whole number of seconds")
        if abs(self._clock() - int(timestamp)) > FRESH_SECONDS:
            raise _unverified("the timestamp is more than five minutes away")
        signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
        if not _SIGNATURE.fullmatch(signature):
            raise _unverified("the signature is missing or malformed")
        expected = signature_of(self._secret, timestamp, body)
        if not hmac.compare_digest(signature.encode(), expected.encode()):
            raise _unverified("the signature does not match")


# "payload" as a form spells it with one letter percent-encoded: not the substring Bolt tests.
_PAYLOAD_SPELLED_OUT = b"p%61yload"


def signature_of(secret: bytes, timestamp: str, body: bytes) -> str:
    """Slack's request signature: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}`."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret, base, hashlib.sha256).hexdigest()


def read_body(environ: Mapping[str, Any]) -> bytes:
    """The body, never more than `MAX_BODY_BYTES` + 1 bytes of it read.

    A declared length over the limit is refused before reading anything.
    Without a declared length, only a server that ends the input itself
    (`wsgi.input_terminated`, as gunicorn does for chunked bodies) has a body
    to read (PEP 3333).
    """
    stream: BinaryIO = environ["wsgi.input"]
    declared = environ.get("CONTENT_LENGTH") or ""
    if declared:
        if not _CONTENT_LENGTH.fullmatch(declared):
            raise _malformed("the Content-Length is not a number")
        if int(declared) > MAX_BODY_BYTES:
            raise _too_large()
        return _read_up_to(stream, int(declared))
    if not environ.get("wsgi.input_terminated"):
        return b""
    body = _read_up_to(stream, MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        raise _too_large()
    return body


def _read_up_to(stream: BinaryIO, size: int) -> bytes:
    chunks, remaining = [], size
    while remaining > 0:
        chunk = stream.read(remaining)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def check_shape(content_type: str | None, body: bytes) -> None:
    """Refuse (400) a body Bolt would fail to parse or route, parsing it the way Bolt does.

    Bolt reads `application/json` as JSON, and anything starting with `{` too
    whatever its label; other bodies as a form, and a form holding `payload`
    as that field's JSON. Slack sends JSON for events and forms otherwise.
    """
    media = (content_type or "").split(";")[0]
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _malformed("the body is not UTF-8") from None
    if not text:
        raise _malformed("the body is empty")
    if media == JSON:
        check_event(_json_object(text, "the JSON body"))
    elif media == FORM:
        check_form(text)
    else:
        raise _malformed("the content type is neither JSON nor a form")


def check_form(text: str) -> None:
    if text.startswith("{"):
        raise _malformed("a JSON body is labelled as a form")
    fields = dict(parse_qsl(text, keep_blank_values=True))
    if "payload" in fields:
        check_interaction(_json_object(fields["payload"], "the payload"))
    else:
        check_command(fields)


def mentions_payload_in_passing(content_type: str | None, body: bytes) -> bool:
    """A form with no `payload` field whose text has the word: "/stage add Cut the payload".

    Bolt's test for an interaction is a substring: it reads such a form as an
    empty one and answers nothing. The edge, having verified the request, hands
    Bolt the same fields with the word's "a" percent-encoded (they decode to the
    very same text) and signs that body as Slack would, with the same timestamp:
    a replay of the request becomes the same body and signature again.
    """
    if (content_type or "").split(";")[0] != FORM or b"payload" not in body:
        return False
    return "payload" not in dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        raise _malformed(f"{what} is not JSON") from None
    except RecursionError:
        raise _malformed(f"{what} is nested too deeply") from None
    if not isinstance(value, dict):
        raise _malformed(f"{what} is not a JSON object")
    return value


def check_command(fields: Mapping[str, str]) -> None:
    """A slash command names itself, its workspace, person and channel, as Slack always does."""
    if fields.get("ssl_check") == "1":  # Slack checking our certificate: Bolt answers it.
        return
    for name in ("command", "team_id", "user_id", "channel_id"):
        if not fields.get(name):
            raise _malformed(f"the slash command has no {name}")


# What an Events API delivery can be. Bolt routes a JSON body by its `type` alone, so one
# typed as an interaction (which Slack sends only as a form's `payload`) would reach the
# interaction listeners without the checks a payload gets.
EVENT_ENVELOPES = ("event_callback", "url_verification", "app_rate_limited")


def check_event(envelope: Mapping[str, Any]) -> None:
    """An Events API delivery: a typed envelope; an event callback carries a typed event."""
    _check_context(envelope)
    kind = _required(envelope, "type", str, "the event envelope")
    if kind not in EVENT_ENVELOPES:
        raise _malformed("the JSON body is not an Events API delivery")
    if kind == "event_callback":
        event = _required(envelope, "event", dict, "the event envelope")
        _required(event, "type", str, "the event")


def check_interaction(payload: Mapping[str, Any]) -> None:
    """An interaction: typed, from a person, and for the kinds we route on, what routing reads."""
    _check_context(payload)
    kind = _required(payload, "type", str, "the interaction")
    user = _required(payload, "user", dict, "the interaction")
    _required(user, "id", str, "the interaction's user")
    if isinstance(payload.get("team"), dict):
        _required(payload["team"], "id", str, "the interaction's team")
    if kind == "block_actions":
        actions = _required(payload, "actions", list, "the interaction")
        if not actions or not all(isinstance(action, dict) for action in actions):
            raise _malformed("the interaction's actions are not a list of actions")
        for action in actions:
            _required(action, "action_id", str, "an action")
    if kind in ("view_submission", "view_closed"):
        view = _required(payload, "view", dict, "the interaction")
        _required(view, "callback_id", str, "the view")
    if kind == "view_submission":
        # Bolt reads the view's type while it builds any listener's arguments.
        _required(payload["view"], "type", str, "the view")
        state = _required(payload["view"], "state", dict, "the view")
        _required(state, "values", dict, "the view's state")


# What Bolt reads, with `in` and `len`, while it builds any request's context: of
# these types or absent, or it crashes before a listener is chosen.
_CONTEXT_TYPES: dict[str, tuple[type, ...]] = {
    "authorizations": (list, type(None)),
    "enterprise": (str, dict, type(None)),
    "team": (str, dict, type(None)),
    "user": (str, dict, type(None)),
    "channel": (str, dict, type(None)),
    "event": (dict,),
    "view": (dict,),
}


def _check_context(body: Mapping[str, Any]) -> None:
    """The context fields of the body, of its event and of its first authorization."""
    for name, types in _CONTEXT_TYPES.items():
        if name in body and not isinstance(body[name], types):
            raise _malformed(f"the field {name} is of the wrong type")
    authorizations = body.get("authorizations") or []
    if not all(isinstance(each, dict) for each in authorizations):
        raise _malformed("the authorizations are not a list of objects")
    for nested in (body.get("event"), *authorizations[:1]):
        if nested is not None:
            _check_context(nested)


_KIND_NAMES: dict[type, str] = {str: "text", dict: "an object", list: "a list"}


def _required(body: Mapping[str, Any], name: str, kind: type, what: str) -> Any:
    value = body.get(name)
    if not isinstance(value, kind):
        raise _malformed(f"{what}'s {name} is missing or not {_KIND_NAMES[kind]}")
    return value


def _answer(start_response: Callable[..., Any], status: str, text: str) -> list[bytes]:
    body = text.encode()
    start_response(
        status,
        [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
    )
    return [body]
