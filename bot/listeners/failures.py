"""The second tier of errors: anything that is not a domain error is a bug, told once.

`tell_the_user_briefly` is the app's `@app.error` handler and the one place a
listener's unexpected failure is logged (with its traceback, never with the
request's body) and answered, whichever surface it came from:

- a slash command's ack says, in one sentence, that nothing was changed;
- a button's presser is told the same privately, through its response URL;
- a form stays open with that sentence under its first field;
- an event gets a 500, so that Slack delivers it again (it was not stored).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from slack_bolt import BoltResponse, Respond

from bot.views import replies

log = logging.getLogger(__name__)

JSON_HEADERS: dict[str, str | Sequence[str]] = {"content-type": "application/json;charset=utf-8"}


def tell_the_user_briefly(
    error: Exception, body: dict[str, Any], respond: Respond | None = None
) -> BoltResponse:
    kind = kind_of(body)
    log_failure(error, kind)
    if kind == "event":
        return BoltResponse(status=500, body="")
    if kind == "command":
        answer = {"response_type": "ephemeral", **replies.failure().payload()}
        return BoltResponse(status=200, body=json.dumps(answer), headers=JSON_HEADERS)
    if kind == "form":
        answer = {"response_action": "errors", "errors": {first_input(body): replies.FAILED}}
        return BoltResponse(status=200, body=json.dumps(answer), headers=JSON_HEADERS)
    if respond is not None and body.get("response_url"):
        apologise(respond)
    return BoltResponse(status=200, body="")


def log_failure(error: BaseException, surface: str) -> None:
    """The traceback, and which surface failed; never the request's body or anyone's words."""
    log.error("unhandled error in a %s listener", surface, exc_info=error)


def apologise(respond: Respond) -> None:
    """Tell the person who acted, privately, that it failed and nothing was changed."""
    respond(response_type="ephemeral", replace_original=False, **replies.failure().payload())


def kind_of(body: dict[str, Any]) -> str:
    if body.get("type") == "event_callback":
        return "event"
    if body.get("type") == "view_submission":
        return "form"
    if "command" in body:
        return "command"
    return "interaction"


def first_input(body: dict[str, Any]) -> str:
    """The block id of a submitted form's first input, where a form-wide error is shown."""
    for block in (body.get("view") or {}).get("blocks") or []:
        if block.get("type") == "input" and block.get("block_id"):
            return str(block["block_id"])
    return "general"
