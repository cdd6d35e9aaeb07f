"""Scripted console sessions: the real app, the stand-in, and what a person would read."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.config import Settings
from bot.console.terminal import Console, run_console
from bot.console.workspace import Workspace, open_workspace

CELEBRATION = "#new-ward  changebot: == 🏆 Every stage of new-ward is done! =="


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, database_url=f"sqlite:///{tmp_path}/c.db")


@pytest.fixture
def workspace(settings: Settings) -> Iterator[Workspace]:
    with open_workspace(settings) as running:
        yield running


def console(settings: Settings, script: str) -> str:
    shown = io.StringIO()
    assert run_console(settings, stdin=io.StringIO(script), stdout=shown) == 0
    return shown.getvalue()


def session(workspace: Workspace, script: str) -> str:
    shown = io.StringIO()
    Console(workspace, stdin=io.StringIO(script), stdout=shown).run()
    return shown.getvalue()


def slack(workspace: Workspace) -> WebClient:
    """The Web API as the test itself uses it, to put things in the workspace."""
    return WebClient(base_url=workspace.standin.api_url, token="xoxb-test")


def plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def test_adding_and_completing_a_stage_shows_the_replies_then_the_celebration(settings):
    shown = console(settings, "/stage add Open the new ward\n/stage done 1 Ward opened on time\n")
    lines = shown.splitlines()
    added = lines.index("(only you) Added stage *1.* Open the new ward · :white_circle: planned")
    done = lines.index(
        "(only you) :white_check_mark: Stage 1 is done, and the channel has been told."
    )
    celebration = lines.index(CELEBRATION)
    assert added < done < celebration
    assert "*Outcome:* Ward opened on time" in lines[celebration + 2]
    assert "» No owner · completed by @alex" in shown
    assert "1 of 1 stage, 100%" in shown
    assert "alex@#new-ward>" not in shown


def test_someone_who_may_not_complete_a_stage_is_told_why_and_nothing_is_posted(settings):
    shown = console(settings, "/stage add Open the new ward\n:as sam\n/stage done 1 x\n")
    assert "You are sam (staff) now." in shown
    assert (
        "(only you) :warning: Only stage 1's owner or a project lead can complete it. Ask @alex."
        in shown
    )
    assert "changebot:" not in shown


def test_people_and_channels_can_be_switched_and_listed(settings):
    shown = console(settings, ":in #forum\n/stage list\n:in #nowhere\n:as nobody\n:who\n")
    assert "You are in #forum now." in shown
    assert "(only you) The plan has no stages yet." in shown
    assert "There is no channel '#nowhere' here. Channels: #new-ward, #forum." in shown
    assert "There is nobody called 'nobody' here." in shown
    assert "You are alex, in #forum." in shown
    assert "jo (union representative)" in shown


def test_lines_that_are_not_commands_get_a_hint(settings):
    shown = console(settings, "/frobnicate now\nhello\n:nope\n:help\n")
    assert "/frobnicate is not a changebot command. The commands are /checkin" in shown
    assert "/stage" in shown
    assert "Type a slash command (/stage help)" in shown
    assert "There is no console command :nope. :help lists them." in shown
    assert ":press N — press button [N]" in shown


def test_a_mention_is_answered_in_its_thread(settings):
    shown = console(settings, ":mention are you there? & <yes>\n")
    lines = shown.splitlines()
    said = lines.index("#new-ward  alex: @changebot are you there? & <yes>")
    assert lines[said + 1].startswith("  ↳ #new-ward  changebot: :wave: I'm changebot.")


def test_the_home_tab_shows_the_users_projects(settings):
    shown = console(settings, "/stage add Open the new ward\n:home\n")
    assert "Home tab of @alex: == Your change projects ==" in shown
    assert "*new-ward* in #new-ward" in shown
    assert "0 of 1 stage, 0%" in shown


def test_scheduled_jobs_are_listed_and_fired_on_demand(settings, caplog):
    caplog.set_level(logging.INFO, logger="bot.runs.housekeeping")
    shown = console(settings, ":jobs\n:fire housekeeping:events\n:fire\n:fire nope\n")
    assert "housekeeping:events  next " in shown
    assert "Ran housekeeping:events." in shown
    assert "forgot 0 handled event and form ids older than a day" in caplog.text
    assert "No job is due now; :fire ID runs one anyway." in shown
    assert "There is no job 'nope'; :jobs lists them." in shown


def test_a_button_nothing_handles_is_pressed_and_said_to_do_nothing(workspace):
    slack(workspace).chat_postMessage(
        channel="CNEWWARD",
        text="A concern",
        blocks=[
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "A concern about <#CFORUM>"},
                "accessory": {"type": "button", "action_id": "nobody", "text": plain("Look")},
            }
        ],
    )
    shown = session(workspace, ":press 1\n:press 2\n")
    assert "#new-ward  changebot: A concern about #forum\n" in shown
    assert "[1] Look" in shown
    assert "Nothing in changebot handled that button, so nothing happened." in shown
    assert "There is no button [2]." in shown


def test_a_pressed_button_reaches_the_app_and_its_answer_replaces_the_message(workspace):
    pressed: list[dict[str, Any]] = []

    @workspace.app.action("acknowledge")
    def acknowledge(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        pressed.append(body)
        respond(replace_original=True, text=f"Acknowledged by <@{body['user']['id']}>")

    posted = slack(workspace).chat_postMessage(
        channel="CNEWWARD",
        text="A concern",
        blocks=[
            {"type": "actions", "elements": [_button("Acknowledge", "acknowledge")]},
        ],
    )
    shown = session(workspace, ":as jo\n:press 1\n")
    (body,) = pressed
    assert body["user"]["id"] == "UJO"
    assert body["message"]["ts"] == posted["ts"]
    assert "(edited) #new-ward  changebot: Acknowledged by @jo" in shown
    assert workspace.standin.message("CNEWWARD", posted["ts"])["text"] == "Acknowledged by <@UJO>"


def _button(text: str, action_id: str) -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "text": plain(text), "value": "1"}


FEEDBACK_VIEW = {
    "type": "modal",
    "callback_id": "feedback",
    "title": plain("Feedback"),
    "submit": plain("Send"),
    "blocks": [
        {
            "type": "input",
            "block_id": "text",
            "label": plain("What changed"),
            "element": {"type": "plain_text_input", "action_id": "value"},
        },
        {
            "type": "input",
            "block_id": "rating",
            "optional": True,
            "label": plain("Rating"),
            "element": {
                "type": "static_select",
                "action_id": "value",
                "options": [{"text": plain(str(n)), "value": str(n)} for n in (1, 2, 3)],
            },
        },
        {
            "type": "input",
            "block_id": "anonymous",
            "optional": True,
            "label": plain("Anonymous"),
            "element": {
                "type": "checkboxes",
                "action_id": "value",
                "options": [{"text": plain("Leave my name off"), "value": "yes"}],
            },
        },
    ],
}


@pytest.fixture
def submissions(workspace: Workspace) -> list[dict[str, Any]]:
    """What the app received from the feedback form; it asks for more than two words."""
    received: list[dict[str, Any]] = []

    @workspace.app.view("feedback")
    def feedback(ack: Ack, view: dict[str, Any]) -> None:
        values = view["state"]["values"]
        received.append(values)
        if len(values["text"]["value"]["value"].split()) < 3:
            ack(response_action="errors", errors={"text": "Say a little more."})
        else:
            ack()

    slack(workspace).views_open(trigger_id="1.T0CHANGE.test", view=FEEDBACK_VIEW)
    return received


def test_a_form_is_asked_field_by_field_and_asked_again_where_the_app_found_errors(
    workspace, submissions
):
    shown = session(workspace, "\nToo short\n2\ny\nThe ward opened well\n")
    assert "A form opened for you:\n== Feedback ==\n(1) What changed: [plain_text_input]" in shown
    assert "! What changed is required." in shown
    assert "! What changed: Say a little more." in shown
    first, second = submissions
    assert first["text"] == {"value": {"type": "plain_text_input", "value": "Too short"}}
    assert second == {
        "text": {"value": {"type": "plain_text_input", "value": "The ward opened well"}},
        "rating": {
            "value": {
                "type": "static_select",
                "selected_option": {"text": plain("2"), "value": "2"},
            }
        },
        "anonymous": {
            "value": {
                "type": "checkboxes",
                "selected_options": [{"text": plain("Leave my name off"), "value": "yes"}],
            }
        },
    }
    assert "Nothing in changebot handled" not in shown


def test_a_form_can_be_closed_without_sending_it(workspace, submissions):
    shown = session(workspace, ":cancel\n/stage list\n")
    assert "(form closed without sending)" in shown
    assert "(only you) The plan has no stages yet." in shown
    assert submissions == []


def test_a_form_the_app_updates_on_submission_is_asked_again_until_nothing_is_left_to_send(
    workspace,
):
    received: list[dict[str, Any]] = []

    def step(number: int) -> dict[str, Any]:
        return {
            "type": "modal",
            "callback_id": f"step-{number}",
            "title": plain(f"Step {number}"),
            "submit": plain("Next"),
            "blocks": [
                {
                    "type": "input",
                    "block_id": f"answer-{number}",
                    "label": plain(f"Answer {number}"),
                    "element": {"type": "plain_text_input", "action_id": "value"},
                }
            ],
        }

    @workspace.app.view("step-1")
    def first(ack: Ack) -> None:
        ack(response_action="update", view=step(2))

    @workspace.app.view("step-2")
    def second(ack: Ack, view: dict[str, Any]) -> None:
        received.append(view["state"]["values"])
        thanks = {"type": "section", "text": {"type": "mrkdwn", "text": "Thank you"}}
        ack(
            response_action="update",
            view={"type": "modal", "title": plain("Done"), "blocks": [thanks]},
        )

    slack(workspace).views_open(trigger_id="1.T0CHANGE.test", view=step(1))
    shown = session(workspace, "one\ntwo\n")
    assert "The form changed:\n== Step 2 ==\n(1) Answer 2: [plain_text_input]" in shown
    assert received == [{"answer-2": {"value": {"type": "plain_text_input", "value": "two"}}}]
    assert shown.endswith("The form changed:\n== Done ==\nThank you\n")


def test_a_button_in_the_home_tab_is_pressed_as_a_view_action(workspace):
    pressed: list[dict[str, Any]] = []

    @workspace.app.action("open-plan")
    def open_plan(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        pressed.append(body)

    home = {
        "type": "home",
        "blocks": [{"type": "actions", "elements": [_button("Plan", "open-plan")]}],
    }
    published = slack(workspace).views_publish(user_id="UALEX", view=home)
    shown = session(workspace, ":press 1\n")
    assert "Home tab of @alex: [1] Plan" in shown
    (body,) = pressed
    assert body["container"] == {"type": "view", "view_id": published["view"]["id"]}
    assert body["actions"][0]["action_id"] == "open-plan"


def test_typed_text_reaches_the_app_escaped_with_mentions_as_slack_sends_them(workspace):
    typed = "Fish & <chips> for @sam in #forum, @here, @nobody, a@b.org"
    assert workspace.slack_text(typed) == (
        "Fish &amp; &lt;chips&gt; for <@USAM|sam> in <#CFORUM|forum>, <!here>, @nobody, a@b.org"
    )
    shown = session(workspace, "/stage add Open the ward owner @sam\n")
    assert (
        "(only you) Added stage *1.* Open the ward · :white_circle: planned · owner @sam" in shown
    )


def test_a_shared_file_is_saved_where_its_path_says(settings, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    output = console(settings, "/stage add Open the new ward\n/plan export\n:quit\n")
    saved = re.search(r"file saved to (.+)\)", output)
    assert saved is not None, output
    content = Path(saved.group(1)).read_bytes().decode("utf-8-sig")
    assert content.startswith("when,event,stage,who,role,detail")
    assert "Open the new ward" in content
