"""The HTTP edge, through the real app over HTTP (SPEC §6, issue 9 items 1, 2, 4 and 5).

Unverified requests get 401 and make no outbound call; bodies over 1 MB get
413 unread; malformed bodies get 400 and one warning line; nothing a person
wrote reaches the log; an identical signed request is processed once, across
instances. Refusals happen before the database is touched, so those tests
run on SQLite only; the replay record runs on both databases.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote_plus, urlencode, urlsplit

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from bot.console.requests import FORM, JSON, SignedRequest
from bot.console.standin import SlackStandIn
from storage.models import Feedback, SeenRequest, Stage

from .conftest import (
    CHANNEL,
    LEAD,
    PARTNER,
    SIGNING_SECRET,
    TEAM,
    Response,
    Workspace,
    button_in,
    serving,
)

# Words chosen so that URL-encoding leaves them as they are: the log is searched for both.
SECRET_FEEDBACK = "TheWardSisterShoutedAtMe"


@pytest.fixture
def solo(sqlite_url: str, standin: SlackStandIn) -> Iterator[Workspace]:
    """A workspace of its own on SQLite, its stand-in's record clear of start-up's auth.test."""
    with serving(sqlite_url, standin) as running:
        standin.reset()
        yield running


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """One app for the many malformed bodies, none of which gets as far as the database."""
    folder: Path = tmp_path_factory.mktemp("edge")
    with SlackStandIn(team_id=TEAM) as standin, serving(f"sqlite:///{folder}/c.db", standin) as ws:
        yield ws


def signed_bytes(body: bytes, content_type: str | None, *, timestamp: str | None = None) -> dict:
    """Headers that sign `body` exactly as Slack does, whatever the body holds."""
    at = str(int(time.time())) if timestamp is None else timestamp
    digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{at}:".encode() + body, hashlib.sha256)
    headers = {"x-slack-request-timestamp": at, "x-slack-signature": f"v0={digest.hexdigest()}"}
    return headers if content_type is None else {**headers, "content-type": content_type}


def post_bytes(workspace: Workspace, body: bytes, headers: dict[str, str]) -> Response:
    """POST exactly these headers (urllib would add a Content-Type of its own)."""
    address = urlsplit(workspace.url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=10)
    started = time.perf_counter()
    try:
        connection.request("POST", "/slack/events", body=body, headers=headers)
        answer = connection.getresponse()
        return Response(answer.status, answer.read().decode(), time.perf_counter() - started)
    finally:
        connection.close()


def stage_list(workspace: Workspace) -> SignedRequest:
    """A slash command whose response_url the stand-in serves: any call to it is recorded."""
    return workspace.requests.slash_command("/stage", "list", user_id=LEAD, channel_id=CHANNEL)


# -- 1. unverified requests -------------------------------------------------------------


TIMESTAMPS = {
    "letters": "abc",
    "empty": "",
    "two-quotes": "''",
    "fraction": "{now}.5",
    "missing": None,
    "plus-sign": "+{now}",
    "exponent": "1e9",
    "arabic-digits": "١٧",
    "stale": "{stale}",
    "future": "{future}",
}


@pytest.mark.parametrize("timestamp", TIMESTAMPS.values(), ids=TIMESTAMPS.keys())
def test_a_malformed_or_distant_timestamp_gets_401_and_nothing_is_called(solo, timestamp, caplog):
    """Signed correctly over whatever the header says: only the timestamp is wrong."""
    body = stage_list(solo).body.encode()
    now = int(time.time())
    header = (timestamp or "0").format(now=now, stale=now - 301, future=now + 301)
    headers = signed_bytes(body, FORM, timestamp=header)
    if timestamp is None:
        del headers["x-slack-request-timestamp"]
    else:
        headers["x-slack-request-timestamp"] = header.encode().decode("latin-1")

    with caplog.at_level(logging.DEBUG):
        answer = post_bytes(solo, body, headers)

    assert answer.status == 401
    assert solo.standin.calls == []
    assert [r.exc_info for r in caplog.records if r.exc_info] == []


def test_a_wrong_or_malformed_signature_gets_401_and_nothing_is_called(solo):
    body = stage_list(solo).body.encode()
    good = signed_bytes(body, FORM)
    for signature in ("", "v0=" + "0" * 64, "v1=" + good["x-slack-signature"][3:], "v0=Ω"):
        headers = {**good, "x-slack-signature": signature.encode().decode("latin-1")}
        assert post_bytes(solo, body, headers).status == 401
    assert post_bytes(solo, body + b"&text=tampered", good).status == 401
    assert solo.standin.calls == []


# -- 2. body size and what reaches the log ----------------------------------------------


def test_a_body_declared_over_1_mb_gets_413_at_once_without_being_read(shared):
    address = urlsplit(shared.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=3)
    try:
        connection.putrequest("POST", "/slack/events")
        connection.putheader("Content-Type", FORM)
        connection.putheader("Content-Length", str(2 * 1024 * 1024))
        connection.endheaders(b"payload=tiny")
        started = time.perf_counter()
        answer = connection.getresponse()
        seconds = time.perf_counter() - started
        assert answer.status == 413
        answer.read()
    finally:
        connection.close()
    assert seconds < 1


def test_a_stale_anonymous_feedback_form_leaves_no_trace_of_its_giver_in_the_log(solo, caplog):
    assert solo.command("/feedback", "", user=PARTNER).status == 200
    view = solo.opened_view(1)
    values = {
        "anonymous": {
            "anonymous": {"type": "checkboxes", "selected_options": [{"value": "anonymous"}]}
        },
        "text": {"text": {"type": "plain_text_input", "value": SECRET_FEEDBACK}},
    }
    fresh = solo.requests.view_submission(user_id=PARTNER, view=view, values=values)
    stale = solo.requests.sign(fresh.body, FORM, timestamp=int(time.time()) - 600)
    caplog.clear()

    with caplog.at_level(logging.DEBUG):
        answer = solo.send(stale)

    assert answer.status == 401
    logged = caplog.text + "".join(str(record.__dict__) for record in caplog.records)
    for secret in (PARTNER, SECRET_FEEDBACK, quote_plus(json.dumps(SECRET_FEEDBACK))):
        assert secret not in logged
    with Session(solo.runtime.engine) as session:
        assert session.exec(select(Feedback)).all() == []


# -- 4. malformed bodies ----------------------------------------------------------------

DEEP = b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
COMMAND = urlencode({"team_id": TEAM, "user_id": LEAD, "channel_id": CHANNEL, "text": "list"})


def _payload(value: object) -> bytes:
    return urlencode({"payload": json.dumps(value)}).encode()


def _interaction(**fields: object) -> bytes:
    base = {"type": "block_actions", "user": {"id": LEAD}, "team": {"id": TEAM}}
    return _payload({**base, **fields})


MALFORMED = {
    "invalid-json": (b'{"type": "event_callback",', JSON),
    "json-list": (b"[1, 2]", JSON),
    "json-string": (b'"event_callback"', JSON),
    "json-number": (b"42", JSON),
    "json-null": (b"null", JSON),
    "deep-nesting": (DEEP, JSON),
    "invalid-utf8": (b'{"type": "\xff\xfe"}', JSON),
    "payload-not-json": (b"payload=%7Bnot-json", FORM),
    "payload-list": (_payload([1]), FORM),
    "payload-string": (_payload("block_actions"), FORM),
    "payload-deep": (b"payload=" + DEEP, FORM),
    "form-labelled-json": (COMMAND.encode(), JSON),
    "json-labelled-form": (b'{"type": "event_callback"}', FORM),
    "empty": (b"", FORM),
    "no-content-type": (COMMAND.encode(), None),
    "text-plain": (COMMAND.encode(), "text/plain"),
    "payload-mentioned-but-absent": (b"payloadx=1", FORM),
    "command-without-command": (COMMAND.encode(), FORM),
    "interaction-without-type": (_payload({"user": {"id": LEAD}}), FORM),
    "interaction-user-not-object": (_interaction(user=7), FORM),
    "interaction-team-number": (_interaction(team=7), FORM),
    "block-actions-without-actions": (_interaction(actions=[]), FORM),
    "action-without-action-id": (_interaction(actions=[{"value": "1"}]), FORM),
    "view-not-object": (_interaction(type="view_submission", view="v"), FORM),
    "view-without-type": (
        _interaction(type="view_submission", view={"callback_id": "x", "state": {"values": {}}}),
        FORM,
    ),
    # Slack sends interactions only as a form's payload; Bolt would route these by their type.
    "json-labelled-view-submission": (
        json.dumps(
            {"type": "view_submission", "user": {"id": LEAD}, "view": {"callback_id": "x"}}
        ).encode(),
        JSON,
    ),
    "json-labelled-block-actions": (
        json.dumps({"type": "block_actions", "user": {"id": LEAD}, "actions": "x"}).encode(),
        JSON,
    ),
    "event-not-object": (json.dumps({"type": "event_callback", "event": "x"}).encode(), JSON),
    "event-without-type": (json.dumps({"type": "event_callback", "event": {}}).encode(), JSON),
    "envelope-without-type": (json.dumps({"event": {"type": "app_mention"}}).encode(), JSON),
    "authorizations-of-strings": (
        json.dumps(
            {"type": "event_callback", "event": {"type": "x"}, "authorizations": ["x"]}
        ).encode(),
        JSON,
    ),
    "enterprise-number": (json.dumps({"type": "url_verification", "enterprise": 1}).encode(), JSON),
}


@pytest.mark.parametrize(("body", "content_type"), MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_signed_body_gets_400_and_one_warning_without_a_traceback(
    shared, body, content_type, caplog
):
    with caplog.at_level(logging.DEBUG):
        answer = post_bytes(shared, body, signed_bytes(body, content_type))

    assert answer.status == 400
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.name for r in warnings] == ["bot.edge"]
    assert [r for r in caplog.records if r.exc_info] == []
    assert "\n" not in warnings[0].getMessage()


# -- 5. replays -------------------------------------------------------------------------


def _count(workspace: Workspace, model: type) -> int:
    with Session(workspace.runtime.engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_the_same_signed_command_sent_three_times_adds_one_stage(workspace):
    request = workspace.requests.slash_command(
        "/stage", "add Pilot the rota", user_id=LEAD, channel_id=CHANNEL
    )
    first, *replays = [workspace.send(request) for _ in range(3)]

    assert first.status == 200
    assert "Pilot the rota" in first.text
    assert [(r.status, r.body) for r in replays] == [(200, ""), (200, "")]
    assert _count(workspace, Stage) == 1


def test_a_command_whose_text_mentions_payload_is_done_and_replayed_once(workspace):
    # Bolt reads any form with the word in it as an interaction, and would answer nothing.
    request = workspace.requests.slash_command(
        "/stage", "add Cut the payload of the trolleys", user_id=LEAD, channel_id=CHANNEL
    )
    first, replay = workspace.send(request), workspace.send(request)
    assert first.status == 200
    assert "Added stage *1.* Cut the payload of the trolleys" in first.text
    assert (replay.status, replay.body) == (200, "")
    with Session(workspace.runtime.engine) as session:
        assert session.exec(select(Stage.title)).all() == ["Cut the payload of the trolleys"]
    said = workspace.command("/feedback", "payload=payload&payload")
    assert "your feedback on the project is recorded" in said.text
    with Session(workspace.runtime.engine) as session:
        assert session.exec(select(Feedback.text)).all() == ["payload=payload&payload"]


def test_the_same_signed_form_submitted_three_times_stores_one_feedback(workspace):
    assert workspace.command("/feedback", "", user=PARTNER).status == 200
    view = workspace.opened_view(1)
    values = {"text": {"text": {"type": "plain_text_input", "value": "Good start"}}}
    request = workspace.requests.view_submission(user_id=PARTNER, view=view, values=values)

    first, *replays = [workspace.send(request) for _ in range(3)]

    assert first.status == 200
    assert [(r.status, r.body) for r in replays] == [(200, ""), (200, "")]
    assert _count(workspace, Feedback) == 1


def test_the_same_signed_button_press_sent_twice_acts_and_answers_once(workspace):
    workspace.stage("add Order furniture")
    workspace.stage("add Train staff")
    question = {**workspace.stage("remove 1").json(), "message_ts": "1700000000.000100"}
    press = workspace.requests.block_action(
        user_id=LEAD,
        channel_id=CHANNEL,
        message=question,
        action=button_in(question, "remove_stage"),
    )

    first, replay = workspace.send(press), workspace.send(press)
    # Every press is acked at once and worked on afterwards: wait for that work to end.
    workspace.runtime.command_pool.shutdown(wait=True)

    assert (first.status, replay.status, replay.body) == (200, 200, "")
    # A second removal would have been told "That stage is no longer in the plan".
    (answer,) = workspace.standin.calls_to("response_url")
    assert "Removed Order furniture" in json.dumps(answer.args)
    assert _count(workspace, Stage) == 1


def test_two_instances_on_one_database_share_the_replay_record(database_url, standin):
    with serving(database_url, standin) as first, serving(database_url, standin) as second:
        request = first.requests.slash_command(
            "/stage", "add Pilot the rota", user_id=LEAD, channel_id=CHANNEL
        )
        assert "Pilot the rota" in first.send(request).text
        replay = second.send(request)
        assert (replay.status, replay.body) == (200, "")
        assert _count(second, Stage) == 1


def test_seen_signatures_expire_with_their_timestamp(workspace):
    request = workspace.requests.slash_command("/stage", "list", user_id=LEAD, channel_id=CHANNEL)
    assert workspace.send(request).status == 200
    with Session(workspace.runtime.engine) as session:
        (seen,) = session.exec(select(SeenRequest)).all()
    sent_at = int(request.headers["x-slack-request-timestamp"])
    assert seen.signature == request.headers["x-slack-signature"].removeprefix("v0=")
    assert seen.expires_at.timestamp() == sent_at + 300
