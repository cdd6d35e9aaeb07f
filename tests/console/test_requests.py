"""Signed requests: Slack's signature, the payload shapes, and a real Bolt app receiving them.

The Bolt app here is a tiny one built in the test, pointed at the stand-in; what matters is
that Bolt verifies, parses and routes every kind of request the factory makes, as it does
the real payloads in tests/payloads/.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_bolt import Ack, App, BoltRequest, BoltResponse, Respond
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bot.console.requests import FORM, JSON, RequestFactory, SignedRequest
from bot.console.standin import SlackStandIn

SECRET = "test-signing-secret"
PAYLOADS = Path(__file__).parent.parent / "payloads"


def fixture_payload(name: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads((PAYLOADS / name).read_text())
    return payload


def form(request: SignedRequest) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(request.body).items()}


def interactive(request: SignedRequest) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(form(request)["payload"])
    return payload


def section_with_button(block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "Stage 1 is due"},
        "accessory": {
            "type": "button",
            "action_id": "done",
            "text": {"type": "plain_text", "text": "Done"},
            "value": "stage-1",
        },
    }
    return {**block, "block_id": block_id} if block_id else block


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn() as running:
        running.add_user("U1", "ada", real_name="Ada Lovelace")
        running.add_channel("C1", "improvement")
        yield running


@pytest.fixture
def factory(standin: SlackStandIn) -> RequestFactory:
    return RequestFactory(signing_secret=SECRET, standin=standin)


@pytest.fixture
def client(standin: SlackStandIn) -> WebClient:
    return WebClient(base_url=standin.api_url, token="xoxb-test")


class Seen:
    """What the Bolt listeners received, by listener."""

    def __init__(self) -> None:
        self.bodies: dict[str, dict[str, Any]] = {}
        self.retry_num: list[str] = []


@pytest.fixture
def seen() -> Seen:
    return Seen()


@pytest.fixture
def app(standin: SlackStandIn, seen: Seen) -> App:
    """A Bolt app with one listener per request kind; it calls auth.test on the stand-in."""
    bolt = App(
        signing_secret=SECRET,
        client=WebClient(base_url=standin.api_url, token="xoxb-x"),
        process_before_response=True,
    )

    @bolt.command("/stage")
    def stage(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        seen.bodies["command"] = body
        respond(f"Stage: {body['text']}")

    @bolt.action("done")
    def done(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        seen.bodies["action"] = body
        if body["container"]["type"] == "message":
            respond(text="Marked done", replace_original=True)

    @bolt.view("stage_form")
    def submitted(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        seen.bodies["view"] = body

    @bolt.shortcut("log_concern")
    def shortcut(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        seen.bodies["shortcut"] = body

    @bolt.event("app_mention")
    def mentioned(body: dict[str, Any], request: BoltRequest) -> None:
        seen.bodies["event"] = body
        seen.retry_num.extend(request.headers.get("x-slack-retry-num", []))

    return bolt


def dispatch(app: App, request: SignedRequest) -> BoltResponse:
    return app.dispatch(request.bolt_request())


# -- signing ----------------------------------------------------------------------------


def test_slacks_known_answer_vector() -> None:
    example = fixture_payload("slash_command.json")
    known = example["signing_known_answer"]
    factory = RequestFactory(signing_secret=known["signing_secret"])

    signed = factory.sign(
        example["raw_body"], FORM, timestamp=int(known["x_slack_request_timestamp"])
    )

    assert signed.headers["x-slack-signature"] == known["x_slack_signature"]
    assert signed.headers["x-slack-request-timestamp"] == known["x_slack_request_timestamp"]
    assert signed.headers["content-type"] == FORM


def test_every_request_kind_verifies(factory: RequestFactory, standin: SlackStandIn) -> None:
    verifier = SignatureVerifier(SECRET)
    message = {"ts": "1700000000.000100", "text": "x", "blocks": [section_with_button("b")]}
    view = {"id": "V1", "callback_id": "c", "blocks": [section_with_button("b")]}
    requests = [
        factory.slash_command("/stage", "list", user_id="U1", channel_id="C1"),
        factory.block_action(
            user_id="U1", channel_id="C1", message=message, action={"action_id": "done"}
        ),
        factory.view_action(user_id="U1", view=view, action={"action_id": "done"}),
        factory.view_submission(user_id="U1", view=view, values={}),
        factory.message_shortcut(user_id="U1", channel_id="C1", callback_id="c", message=message),
        factory.event({"type": "app_mention", "channel": "C1"}, retry_num=2),
    ]

    for request in requests:
        assert verifier.is_valid_request(request.body, request.headers)


def test_the_clock_sets_the_timestamp() -> None:
    factory = RequestFactory(signing_secret=SECRET, clock=lambda: 1_531_420_618.5)

    signed = factory.event({"type": "app_mention"})

    assert signed.headers["x-slack-request-timestamp"] == "1531420618"
    assert json.loads(signed.body)["event_time"] == 1531420618
    assert json.loads(signed.body)["event"]["event_ts"] == "1531420618.500000"


# -- shapes -----------------------------------------------------------------------------


def test_slash_command_fields(factory: RequestFactory, standin: SlackStandIn) -> None:
    fields = form(
        factory.slash_command("/stage", "add Survey staff", user_id="U1", channel_id="C1")
    )

    assert set(fixture_payload("slash_command.json")["fields"]) <= set(fields)
    assert fields["command"] == "/stage"
    assert fields["text"] == "add Survey staff"
    assert fields["user_name"] == "ada"
    assert fields["channel_name"] == "improvement"
    assert fields["team_id"] == "T0CHANGE"
    assert fields["response_url"].startswith(f"{standin.base_url}/response/")


def test_payloads_have_the_fields_slack_sends(factory: RequestFactory) -> None:
    message = {"ts": "1700000000.000100", "thread_ts": None, "blocks": [section_with_button()]}
    view = {"id": "V1", "callback_id": "c", "private_metadata": "", "blocks": []}
    made = {
        "block_actions.json": interactive(
            factory.block_action(
                user_id="U1", channel_id="C1", message=message, action={"action_id": "done"}
            )
        ),
        "view_submission.json": interactive(
            factory.view_submission(user_id="U1", view=view, values={})
        ),
        "message_action.json": interactive(
            factory.message_shortcut(
                user_id="U1", channel_id="C1", callback_id="c", message=message
            )
        ),
        "app_mention.json": json.loads(factory.event({"type": "app_mention"}).body),
    }

    for name, payload in made.items():
        assert set(fixture_payload(name)) <= set(payload), name
    assert "thread_ts" not in made["block_actions.json"]["message"]


def test_block_action_finds_or_makes_the_block_id(factory: RequestFactory) -> None:
    named = {"ts": "1.000100", "blocks": [{"type": "divider"}, section_with_button("stage-1")]}
    unnamed = {"ts": "1.000200", "blocks": [{"type": "divider"}, section_with_button()]}

    def action(message: dict[str, Any]) -> dict[str, Any]:
        request = factory.block_action(
            user_id="U1", channel_id="C1", message=message, action={"action_id": "done"}
        )
        first: dict[str, Any] = interactive(request)["actions"][0]
        return first

    assert action(named)["block_id"] == "stage-1"
    assert action(unnamed)["block_id"] == "block-1"
    with pytest.raises(ValueError, match="no element with action_id 'done'"):
        action({"ts": "1.000300", "blocks": []})


def test_event_ids_are_fresh_unless_given_and_retries_are_marked(factory: RequestFactory) -> None:
    first = factory.event({"type": "app_mention"})
    second = factory.event({"type": "app_mention"})
    retry = factory.event({"type": "app_mention"}, event_id="Ev1", retry_num=1)

    ids = {json.loads(r.body)["event_id"] for r in (first, second, retry)}
    assert len(ids) == 3
    assert "Ev1" in ids
    assert retry.headers["x-slack-retry-num"] == "1"
    assert retry.headers["x-slack-retry-reason"] == "http_timeout"
    assert retry.headers["content-type"] == JSON
    assert "x-slack-retry-num" not in first.headers
    assert json.loads(first.body)["authorizations"][0]["user_id"] == "UCHANGEBOT"


def test_without_a_standin_nothing_points_at_slack() -> None:
    factory = RequestFactory(signing_secret=SECRET)

    fields = form(factory.slash_command("/stage", "", user_id="U7", channel_id="C7"))

    assert fields["response_url"].startswith("http://127.0.0.1:9/")
    assert fields["user_name"] == "u7"
    assert fields["channel_name"] == "project"


# -- a Bolt app receiving them ----------------------------------------------------------


def test_slash_command_reaches_the_listener(
    app: App, factory: RequestFactory, standin: SlackStandIn, seen: Seen
) -> None:
    response = dispatch(app, factory.slash_command("/stage", "list", user_id="U1", channel_id="C1"))

    assert response.status == 200
    assert seen.bodies["command"]["text"] == "list"
    assert standin.calls_to("response_url")[0].args["text"] == "Stage: list"
    assert standin.ephemerals[0]["user"] == "U1"
    assert standin.ephemerals[0]["channel"] == "C1"


def test_bad_or_stale_signatures_get_401(app: App, factory: RequestFactory, seen: Seen) -> None:
    good = factory.slash_command("/stage", "list", user_id="U1", channel_id="C1")
    tampered = SignedRequest(good.body.replace("list", "drop"), good.headers)
    stale = factory.sign(good.body, FORM, timestamp=int(time.time()) - 301)

    assert dispatch(app, tampered).status == 401
    assert dispatch(app, stale).status == 401
    assert seen.bodies == {}


def test_button_in_a_posted_message(
    app: App, factory: RequestFactory, standin: SlackStandIn, client: WebClient, seen: Seen
) -> None:
    ts = client.chat_postMessage(channel="C1", text="due", blocks=[section_with_button()])["ts"]
    message = standin.message("C1", ts)

    request = factory.block_action(
        user_id="U1", channel_id="C1", message=message, action=message["blocks"][0]["accessory"]
    )

    assert dispatch(app, request).status == 200
    body = seen.bodies["action"]
    assert body["actions"][0]["value"] == "stage-1"
    assert body["message"]["ts"] == ts
    assert body["container"] == {
        "type": "message",
        "message_ts": ts,
        "channel_id": "C1",
        "is_ephemeral": False,
    }
    assert standin.message("C1", ts)["text"] == "Marked done"


def test_button_in_an_ephemeral_message(
    app: App, factory: RequestFactory, standin: SlackStandIn, client: WebClient, seen: Seen
) -> None:
    client.chat_postEphemeral(channel="C1", user="U1", text="due", blocks=[section_with_button()])
    ephemeral = standin.ephemerals[0]

    request = factory.block_action(
        user_id="U1", channel_id="C1", message=ephemeral, action={"action_id": "done"}
    )

    assert dispatch(app, request).status == 200
    assert "message" not in seen.bodies["action"]
    assert seen.bodies["action"]["container"]["is_ephemeral"] is True
    assert standin.ephemerals == [{**ephemeral, "text": "Marked done"}]


def test_button_in_the_home_tab(
    app: App, factory: RequestFactory, standin: SlackStandIn, client: WebClient, seen: Seen
) -> None:
    client.views_publish(user_id="U1", view={"type": "home", "blocks": [section_with_button()]})
    home = standin.home_views["U1"]

    request = factory.view_action(user_id="U1", view=home, action={"action_id": "done"})

    assert dispatch(app, request).status == 200
    assert seen.bodies["action"]["view"]["id"] == home["id"]
    assert seen.bodies["action"]["container"] == {"type": "view", "view_id": home["id"]}


def test_view_submission(
    app: App, factory: RequestFactory, standin: SlackStandIn, client: WebClient, seen: Seen
) -> None:
    view = {
        "type": "modal",
        "callback_id": "stage_form",
        "private_metadata": '{"project": 7}',
        "title": {"type": "plain_text", "text": "New stage"},
        "submit": {"type": "plain_text", "text": "Add"},
        "blocks": [
            {
                "type": "input",
                "block_id": "title",
                "label": {"type": "plain_text", "text": "Title"},
                "element": {"type": "plain_text_input", "action_id": "value"},
            }
        ],
    }
    view_id = client.views_open(trigger_id="t", view=view)["view"]["id"]
    values = {"title": {"value": {"type": "plain_text_input", "value": "Survey staff"}}}

    request = factory.view_submission(user_id="U1", view=standin.views[view_id], values=values)

    assert dispatch(app, request).status == 200
    submitted = seen.bodies["view"]["view"]
    assert submitted["id"] == view_id
    assert submitted["private_metadata"] == '{"project": 7}'
    assert submitted["state"]["values"] == values
    assert seen.bodies["view"]["user"]["name"] == "ada"


def test_message_shortcut(
    app: App, factory: RequestFactory, standin: SlackStandIn, client: WebClient, seen: Seen
) -> None:
    ts = client.chat_postMessage(channel="C1", text="A concern")["ts"]

    request = factory.message_shortcut(
        user_id="U1", channel_id="C1", callback_id="log_concern", message=standin.message("C1", ts)
    )

    assert dispatch(app, request).status == 200
    body = seen.bodies["shortcut"]
    assert (body["message_ts"], body["message"]["text"]) == (ts, "A concern")
    assert body["channel"] == {"id": "C1", "name": "improvement"}


def test_event_and_its_retry(app: App, factory: RequestFactory, seen: Seen) -> None:
    event = {"type": "app_mention", "user": "U1", "text": "<@UCHANGEBOT> hi", "channel": "C1"}

    first = dispatch(app, factory.event({**event, "ts": "1.000100"}, event_id="EvSAME"))
    retry = dispatch(
        app, factory.event({**event, "ts": "1.000100"}, event_id="EvSAME", retry_num=1)
    )

    assert (first.status, retry.status) == (200, 200)
    assert seen.bodies["event"]["event_id"] == "EvSAME"
    assert seen.bodies["event"]["event"]["text"] == "<@UCHANGEBOT> hi"
    assert seen.retry_num == ["1"]
