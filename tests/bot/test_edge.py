"""The edge's pure parts: Slack's signature, the bounded read, genuine payloads' shapes."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.edge import (
    MAX_BODY_BYTES,
    Refused,
    check_shape,
    read_body,
    signature_of,
)

PAYLOADS = Path(__file__).parent.parent / "payloads"
FORM = "application/x-www-form-urlencoded"


def _payload(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((PAYLOADS / name).read_text())
    return loaded


def test_slacks_known_answer_vector() -> None:
    example = _payload("slash_command.json")
    known = example["signing_known_answer"]

    signature = signature_of(
        known["signing_secret"].encode(),
        known["x_slack_request_timestamp"],
        example["raw_body"].encode(),
    )

    assert signature == known["x_slack_signature"]


def test_an_undeclared_body_over_the_limit_is_refused_after_reading_one_byte_past_it() -> None:
    stream = io.BytesIO(b"x" * (2 * MAX_BODY_BYTES))
    environ = {"wsgi.input": stream, "wsgi.input_terminated": True}

    with pytest.raises(Refused) as refusal:
        read_body(environ)

    assert refusal.value.status.startswith("413")
    assert stream.tell() == MAX_BODY_BYTES + 1


def test_an_undeclared_body_at_the_limit_is_read_whole() -> None:
    body = b"x" * MAX_BODY_BYTES
    assert read_body({"wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True}) == body


def test_without_a_length_or_a_terminated_input_there_is_no_body_to_read() -> None:
    # PEP 3333: reading on would wait for a keep-alive client that sent nothing more.
    assert read_body({"wsgi.input": io.BytesIO(b"never read")}) == b""


@pytest.mark.parametrize("declared", ["abc", "-1", "1e3", " 12"])
def test_a_content_length_that_is_not_a_number_is_refused(declared: str) -> None:
    with pytest.raises(Refused) as refusal:
        read_body({"wsgi.input": io.BytesIO(b"x"), "CONTENT_LENGTH": declared})
    assert refusal.value.status.startswith("400")


EVENTS = [
    "app_home_opened.json",
    "app_mention.json",
    "app_mention_in_thread.json",
    "message_in_thread.json",
    "message_thread_broadcast.json",
    "url_verification.json",
]
INTERACTIONS = [
    "block_actions.json",
    "message_action.json",
    "shortcut_global.json",
    "view_submission.json",
]


@pytest.mark.parametrize("name", EVENTS)
def test_every_captured_event_has_the_right_shape(name: str) -> None:
    check_shape("application/json", json.dumps(_payload(name)).encode())


@pytest.mark.parametrize("name", INTERACTIONS)
def test_every_captured_interaction_has_the_right_shape(name: str) -> None:
    body = urlencode({"payload": json.dumps(_payload(name))}).encode()
    check_shape(FORM, body)


@pytest.mark.parametrize("name", ["slash_command.json", "slash_command_enterprise.json"])
def test_every_captured_slash_command_has_the_right_shape(name: str) -> None:
    example = _payload(name)
    check_shape(example["content_type"], example["raw_body"].encode())
