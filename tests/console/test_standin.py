"""The Slack stand-in, driven by a real slack_sdk WebClient over loopback.

Every test talks HTTP to the stand-in exactly as the app does, so these also pin down that
slack_sdk's encodings (JSON for chat/views, forms for the rest, raw bytes for uploads) are
understood, and that faults reach the client the way Slack's would.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.webhook import WebhookClient

from bot.console.blockcheck import block_kit_problems, view_problems
from bot.console.standin import Call, SlackStandIn


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn() as running:
        yield running


@pytest.fixture
def client(standin: SlackStandIn) -> WebClient:
    return WebClient(base_url=standin.api_url, token="xoxb-test")


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(action_id: str, text: str = "Go", value: str = "v") -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": text},
        "value": value,
    }


def modal(**extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Stage"},
        "blocks": [],
        **extra,
    }


def api_error(call: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as raised:
        call()
    return raised.value


# -- lifecycle and auth -----------------------------------------------------------------


def test_urls_end_with_a_slash_and_auth_test_names_the_bot(
    standin: SlackStandIn, client: WebClient
) -> None:
    assert standin.api_url == f"{standin.base_url}/api/"
    assert standin.base_url.startswith("http://127.0.0.1:")

    answer = client.auth_test()

    assert answer["team_id"] == "T0CHANGE"
    assert answer["user_id"] == "UCHANGEBOT"
    assert answer["bot_id"] == "BCHANGEBOT"
    assert answer["team"] == "Local workspace"
    assert standin.calls[0].method == "auth.test"
    assert standin.calls[0].token == "xoxb-test"


def test_url_before_start_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="start"):
        _ = SlackStandIn().api_url


def test_unknown_method_and_missing_or_revoked_token(
    standin: SlackStandIn, client: WebClient
) -> None:
    assert api_error(lambda: client.api_call("chat.scheduleMessage")).response["error"] == (
        "unknown_method"
    )
    anonymous = WebClient(base_url=standin.api_url)
    assert api_error(anonymous.auth_test).response["error"] == "not_authed"

    standin.revoke("xoxb-test")
    assert api_error(client.auth_test).response["error"] == "invalid_auth"
    standin.revoke("xoxb-test", error="token_revoked")
    assert api_error(client.auth_test).response["error"] == "token_revoked"
    assert WebClient(base_url=standin.api_url, token="xoxb-other").auth_test()["ok"]


def test_socket_mode_is_not_simulated(client: WebClient) -> None:
    error = api_error(lambda: client.apps_connections_open(app_token="xapp-test"))
    assert error.response["error"] == "not_allowed_token_type"


def test_form_bodies_query_strings_and_token_params_are_understood(
    standin: SlackStandIn, client: WebClient
) -> None:
    blocks = '[{"type": "divider"}]'
    client.api_call("chat.postMessage", params={"channel": "C1", "blocks": blocks, "text": "t"})
    client.api_call("conversations.info", http_verb="GET", params={"channel": "C1"})
    WebClient(base_url=standin.api_url).api_call("auth.test", params={"token": "xoxb-param"})

    assert standin.messages("C1")[0]["blocks"] == [{"type": "divider"}]
    assert standin.calls[-1].token == "xoxb-param"
    assert "token" not in standin.calls[-1].args


def test_a_body_that_is_not_json_gets_invalid_json(standin: SlackStandIn) -> None:
    error = api_error(
        lambda: WebClient(base_url=standin.api_url, token="x").api_call(
            "chat.postMessage", params={"channel": "C1", "blocks": "[not json"}
        )
    )
    assert error.response["error"] == "invalid_json"


# -- messages ---------------------------------------------------------------------------


def test_post_message_answers_like_slack_and_keeps_the_message(
    standin: SlackStandIn, client: WebClient
) -> None:
    first = client.chat_postMessage(channel="C1", text="hello", blocks=[section("hello")])
    second = client.chat_postMessage(channel="C1", text="again", unfurl_links=False)

    assert first["channel"] == "C1"
    assert first["message"]["text"] == "hello"
    assert float(first["ts"]) < float(second["ts"])
    stored = standin.message("C1", first["ts"])
    assert stored["user"] == "UCHANGEBOT"
    assert stored["thread_ts"] is None
    assert stored["blocks"] == [section("hello")]
    assert [m["text"] for m in standin.messages("C1")] == ["hello", "again"]
    assert standin.calls_to("chat.postMessage")[1].args["unfurl_links"] is False


def test_a_message_needs_text_or_blocks(client: WebClient) -> None:
    # Through api_call: chat_postMessage itself warns before sending a message without text.
    error = api_error(lambda: client.api_call("chat.postMessage", json={"channel": "C1"}))
    assert error.response["error"] == "no_text"


def test_a_user_id_as_channel_is_the_bots_dm(standin: SlackStandIn, client: WebClient) -> None:
    dm = client.conversations_open(users="U123")["channel"]["id"]
    posted = client.chat_postMessage(channel="U123", text="psst")

    assert dm == "D123"
    assert posted["channel"] == "D123"
    assert standin.messages("U123") == standin.messages("D123")


def test_channel_membership_rules(standin: SlackStandIn, client: WebClient) -> None:
    standin.add_channel("COUT", "outside", is_member=False)
    standin.add_channel("CPRIV", "secret", is_private=True, is_member=False)
    standin.add_channel("COLD", "old", is_archived=True)

    def post(channel: str) -> str:
        return str(
            api_error(lambda: client.chat_postMessage(channel=channel, text="x")).response["error"]
        )

    assert post("COUT") == "not_in_channel"
    assert post("CPRIV") == "channel_not_found"
    assert post("COLD") == "is_archived"
    assert client.conversations_info(channel="COUT")["channel"]["is_member"] is False
    assert client.conversations_join(channel="COUT")["channel"]["is_member"] is True
    assert client.chat_postMessage(channel="COUT", text="in")["ok"]
    error = api_error(lambda: client.conversations_join(channel="CPRIV"))
    assert error.response["error"] == "channel_not_found"


def test_post_ephemeral(standin: SlackStandIn, client: WebClient) -> None:
    answer = client.chat_postEphemeral(channel="C1", user="U1", text="only you", blocks=[])

    assert standin.ephemerals == [
        {
            "channel": "C1",
            "user": "U1",
            "thread_ts": None,
            "message_ts": answer["message_ts"],
            "text": "only you",
            "blocks": [],
        }
    ]
    assert standin.messages("C1") == []


def test_update_replaces_what_it_is_given(standin: SlackStandIn, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C1", text="old", blocks=[section("old")])["ts"]

    answer = client.chat_update(channel="C1", ts=ts, text="new")

    assert answer["text"] == "new"
    assert standin.message("C1", ts)["text"] == "new"
    assert standin.message("C1", ts)["blocks"] == [section("old")]
    missing = api_error(lambda: client.chat_update(channel="C1", ts="1.000000", text="x"))
    assert missing.response["error"] == "message_not_found"


def test_permalink(standin: SlackStandIn, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C1", text="here")["ts"]

    permalink = client.chat_getPermalink(channel="C1", message_ts=ts)["permalink"]

    assert permalink == f"{standin.base_url}/archives/C1/p{ts.replace('.', '')}"


def test_threads_history_and_metadata(client: WebClient) -> None:
    metadata = {"event_type": "stage", "event_payload": {"id": 1}}
    parent = client.chat_postMessage(channel="C1", text="parent", metadata=metadata)["ts"]
    client.chat_postMessage(channel="C1", text="reply", thread_ts=parent)
    client.chat_postMessage(channel="C1", text="later")

    thread = client.conversations_replies(channel="C1", ts=parent)["messages"]
    history = client.conversations_history(channel="C1")["messages"]
    with_metadata = client.conversations_history(channel="C1", include_all_metadata=True)

    assert [m["text"] for m in thread] == ["parent", "reply"]
    assert thread[1]["thread_ts"] == parent
    assert [m["text"] for m in history] == ["later", "parent"]
    assert "metadata" not in history[1]
    assert with_metadata["messages"][1]["metadata"] == metadata
    assert client.conversations_history(channel="C1", limit=1)["has_more"] is True
    missing = api_error(lambda: client.conversations_replies(channel="C1", ts="1.000000"))
    assert missing.response["error"] == "thread_not_found"


# -- directory --------------------------------------------------------------------------


def test_users_info_known_and_invented(standin: SlackStandIn, client: WebClient) -> None:
    standin.add_user("U1", "ada", real_name="Ada Lovelace", tz="America/New_York")

    ada = client.users_info(user="U1")["user"]
    stranger = client.users_info(user="U2")["user"]

    assert ada["real_name"] == "Ada Lovelace"
    assert ada["profile"] == {"display_name": "ada", "real_name": "Ada Lovelace"}
    assert ada["tz"] == "America/New_York"
    assert ada["tz_offset"] in (-5 * 3600, -4 * 3600)
    assert stranger["id"] == "U2"
    assert stranger["tz"] == "Europe/London"


def test_conversations_info_shape(standin: SlackStandIn, client: WebClient) -> None:
    standin.add_channel("C9", "project", is_private=True)

    assert client.conversations_info(channel="C9")["channel"] == {
        "id": "C9",
        "name": "project",
        "is_channel": True,
        "is_im": False,
        "is_private": True,
        "is_archived": False,
        "is_member": True,
    }


# -- views ------------------------------------------------------------------------------


def test_views_open_push_update_and_publish(standin: SlackStandIn, client: WebClient) -> None:
    opened = client.views_open(trigger_id="t1", view=modal(callback_id="stage", external_id="e1"))
    view_id = opened["view"]["id"]
    pushed = client.views_push(trigger_id="t2", view=modal(callback_id="more"))
    updated = client.views_update(external_id="e1", view=modal(callback_id="stage2"))
    home = client.views_publish(user_id="U1", view={"type": "home", "blocks": [section("hi")]})
    again = client.views_publish(user_id="U1", view={"type": "home", "blocks": []})

    assert view_id.startswith("V")
    assert opened["view"]["state"] == {"values": {}}
    assert opened["view"]["private_metadata"] == ""
    assert pushed["view"]["id"] != view_id
    assert updated["view"]["id"] == view_id
    assert standin.views[view_id]["callback_id"] == "stage2"
    assert standin.views[view_id]["external_id"] == "e1"
    assert again["view"]["id"] == home["view"]["id"]
    assert standin.home_views["U1"]["blocks"] == []


def test_view_errors(client: WebClient) -> None:
    opened = client.views_open(trigger_id="t", view=modal(external_id="same"))["view"]

    def error(call: Any) -> str:
        return str(api_error(call).response["error"])

    assert error(lambda: client.views_open(trigger_id="t", view=modal(external_id="same"))) == (
        "duplicate_external_id"
    )
    assert error(lambda: client.views_update(view_id="V404", view=modal())) == "not_found"
    assert (
        error(lambda: client.views_update(view_id=opened["id"], hash="stale", view=modal()))
        == "hash_conflict"
    )
    assert client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal())["ok"]


# -- files ------------------------------------------------------------------------------


def test_files_upload_v2_with_content(standin: SlackStandIn, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C1", text="report")["ts"]

    answer = client.files_upload_v2(
        channel="C1",
        content=b"stage,status\n1,done\n",
        filename="plan.csv",
        title="Action plan",
        initial_comment="Here it is",
        thread_ts=parent,
    )

    file_id = answer["file"]["id"]
    assert answer["file"]["title"] == "Action plan"
    assert standin.files[file_id] == {
        "filename": "plan.csv",
        "title": "Action plan",
        "alt_txt": None,
        "content": b"stage,status\n1,done\n",
        "channel_id": "C1",
        "initial_comment": "Here it is",
        "thread_ts": parent,
    }
    shared = standin.messages("C1")[-1]
    assert shared["text"] == "Here it is"
    assert shared["thread_ts"] == parent
    assert shared["files"][0]["id"] == file_id
    assert [c.method for c in standin.calls[1:]] == [
        "files.getUploadURLExternal",
        "file_upload",
        "files.completeUploadExternal",
    ]


def test_files_upload_v2_with_a_path(
    standin: SlackStandIn, client: WebClient, tmp_path: Path
) -> None:
    path = tmp_path / "evaluation.txt"
    path.write_bytes(b"all good")

    answer = client.files_upload_v2(channel="C1", file=str(path))

    upload = standin.files[answer["file"]["id"]]
    assert (upload["filename"], upload["title"], upload["content"]) == (
        "evaluation.txt",
        "evaluation.txt",
        b"all good",
    )


def test_completing_an_unknown_file_fails(client: WebClient) -> None:
    error = api_error(lambda: client.files_completeUploadExternal(files=[{"id": "F404"}]))
    assert error.response["error"] == "file_not_found"


# -- response_url -----------------------------------------------------------------------


def test_response_url_posts_are_recorded_and_applied(standin: SlackStandIn) -> None:
    standin_client = WebClient(base_url=standin.api_url, token="xoxb-test")
    ts = standin_client.chat_postMessage(channel="C1", text="Approve?")["ts"]
    url = standin.new_response_url(channel="C1", user="U1", message_ts=ts)
    webhook = WebhookClient(url)

    said = webhook.send(text="Only you see this")
    replaced = webhook.send(text="Approved", replace_original=True)
    shouted = webhook.send(text="Everyone sees this", response_type="in_channel")

    assert (said.status_code, replaced.status_code, shouted.status_code) == (200, 200, 200)
    calls = standin.calls_to("response_url")
    assert calls[0].args == {"text": "Only you see this", "url": url}
    assert standin.ephemerals[0]["user"] == "U1"
    assert standin.message("C1", ts)["text"] == "Approved"
    assert standin.messages("C1")[-1]["text"] == "Everyone sees this"

    webhook.send(delete_original=True)
    assert ts not in [m["ts"] for m in standin.messages("C1")]


def test_response_url_takes_five_responses(standin: SlackStandIn) -> None:
    webhook = WebhookClient(standin.new_response_url())

    statuses = [webhook.send(text=str(n)).status_code for n in range(6)]

    assert statuses == [200] * 5 + [404]
    assert standin.calls[-1].error == "used_url"


def test_response_url_refuses_invalid_blocks(standin: SlackStandIn) -> None:
    webhook = WebhookClient(standin.new_response_url(channel="C1"))

    response = webhook.send(text="x", blocks=[section("")])

    assert response.status_code == 400
    assert standin.calls[-1].problems == ["/blocks/0/text/text: empty"]


# -- faults -----------------------------------------------------------------------------


def test_fail_applies_to_the_next_calls_only(standin: SlackStandIn, client: WebClient) -> None:
    standin.fail("chat.postMessage", "missing_scope", times=2)

    errors = [api_error(lambda: client.chat_postMessage(channel="C1", text="x")) for _ in "ab"]
    client.chat_postMessage(channel="C1", text="works")

    assert [e.response["error"] for e in errors] == ["missing_scope", "missing_scope"]
    assert [e.response.status_code for e in errors] == [200, 200]
    assert [c.error for c in standin.calls] == ["missing_scope", "missing_scope", None]
    assert [m["text"] for m in standin.messages("C1")] == ["works"]


def test_faults_can_target_one_channel(standin: SlackStandIn, client: WebClient) -> None:
    standin.fail("chat.postMessage", "channel_not_found", channel="CGONE")

    assert client.chat_postMessage(channel="C1", text="fine")["ok"]
    error = api_error(lambda: client.chat_postMessage(channel="CGONE", text="x"))

    assert error.response["error"] == "channel_not_found"


def test_rate_limit_is_a_429_with_retry_after(standin: SlackStandIn, client: WebClient) -> None:
    standin.rate_limit("chat.postMessage", retry_after=30)

    error = api_error(lambda: client.chat_postMessage(channel="C1", text="x"))

    assert error.response.status_code == 429
    assert error.response.headers["Retry-After"] == "30"
    assert error.response["error"] == "ratelimited"
    assert standin.calls[-1].status == 429
    assert not standin.calls[-1].ok


def test_retry_handlers_see_the_faults(standin: SlackStandIn) -> None:
    client = WebClient(
        base_url=standin.api_url,
        token="xoxb-test",
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=1),
            ServerErrorRetryHandler(
                max_retry_count=1, interval_calculator=FixedValueRetryIntervalCalculator(0.01)
            ),
        ],
    )
    standin.rate_limit("chat.postMessage", retry_after=0)
    standin.server_error("chat.postMessage", status=500, channel="C2")

    client.chat_postMessage(channel="C1", text="after a 429")
    client.chat_postMessage(channel="C2", text="after a 500")

    assert [(c.status, c.error) for c in standin.calls_to("chat.postMessage")] == [
        (429, "ratelimited"),
        (200, None),
        (500, "internal_error"),
        (200, None),
    ]


def test_server_error(client: WebClient, standin: SlackStandIn) -> None:
    standin.server_error("views.open")

    error = api_error(lambda: client.views_open(trigger_id="t", view=modal()))

    assert error.response.status_code == 503


# -- Block Kit limits -------------------------------------------------------------------


def test_51_blocks_are_refused_and_recorded(standin: SlackStandIn, client: WebClient) -> None:
    error = api_error(
        lambda: client.chat_postMessage(channel="C1", text="x", blocks=[section("b")] * 51)
    )

    assert error.response["error"] == "invalid_blocks"
    assert error.response["errors"] == ["/blocks: 51 items, over the limit of 50"]
    assert standin.calls[-1].problems == ["/blocks: 51 items, over the limit of 50"]
    assert standin.messages("C1") == []


def test_a_3001_character_section_is_refused(client: WebClient) -> None:
    error = api_error(
        lambda: client.chat_postMessage(channel="C1", text="x", blocks=[section("a" * 3001)])
    )

    assert error.response["errors"] == [
        "/blocks/0/text/text: 3001 characters, over the limit of 3000"
    ]
    assert error.response["response_metadata"]["messages"][0].startswith("[ERROR] /blocks/0")


def test_views_with_problems_get_invalid_arguments(
    standin: SlackStandIn, client: WebClient
) -> None:
    view = modal(title={"type": "plain_text", "text": "A title far too long for Slack"})

    error = api_error(lambda: client.views_open(trigger_id="t", view=view))

    assert error.response["error"] == "invalid_arguments"
    assert standin.calls[-1].problems == ["/view/title/text: 30 characters, over the limit of 24"]


def test_long_text_is_truncated_and_noted_not_refused(
    standin: SlackStandIn, client: WebClient
) -> None:
    ts = client.chat_postMessage(channel="C1", text="a" * 40_001)["ts"]

    assert len(standin.message("C1", ts)["text"]) == 40_000
    assert standin.calls[-1].problems == ["/text: 40001 characters, over the limit of 40000"]


@pytest.mark.parametrize(
    ("blocks", "problem"),
    [
        (
            [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
            "/blocks/0/text/text: 151",
        ),
        (
            [{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}],
            "/blocks/0/text/type: 'mrkdwn'",
        ),
        (
            [section("x", fields=[{"type": "mrkdwn", "text": "f"}] * 11)],
            "/blocks/0/fields: 11 items",
        ),
        (
            [section("x", fields=[{"type": "mrkdwn", "text": "f" * 2001}])],
            "/blocks/0/fields/0/text: 2001",
        ),
        (
            [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}],
            "/blocks/0/elements: 11",
        ),
        (
            [{"type": "actions", "elements": [button(f"a{n}") for n in range(26)]}],
            "/blocks/0/elements: 26",
        ),
        ([section("x", accessory=button("a", text="t" * 76))], "/blocks/0/accessory/text/text: 76"),
        (
            [section("x", accessory={**button("a"), "accessibility_label": "l" * 76})],
            "/blocks/0/accessory/accessibility_label: 76",
        ),
        (
            [section("x", accessory=button("a", value="v" * 2001))],
            "/blocks/0/accessory/value: 2001",
        ),
        ([section("x", accessory=button("a" * 256))], "/blocks/0/accessory/action_id: 256"),
        ([section("x", block_id="b" * 256)], "/blocks/0/block_id: 256"),
        (
            [section("x", block_id="same"), section("y", block_id="same")],
            "/blocks/1/block_id: 'same'",
        ),
        (
            [{"type": "section", "text": {"type": "plain_text", "text": ""}}],
            "/blocks/0/text/text: empty",
        ),
        (
            [{"type": "section", "text": {"type": "rich", "text": "x"}}],
            "/blocks/0/text/type: 'rich'",
        ),
        ([{"type": "section"}], "/blocks/0/text: missing text object"),
        ("not a list", "/blocks: not an array"),
    ],
)
def test_message_block_limits(blocks: Any, problem: str) -> None:
    problems = block_kit_problems(blocks, surface="message")

    assert len(problems) == 1
    assert problems[0].startswith(problem)


def option(text: str = "o", value: str = "v") -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def select(options: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "static_select", "action_id": "pick", "options": options}


def text_input(**extra: Any) -> dict[str, Any]:
    return {"type": "plain_text_input", "action_id": "in", **extra}


def input_block(element: dict[str, Any], label: str = "Label") -> dict[str, Any]:
    return {"type": "input", "label": {"type": "plain_text", "text": label}, "element": element}


@pytest.mark.parametrize(
    ("view", "problem"),
    [
        (modal(blocks=[section("x")] * 101), "/view/blocks: 101 items"),
        (modal(submit={"type": "plain_text", "text": "s" * 25}), "/view/submit/text: 25"),
        (modal(close={"type": "plain_text", "text": "c" * 25}), "/view/close/text: 25"),
        (modal(private_metadata="m" * 3001), "/view/private_metadata: 3001"),
        (modal(callback_id="c" * 256), "/view/callback_id: 256"),
        (modal(blocks=[input_block(text_input())]), "/view/submit: required"),
        (
            modal(
                blocks=[input_block(text_input(max_length=3001))],
                submit={"type": "plain_text", "text": "OK"},
            ),
            "/view/blocks/0/element/max_length: 3001",
        ),
        (
            modal(
                blocks=[input_block(text_input(), "l" * 2001)],
                submit={"type": "plain_text", "text": "OK"},
            ),
            "/view/blocks/0/label/text: 2001",
        ),
        (
            {"type": "home", "blocks": [section("x", accessory=select([option()] * 101))]},
            "/view/blocks/0/accessory/options: 101",
        ),
        (
            {"type": "home", "blocks": [section("x", accessory=select([option("t" * 76)]))]},
            "/view/blocks/0/accessory/options/0/text/text: 76",
        ),
        (
            {"type": "home", "blocks": [section("x", accessory=select([option(value="v" * 151)]))]},
            "/view/blocks/0/accessory/options/0/value: 151",
        ),
        ("not a view", "/view: not an object"),
    ],
)
def test_view_limits(view: Any, problem: str) -> None:
    problems = view_problems(view)

    assert len(problems) == 1
    assert problems[0].startswith(problem)


def test_home_tabs_take_100_blocks_and_no_title() -> None:
    assert view_problems({"type": "home", "blocks": [section("x")] * 100}) == []


# -- recording --------------------------------------------------------------------------


def test_wait_for_blocks_until_the_calls_arrive(standin: SlackStandIn, client: WebClient) -> None:
    def later() -> None:
        for n in range(2):
            client.chat_postMessage(channel="C1", text=str(n))

    worker = threading.Timer(0.05, later)
    worker.start()
    calls = standin.wait_for("chat.postMessage", count=2, timeout=2)
    worker.join()

    assert [c.args["text"] for c in calls] == ["0", "1"]


def test_wait_for_times_out_listing_what_was_recorded(
    standin: SlackStandIn, client: WebClient
) -> None:
    standin.fail("chat.postMessage", "not_in_channel")
    client.auth_test()
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C1", text="x")

    with pytest.raises(AssertionError) as raised:
        standin.wait_for("views.open", timeout=0.05)

    message = str(raised.value)
    assert "expected 1 call(s) to views.open within 0.05 s, got 0" in message
    assert "auth.test x1" in message
    assert "chat.postMessage [not_in_channel] x1" in message


def test_subscribers_see_every_call_and_may_fail(standin: SlackStandIn, client: WebClient) -> None:
    seen: list[Call] = []

    def broken(call: Call) -> None:
        raise RuntimeError("a renderer bug")

    standin.subscribe(seen.append)
    standin.subscribe(broken)

    client.auth_test()
    client.chat_postMessage(channel="C1", text="x")

    assert [c.method for c in seen] == ["auth.test", "chat.postMessage"]
    assert seen[1].response["ts"] == standin.messages("C1")[0]["ts"]


def test_reset_forgets_activity_but_keeps_the_directory(
    standin: SlackStandIn, client: WebClient
) -> None:
    standin.add_channel("COUT", "outside", is_member=False)
    client.chat_postMessage(channel="C1", text="x")
    client.views_open(trigger_id="t", view=modal())
    standin.fail("auth.test", "invalid_auth")

    standin.reset()

    assert standin.calls == []
    assert standin.messages("C1") == []
    assert standin.views == {}
    assert client.auth_test()["ok"]
    assert client.conversations_info(channel="COUT")["channel"]["name"] == "outside"


def test_an_image_description_over_slacks_limit_is_refused(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as refused:
        client.files_upload_v2(
            channel="C1", content=b"png", filename="chart.png", alt_txt="x" * 1001
        )
    assert refused.value.response["error"] == "alt_txt_too_large"
