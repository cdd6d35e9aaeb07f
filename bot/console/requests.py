"""What Slack sends to the app, signed exactly as Slack signs it.

The tests POST these to the app over HTTP; the console hands them to
`bolt_app.dispatch(signed.bolt_request())`. Either way the app's real signature
check, parsing and routing run, so the shapes below follow the captured payloads in
tests/payloads/ rather than what the app happens to read today.

Given the stand-in, a request carries a response_url served by it (bound to the channel,
user and message involved, so `replace_original` acts on the right message) and user and
channel names from its directory.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from slack_bolt import BoltRequest

from bot.console.standin import DEFAULT_BOT_USER_ID, SlackStandIn, shown_message

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# The deprecated verification token Slack still puts in payloads; Bolt ignores it.
VERIFICATION_TOKEN = "local-verification-token"  # noqa: S105 - a placeholder, not a secret
# Without a stand-in, response_urls point at loopback's discard port: a response the app
# sends fails fast instead of ever reaching hooks.slack.com.
_NOWHERE = "http://127.0.0.1:9"


@dataclass(frozen=True)
class SignedRequest:
    """A request body and the headers Slack sends with it (lower-case names, as Bolt reads)."""

    body: str
    headers: dict[str, str]

    def bolt_request(self) -> BoltRequest:
        """The request for in-process `App.dispatch`, as Bolt's HTTP adapters would build it."""
        headers: dict[str, str | Sequence[str]] = dict(self.headers)
        return BoltRequest(body=self.body, headers=headers)


class RequestFactory:
    """Builds signed slash commands, interactions and events for one workspace and app."""

    def __init__(
        self,
        *,
        signing_secret: str,
        team_id: str = "T0CHANGE",
        team_domain: str = "local",
        api_app_id: str = "A0CHANGE",
        standin: SlackStandIn | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secret = signing_secret.encode()
        self.team_id = team_id
        self.team_domain = team_domain
        self.api_app_id = api_app_id
        self._standin = standin
        self._clock = clock
        self._numbers = itertools.count(1)

    def sign(self, body: str, content_type: str, *, timestamp: int | None = None) -> SignedRequest:
        """Sign `body` now, or at `timestamp` (how tests forge stale requests)."""
        at = int(self._clock()) if timestamp is None else timestamp
        base = f"v0:{at}:{body}".encode()
        digest = hmac.new(self._secret, base, hashlib.sha256).hexdigest()
        headers = {
            "content-type": content_type,
            "x-slack-request-timestamp": str(at),
            "x-slack-signature": f"v0={digest}",
        }
        return SignedRequest(body, headers)

    def slash_command(
        self,
        command: str,
        text: str,
        *,
        user_id: str,
        channel_id: str,
        channel_name: str | None = None,
    ) -> SignedRequest:
        """A slash command; the channel name comes from the stand-in unless given."""
        fields = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel_id,
            "channel_name": channel_name or self._channel(channel_id)["name"],
            "user_id": user_id,
            "user_name": self._user(user_id)["name"],
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": self._response_url(channel=channel_id, user=user_id),
            "trigger_id": self._trigger_id(),
        }
        return self.sign(urlencode(fields), FORM)

    def block_action(
        self, *, user_id: str, channel_id: str, message: dict[str, Any], action: dict[str, Any]
    ) -> SignedRequest:
        """A click in a message the stand-in stored, posted or ephemeral.

        `action` is the element from the message's blocks plus what the user chose (a
        `selected_option`, say); its block_id is looked up in the message when missing.
        Ephemeral messages (stored with `message_ts`) come without a `message`, as in Slack.
        """
        is_ephemeral = "ts" not in message
        message_ts = message["message_ts"] if is_ephemeral else message["ts"]
        payload = {
            **self._interaction("block_actions", user_id),
            "container": {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel_id,
                "is_ephemeral": is_ephemeral,
            },
            "channel": self._channel(channel_id),
            "state": {"values": {}},
            "response_url": self._response_url(
                channel=channel_id, user=user_id, message_ts=message_ts
            ),
            "actions": [self._action(message.get("blocks") or [], action)],
        }
        if not is_ephemeral:
            payload["message"] = shown_message(message)
        return self._payload(payload)

    def view_action(
        self, *, user_id: str, view: dict[str, Any], action: dict[str, Any]
    ) -> SignedRequest:
        """A click inside a modal or Home tab, `view` as the stand-in stored it."""
        payload = {
            **self._interaction("block_actions", user_id),
            "container": {"type": "view", "view_id": view["id"]},
            "view": view,
            "actions": [self._action(view.get("blocks") or [], action)],
        }
        return self._payload(payload)

    def view_submission(
        self, *, user_id: str, view: dict[str, Any], values: dict[str, Any]
    ) -> SignedRequest:
        """A modal submitted with `values` in Slack's state shape: block_id → action_id → value."""
        payload = {
            **self._interaction("view_submission", user_id),
            "view": {**view, "state": {"values": values}},
            "response_urls": [],
        }
        return self._payload(payload)

    def message_shortcut(
        self, *, user_id: str, channel_id: str, callback_id: str, message: dict[str, Any]
    ) -> SignedRequest:
        payload = {
            **self._interaction("message_action", user_id),
            "callback_id": callback_id,
            "action_ts": self._now_ts(),
            "channel": self._channel(channel_id),
            "message_ts": message["ts"],
            "message": shown_message(message),
            "response_url": self._response_url(
                channel=channel_id, user=user_id, message_ts=message["ts"]
            ),
        }
        return self._payload(payload)

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> SignedRequest:
        """An Events API delivery; a retry repeats the event_id with the retry headers."""
        envelope = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "api_app_id": self.api_app_id,
            "event": {"event_ts": self._now_ts(), **event},
            "type": "event_callback",
            # Unique across runs: the app de-duplicates on it in a database that outlives us.
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:12].upper()}",
            "event_time": int(self._clock()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self._standin.bot_user_id if self._standin else DEFAULT_BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"1-{event.get('type')}-{self.team_id}-{event.get('channel', '')}",
        }
        signed = self.sign(json.dumps(envelope), JSON)
        if retry_num is None:
            return signed
        retry = {"x-slack-retry-num": str(retry_num), "x-slack-retry-reason": retry_reason}
        return replace(signed, headers={**signed.headers, **retry})

    def _payload(self, payload: dict[str, Any]) -> SignedRequest:
        """Interactive payloads travel as JSON in the `payload` field of a form."""
        return self.sign(urlencode({"payload": json.dumps(payload)}), FORM)

    def _interaction(self, kind: str, user_id: str) -> dict[str, Any]:
        """The fields every interactive payload starts with."""
        return {
            "type": kind,
            "token": VERIFICATION_TOKEN,
            "api_app_id": self.api_app_id,
            "team": {"id": self.team_id, "domain": self.team_domain},
            "user": self._user(user_id),
            "trigger_id": self._trigger_id(),
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def _action(self, blocks: list[dict[str, Any]], action: dict[str, Any]) -> dict[str, Any]:
        block_id = action.get("block_id") or _block_id_of(blocks, action["action_id"])
        return {**action, "block_id": block_id, "action_ts": self._now_ts()}

    def _user(self, user_id: str) -> dict[str, str]:
        name = self._standin.user_info(user_id)["name"] if self._standin else user_id.lower()
        return {"id": user_id, "username": name, "name": name, "team_id": self.team_id}

    def _channel(self, channel_id: str) -> dict[str, str]:
        name = self._standin.channel_info(channel_id)["name"] if self._standin else "project"
        return {"id": channel_id, "name": name}

    def _response_url(self, *, channel: str, user: str, message_ts: str | None = None) -> str:
        if self._standin is None:
            return f"{_NOWHERE}/response/{next(self._numbers)}"
        return self._standin.new_response_url(channel=channel, user=user, message_ts=message_ts)

    def _trigger_id(self) -> str:
        return f"{next(self._numbers)}.{self.team_id}.{uuid.uuid4().hex}"

    def _now_ts(self) -> str:
        return f"{self._clock():.6f}"


class ElementGone(ValueError):
    """The element pressed is no longer in its message or view (an edit removed it)."""


def _block_id_of(blocks: list[dict[str, Any]], action_id: str) -> str:
    """The block holding the element; Slack gives id-less blocks one, so do we (by position)."""
    for index, block in enumerate(blocks):
        elements = [block.get("accessory"), block.get("element"), *block.get("elements", [])]
        if any(isinstance(e, dict) and e.get("action_id") == action_id for e in elements):
            return block.get("block_id") or f"block-{index}"
    raise ElementGone(f"no element with action_id {action_id!r} in these blocks")
