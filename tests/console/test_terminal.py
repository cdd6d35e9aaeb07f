"""Scripted console sessions: the real app, the stand-in, and what a person would read."""

from __future__ import annotations

import io
import queue
import re
import threading
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path
from time import monotonic, sleep
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.config import Settings
from bot.console.terminal import COMMANDS, Console, _what_was_typed, run_console
from bot.console.workspace import Workspace, open_workspace

ROOT = Path(__file__).resolve().parents[2]
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
    added = lines.index("(only you) Added stage *1.* Open the new ward · ⚪ planned")
    done = lines.index("(only you) ✅ Stage 1 is done, and the channel has been told.")
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
        "(only you) ⚠️ Only stage 1's owner or a project lead can complete it. Ask @alex." in shown
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


def test_a_console_command_missing_what_it_needs_says_how_to_write_it(settings):
    shown = console(settings, ":as\n:in\n:press\n").splitlines()
    assert shown[-3].startswith("Write :as NAME, as in :as sam. People: alex (project lead), ")
    assert shown[-2] == "Write :in #CHANNEL, as in :in #forum. Channels: #new-ward, #forum."
    assert shown[-1] == "Write :press N, with the number a button shows, as in :press 1."


def test_lines_that_are_not_commands_get_a_hint(settings):
    shown = console(settings, "/frobnicate now\nhello\n:nope\n:help\n")
    assert "/frobnicate is not a changebot command. The commands are /checkin" in shown
    assert "/stage" in shown
    assert "Type a slash command (/stage help)" in shown
    assert "There is no console command :nope. :help lists them." in shown
    assert ":press N — press button [N]" in shown


def test_the_first_screen_says_what_to_type_and_how_to_be_someone_else(settings):
    first = console(settings, "").splitlines()
    assert first[1] == (
        "You are alex in #new-ward. Type slash commands as in Slack: /stage add Open the new ward"
    )
    assert first[2] == "(each answers help, as in /stage help)."
    assert ":as NAME acts as" in first[3]
    assert "(:who lists everyone), :quit leaves." in first[4]


def test_help_gives_each_console_command_one_line(settings):
    shown = console(settings, ":help\n").splitlines()
    start = next(n for n, line in enumerate(shown) if line.startswith("Slash commands: "))
    listed = shown[start + 1 : start + 1 + len(COMMANDS)]
    assert [line.split()[0] for line in listed] == list(COMMANDS)
    assert all(line.startswith("  :") for line in listed)
    assert shown[start + 1 + len(COMMANDS)].startswith("In a form: one answer a line")


def test_a_mention_is_answered_in_its_thread(settings):
    shown = console(settings, ":mention are you there? & <yes>\n")
    lines = shown.splitlines()
    said = lines.index("#new-ward  alex: @changebot are you there? & <yes>")
    assert lines[said + 1].startswith("  ↳ #new-ward  changebot: 👋 I'm changebot.")


def test_the_home_tab_shows_the_users_projects(settings):
    shown = console(settings, "/stage add Open the new ward\n:home\n")
    assert "Home tab of @alex: == Your change projects ==" in shown
    assert "*new-ward* in #new-ward" in shown
    assert "0 of 1 stage, 0%" in shown


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


def test_a_console_command_typed_in_a_form_is_not_taken_as_an_answer(workspace, submissions):
    shown = session(workspace, ":quit\nThe ward opened well\n\n\n")
    assert "! A form is open: answer (1) first, or :cancel to close it." in shown
    assert submissions[0]["text"]["value"]["value"] == "The ward opened well"


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
    assert "(only you) Added stage *1.* Open the ward · ⚪ planned · owner @sam" in shown


def test_a_shared_file_is_saved_where_its_path_says(settings, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    output = console(settings, "/stage add Open the new ward\n/plan export\n:quit\n")
    saved = re.search(r"file saved to (.+)\)", output)
    assert saved is not None, output
    content = Path(saved.group(1)).read_bytes().decode("utf-8-sig")
    assert content.startswith("when,event,stage,who,role,detail")
    assert "Open the new ward" in content


# -- the console's clock and jobs --------------------------------------------------------

LONDON = ZoneInfo("Europe/London")


def _next_monday_nine() -> datetime:
    """When a check-in "every Monday at 09:00" made now first runs."""
    now = datetime.now(LONDON)
    monday = now.date() + timedelta(days=(7 - now.weekday()) % 7)
    first = datetime.combine(monday, time(9), LONDON)
    return first if first > now else first + timedelta(days=7)


def _shown(day: datetime) -> str:
    return f"{day:%a %d %b %Y %H:%M %Z}"


WEEKLY_CHECKIN = "/checkin schedule weekly monday 09:00 Ward review\n"


def test_jobs_are_labelled_by_what_they_are_and_when_they_run_on_the_console_clock(settings):
    shown = console(settings, WEEKLY_CHECKIN + ":jobs\n")
    monday = _next_monday_nine()
    assert f'schedule:1  check-in "Ward review" of new-ward · next {_shown(monday)}' in shown
    assert "housekeeping:events  housekeeping: forget handled event ids · next " in shown
    assert "stages:overdue-nudge  nudges to owners of overdue stages · next " in shown


def test_every_standing_job_says_what_it_is(workspace):
    unlabelled = [job.id for job in workspace.jobs() if workspace.label(job.id) == job.id]
    assert unlabelled == []


def test_fire_runs_the_next_occurrence_and_says_why_a_run_posted_nothing(settings):
    shown = console(settings, WEEKLY_CHECKIN + ":fire schedule:1\n:fire housekeeping:events\n")
    monday = _next_monday_nine()
    assert f"The clock moved to {_shown(monday)}." in shown
    assert f'At {_shown(monday)}, schedule:1 ran: check-in "Ward review" of new-ward.' in shown
    assert "#new-ward  changebot: 📋 *Ward review*: time to check in" in shown
    assert "housekeeping:events ran: housekeeping: forget handled event ids." in shown
    assert "  It posted nothing: forgot 0 handled event and form ids older than a day." in shown


def test_a_paused_schedule_that_is_fired_says_it_has_no_run(settings):
    shown = console(settings, WEEKLY_CHECKIN + "/checkin pause 1\n:fire schedule:1\n:fire\n")
    assert "There is no job 'schedule:1'; :jobs lists them." in shown
    assert "No check-in, digest or reminder is scheduled; :fire ID runs a job." in shown


def test_the_clock_moves_forward_and_runs_each_job_due_on_the_way_at_its_own_time(settings):
    monday = _next_monday_nine()
    target = monday + timedelta(days=7, hours=1)
    script = WEEKLY_CHECKIN + f":clock {target:%Y-%m-%d %H:%M}\n:clock\n:clock +1d\n"
    shown = console(settings, script + ":clock 2020-01-01 09:00\n:clock tomorrow\n")
    assert f"The clock moved to {_shown(target)}." in shown
    for week in (monday, monday + timedelta(days=7)):
        assert f'At {_shown(week)}, schedule:1 ran: check-in "Ward review" of new-ward.' in shown
    assert shown.count("📋 *Ward review*: time to check in") == 2
    assert "A day on, there is no management, staff, union or service-user view yet." in shown
    assert f"It is {_shown(target)[:-9]}" in shown
    assert "ahead of real time)." in shown
    assert f"The clock moved to {_shown(target + timedelta(days=1))[:-9]}" in shown
    assert "The clock only goes forward: it is " in shown
    assert "Write :clock +30m, +3h, +7d, +2w or :clock 2027-01-04 09:00." in shown


def test_the_clock_at_start_is_real_time(settings):
    assert "(real time)." in console(settings, ":clock\n")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_ctrl_d_at_a_terminal_ends_the_prompts_line(workspace):
    shown = io.StringIO()
    Console(workspace, stdin=_Terminal(":in #forum\n"), stdout=shown).run()
    assert shown.getvalue().endswith("You are in #forum now.\nalex@#forum> \n")


class _Keyboard(io.TextIOBase):
    """A person at the keyboard: lines arrive when the test types them, not all at once."""

    def __init__(self) -> None:
        self._lines: queue.Queue[str] = queue.Queue()

    def type(self, line: str) -> None:
        self._lines.put(line + "\n")

    def readline(self, _size: int | None = -1) -> str:  # type: ignore[override]
        return self._lines.get(timeout=20)

    def isatty(self) -> bool:
        return False


class _Screen(io.StringIO):
    """What the console wrote so far, safe to read while it writes."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            return super().write(text)

    def wait_for(self, text: str, timeout: float = 5.0) -> str:
        deadline = monotonic() + timeout
        while monotonic() < deadline:
            with self._lock:
                shown = self.getvalue()
            if text in shown:
                return shown
            sleep(0.05)
        raise AssertionError(f"{text!r} was not shown; the screen:\n{self.getvalue()}")


def test_a_post_made_in_the_background_shows_without_waiting_for_the_next_line(workspace):
    keyboard, screen = _Keyboard(), _Screen()
    person = threading.Thread(
        target=Console(workspace, stdin=keyboard, stdout=screen).run, daemon=True
    )
    person.start()
    try:
        keyboard.type("/stage list")
        screen.wait_for("The plan has no stages yet.")
        slack(workspace).chat_postMessage(channel="CNEWWARD", text="Posted behind your back")
        screen.wait_for("#new-ward  changebot: Posted behind your back")
    finally:
        keyboard.type(":quit")
        person.join(10)
    assert not person.is_alive()


# -- buttons, mentions, shortcuts, people --------------------------------------------------


def test_a_button_a_later_edit_removed_is_said_to_be_gone(workspace):
    posted = slack(workspace).chat_postMessage(
        channel="CNEWWARD",
        text="Sign off?",
        blocks=[{"type": "actions", "elements": [_button("Confirm", "confirm_stage_signoff")]}],
    )
    slack(workspace).chat_update(channel="CNEWWARD", ts=posted["ts"], text="Signed off", blocks=[])
    shown = session(workspace, ":press 1\n")
    assert "[1] Confirm" in shown
    assert "Button [1] is gone: the message or form it was on has changed since." in shown
    assert "That did not work" not in shown


def test_emoji_codes_show_as_emoji(settings):
    shown = console(settings, "/stage add Open the new ward\n/stage done 1\n")
    assert "(only you) ✅ Stage 1 is done" in shown
    assert ":white_check_mark:" not in shown


def test_a_mention_is_kept_so_the_concern_it_raises_links_to_its_thread(settings):
    shown = console(settings, ":mention concern 5 The minutes were not shared\n/concern list\n")
    assert "thread not posted yet" not in shown
    assert re.search(r"thread \(http://127\.0\.0\.1:\d+/archives/CNEWWARD/p\d+", shown), shown


def test_the_message_shortcut_raises_a_concern_on_a_message_shown(workspace):
    script = ":shortcut\n:mention the rota changed overnight\n:shortcut 2\n5\nNobody was told\n"
    shown = session(workspace, script)
    assert "There is no message 1 back" in shown
    # As Slack shows it: the name in manifest.yml.
    (declared,) = yaml.safe_load((ROOT / "manifest.yml").read_text())["features"]["shortcuts"]
    assert f'{declared["name"]}, on: "@changebot the rota changed overnight"' in shown
    assert f'the message shortcut "{declared["name"]}"' in session(workspace, ":help\n")
    assert "== Raise a concern ==" in shown
    (mention,) = [m for m in workspace.standin.messages("CNEWWARD") if m.get("user") == "UALEX"]
    replies = [m for m in workspace.standin.messages("CNEWWARD") if m["thread_ts"] == mention["ts"]]
    assert any("Nobody was told" in str(reply) for reply in replies), shown


def test_who_shows_each_persons_side_and_lead_as_they_are_now(settings):
    before = console(settings, ":who\n")
    assert "#new-ward has no project yet" in before
    shown = console(settings, "/plan role @jo union\n:who\n")
    assert "  alex (project lead): management, lead" in shown
    assert "  jo (union representative): union" in shown
    assert "  pat (service user): not in the project yet" in shown


def test_a_field_of_several_lines_takes_the_lines_between_two_fences(settings):
    shown = console(
        settings,
        "/checkin measure add Waiting time\n/checkin measure data Waiting time\n"
        '"""\n2027-01-04 20\n2027-01-11 21\n2027-01-18 19\n"""\n/checkin measure list\n',
    )
    assert 'for several lines, """ on a line of its own, the lines, then """ again' in shown
    assert "3 points added, 0 points replaced" in shown
    assert "3 points · latest 19 (18 Jan 2027)" in shown


@pytest.mark.parametrize(
    ("line", "logged"),
    [
        ("/stage add Tell nobody about the rota", "/stage"),
        (":press 2", ":press"),
        ("the rota is unfair to night staff", "a line of text"),
        ("/stage&amp;secret words", "a line of text"),
        ("", "a line of text"),
    ],
)
def test_a_failed_line_is_logged_by_its_command_alone(line, logged):
    assert _what_was_typed(line) == logged
