"""What a ward manager and a union rep tripped over (issue 11, items 1–8), end to end."""

from __future__ import annotations

import csv
import io
import json

from sqlmodel import Session, select

from storage.models import Feedback, Project

from .conftest import CHANNEL, LEAD, PARTNER, Workspace, button_in, wait_until

JO, MANAGER = "UJO", "UMANAGER"
HIDDEN = "not shown, to keep it anonymous"


def _text(call) -> str:
    return call.args.get("text", "") + json.dumps(call.args.get("blocks", []))


def _last_button_reply(workspace: Workspace, count: int) -> str:
    """The `count`-th private answer to a button press (sent through its response_url)."""
    calls = workspace.standin.wait_for("response_url", count)
    return json.dumps(calls[count - 1].args)


def _export_rows(workspace: Workspace) -> list[list[str]]:
    assert "on its way" in workspace.reply("/plan", "export").text
    workspace.standin.wait_for("files.completeUploadExternal")
    (shared,) = workspace.standin.files.values()
    return list(csv.reader(io.StringIO(shared["content"].decode("utf-8-sig"))))


def _project(workspace: Workspace) -> Project:
    with Session(workspace.runtime.engine) as session:
        return session.exec(select(Project)).one()


# -- 1. sides and the lead permission ------------------------------------------------------


def test_the_only_union_partner_made_lead_still_signs_for_the_union_side(workspace):
    workspace.command("/plan", f"role <@{JO}> union")
    made_lead = workspace.command("/plan", f"role <@{JO}> lead")
    assert "is of the *union* side, and a lead" in made_lead.text
    assert "joint sign-off" in workspace.command("/plan", "signoff joint").text
    workspace.stage("add Agree the handover")

    waiting_reply = workspace.stage("done 1 Handover agreed", user=JO)
    assert "for the union side" in waiting_reply.text
    (waiting,) = workspace.wait_for_posts(1)
    assert f"Waiting for the management side to confirm: <@{LEAD}>" in _text(waiting)

    assert workspace.press(waiting.response["message"], "confirm_stage_signoff").status == 200
    posts = workspace.wait_for_posts(2)
    assert "is done" in _text(posts[1])


def test_joint_signoff_is_refused_while_the_union_side_has_nobody(workspace):
    workspace.command("/plan", "")
    refused = workspace.command("/plan", "signoff joint")
    assert "needs someone to sign for the union side" in refused.text
    assert "/plan role @user union" in refused.text
    assert _project(workspace).signoff_mode == "single"


def test_a_lead_withdraws_leadership_but_the_last_lead_stays(workspace):
    workspace.command("/plan", f"lead <@{JO}>")
    withdrawn = workspace.command("/plan", f"lead <@{LEAD}> off", user=JO).text
    assert "is of the *management* side (not a lead)" in withdrawn
    assert "at least one lead" in workspace.command("/plan", f"lead <@{JO}> off", user=JO).text
    assert "Only a project lead" in workspace.command("/plan", "need X").text


# -- 2 and 3. anonymous feedback -----------------------------------------------------------


def test_anonymous_feedback_as_typed_is_stored_without_a_name(workspace):
    workspace.command("/plan", "")
    reply = workspace.command(
        "/feedback", "anonymous The night handover is too rushed", user=PARTNER
    )
    assert "without your name" in reply.text
    workspace.stage("add Pilot the rota")
    workspace.command("/feedback", "anon #1 Nights clash", user=PARTNER)
    with Session(workspace.runtime.engine) as session:
        stored = session.exec(select(Feedback).order_by(Feedback.id)).all()
    assert [(f.author_id, f.text, f.stage_id is None) for f in stored] == [
        (None, "The night handover is too rushed", True),
        (None, "Nights clash", False),
    ]


def test_an_anonymous_side_shows_only_when_three_partners_share_it(workspace):
    workspace.command("/plan", f"role <@{JO}> union")
    workspace.command("/feedback", "anonymous Too rushed", user=JO)
    rows = _export_rows(workspace)
    (feedback,) = [row for row in rows if row[1] == "feedback"]
    assert (feedback[3], feedback[4]) == ("anonymous", HIDDEN)


# -- 4. fixing mistakes in the plan --------------------------------------------------------


def test_a_stage_is_edited_moved_and_removed_after_a_confirmation(workspace):
    for title in ("Order furnitur", "Train staff", "Open the ward"):
        workspace.stage(f"add {title}")
    edited = workspace.stage("edit 1 title Order furniture")
    assert "Order furniture" in edited.text
    assert "due 2027-01-08" in workspace.stage("edit 1 due 2027-01-08").text
    assert f"owner <@{JO}>" in workspace.stage(f"edit 1 owner <@{JO}|jo>").text
    assert (
        "Only stage 2's owner or a project lead"
        in workspace.stage("edit 2 due none", user=PARTNER).text
    )
    moved = workspace.stage("move 3 1")
    assert "Open the ward is now stage 1" in moved.text

    question = workspace.stage("remove 2")
    assert "Remove stage 2 (Order furniture) from the plan?" in question.text
    assert "Order furniture" in workspace.stage("list").text
    remove = button_in(question.json(), "remove_stage")
    assert remove["confirm"]["confirm"]["text"] == "Remove"
    message = {**question.json(), "message_ts": "1700000000.000100"}
    assert workspace.press(message, "remove_stage").status == 200
    assert "Removed Order furniture" in _last_button_reply(workspace, 1)
    listed = workspace.stage("list").text
    assert "Order furniture" not in listed
    assert "*1.* Open the ward" in listed
    assert "*2.* Train staff" in listed


def test_a_due_date_in_words_or_a_very_long_title_is_refused(workspace):
    refused = workspace.stage("add Order furniture due next friday")
    assert "`next friday` is not a date" in refused.text
    assert "/stage add TITLE [due YYYY-MM-DD]" in refused.text
    too_long = workspace.stage("add " + "x" * 3116)
    assert "at most 200 characters; this one has 3,116" in too_long.text
    assert "no stages yet" in workspace.stage("list").text


# -- 5. destructive buttons ask first ------------------------------------------------------


def test_withdraw_and_confirm_signoff_ask_before_they_act(workspace):
    workspace.command("/plan", f"role <@{JO}> union")
    workspace.command("/concern", "5 We were not told", user=PARTNER)
    (card,) = workspace.wait_for_posts(1)
    withdraw = button_in(card.response["message"], "concern_withdraw")
    assert withdraw["confirm"]["confirm"]["text"] == "Withdraw"
    workspace.command("/plan", "signoff joint")
    workspace.stage("add Agree the rota")
    workspace.stage("done 1", user=JO)
    waiting = workspace.wait_for_posts(2)[1]
    confirm = button_in(waiting.response["message"], "confirm_stage_signoff")
    assert confirm["confirm"]["title"]["text"] == "Confirm stage 1?"


# -- 7. the settings form ------------------------------------------------------------------


def _chosen(view: dict, block_id: str, value: str) -> dict:
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    option = next(o for o in block["element"]["options"] if o["value"] == value)
    kind = block["element"]["type"]
    picked = {"selected_options": [option]} if kind == "checkboxes" else {"selected_option": option}
    return {block_id: {block_id: {"type": kind, **picked}}}


def _settings_values(view: dict, timezone: str) -> dict:
    return {
        "timezone": {"timezone": {"type": "plain_text_input", "value": timezone}},
        **_chosen(view, "calendar", "GB-SCT"),
        **_chosen(view, "signoff", "single"),
        **_chosen(view, "anonymous_concerns", "yes"),
        **_chosen(view, "share_feedback", "yes"),
        "forum": {"forum": {"type": "conversations_select", "selected_conversation": "CFORUM"}},
        **_chosen(view, "rule_length", "8"),
    }


def test_the_settings_form_saves_every_setting_or_says_which_field_is_wrong(workspace):
    workspace.command("/plan", "")
    assert "Only a project lead can change the settings" in (
        workspace.command("/plan", "settings", user=PARTNER).text
    )
    assert workspace.command("/plan", "settings").body == ""
    view = workspace.opened_view(1)
    wrong = workspace.submit(view, _settings_values(view, "Europe/Londn")).json()
    assert wrong["response_action"] == "errors"
    assert "`Europe/Londn` is not a time zone" in wrong["errors"]["timezone"]
    assert _project(workspace).timezone == "Europe/London"

    saved = workspace.submit(view, _settings_values(view, "Europe/Dublin")).json()
    assert saved["response_action"] == "update"
    assert "Settings saved" in json.dumps(saved["view"])
    project = _project(workspace)
    assert (project.timezone, project.calendar, project.rule_length) == (
        "Europe/Dublin",
        "GB-SCT",
        8,
    )
    assert (project.anonymous_concerns, project.post_feedback_in_channel) == (True, True)
    assert project.forum_channel_id == "CFORUM"


# -- 8. reopening, and the record's history and names --------------------------------------


def test_the_export_keeps_every_completion_and_names_people(workspace):
    workspace.standin.add_user(LEAD, "alex", real_name="Alex Morgan")
    workspace.stage("add Pilot the rota")
    workspace.stage("done 1 First go")
    assert "open again" in workspace.stage("reopen 1").text
    workspace.stage("done 1 Second go")
    notes = workspace.wait_for_posts(3)
    assert "was reopened by" in _text(notes[1])
    rows = _export_rows(workspace)
    history = [(row[1], row[3], row[5]) for row in rows[1:] if row[1] != "stage added"]
    who = f"Alex Morgan ({LEAD})"
    assert history == [
        ("stage completed", who, "First go"),
        ("stage reopened", who, ""),
        ("stage completed", who, "Second go"),
    ]
    wait_until(lambda: workspace.standin.calls_to("users.info"), what="the name look-up")
    assert len(workspace.standin.calls_to("users.info")) == 1
    assert CHANNEL
