"""`/plan` and joint sign-off through signed requests to the real app."""

from __future__ import annotations

import csv
import io
import json

from .conftest import CHANNEL, LEAD, PARTNER, Workspace, wait_until

MANAGER, REP = "UMANAGER", "UREP"


def _button(workspace: Workspace, action_id: str) -> tuple[dict, dict]:
    for message in reversed(workspace.standin.messages(CHANNEL)):
        for block in message.get("blocks", []):
            for element in block.get("elements", []):
                if element.get("action_id") == action_id:
                    return message, element
    raise AssertionError(f"no {action_id} button in {CHANNEL}")


def _press(workspace: Workspace, action_id: str, user: str):
    message, button = _button(workspace, action_id)
    request = workspace.requests.block_action(
        user_id=user, channel_id=CHANNEL, message=message, action=button
    )
    return workspace.send(request)


def _text(call) -> str:
    return call.args.get("text", "") + json.dumps(call.args.get("blocks", []))


def test_the_overview_shows_need_progress_stages_and_concerns(workspace):
    assert "No need for change is recorded yet" in workspace.command("/plan", "").text
    assert (
        "now: Waiting times &amp; cancellations"
        in workspace.command("/plan", "need Waiting times &amp; cancellations").text
    )
    workspace.stage("add Map the patient journey")
    workspace.stage("add Pilot the new clinic")
    workspace.stage("done 1 Journey mapped with service users")
    overview = workspace.command("/plan", "").text
    assert "Waiting times &amp; cancellations" in overview
    assert "1 of 2 stages, 50%" in overview
    assert "Pilot the new clinic" in overview
    assert "No open principle concerns" in overview


def test_a_plan_with_no_stages_says_how_to_add_the_first_not_0_of_0(workspace):
    overview = workspace.command("/plan", "").text
    assert "The plan has no stages yet. Add the first with `/stage add TITLE`." in overview
    assert "0 of 0" not in overview
    home = _open_home(workspace, LEAD)
    assert "The plan has no stages yet. Add the first with `/stage add TITLE`." in home
    assert "0 of 0" not in home


def test_only_a_lead_changes_settings_and_is_told_who_may(workspace):
    workspace.command("/plan", "")
    refused = workspace.command("/plan", "need Something else", user=PARTNER)
    assert "Only a project lead can set the need for change" in refused.text
    assert f"<@{LEAD}>" in refused.text
    assert "No need for change" in workspace.command("/plan", "").text


def test_joint_signoff_waits_for_the_other_side_then_celebrates_once(workspace):
    workspace.command("/plan", f"role <@{MANAGER}> management")
    workspace.command("/plan", f"role <@{REP}> union")
    assert "joint sign-off" in workspace.command("/plan", "signoff joint").text
    workspace.stage("add Agree the new rota")
    workspace.stage("add Start the new rota")

    reply = workspace.stage("done 1 Rota agreed by all", user=MANAGER)
    assert "channel has been asked for the union side" in reply.text
    (waiting,) = workspace.wait_for_posts(1)
    assert "Waiting for the union side to confirm" in _text(waiting)

    refused = _press(workspace, "confirm_stage_signoff", MANAGER)
    assert refused.status == 200
    wait_until(lambda: workspace.standin.calls_to("response_url"), what="the refusal")
    assert "already confirmed" in json.dumps(workspace.standin.calls_to("response_url")[-1].args)
    assert len(workspace.posts()) == 1

    assert _press(workspace, "confirm_stage_signoff", REP).status == 200
    posts = workspace.wait_for_posts(2)
    assert "Stage 1 is done" in _text(posts[1])
    assert "Rota agreed by all" in _text(posts[1])
    (update,) = workspace.standin.wait_for("chat.update")
    assert "signed off by" in _text(update)
    assert "confirm_stage_signoff" not in _text(update)
    assert "1 of 2 stages, 50%" in workspace.stage("list").text


def test_export_sends_the_lead_a_spreadsheet_safe_csv(workspace):
    workspace.command("/plan", "need Shorter waits")
    workspace.stage('add =HYPERLINK("http://127.0.0.1") stage')
    workspace.stage("done 1 -2 beds needed, @ward aware")
    assert "on its way" in workspace.reply("/plan", "export").text
    refused = workspace.command("/plan", "export", user=PARTNER)
    assert "Only a project lead can export" in refused.text

    workspace.standin.wait_for("files.completeUploadExternal")
    (shared,) = workspace.standin.files.values()
    assert shared["channel_id"].startswith("D")
    rows = list(csv.reader(io.StringIO(shared["content"].decode("utf-8-sig"))))
    assert rows[0] == ["when", "event", "stage", "who", "role", "detail"]
    assert [row[1] for row in rows[1:]] == ["stage added", "stage completed"]
    assert rows[1][5].startswith("'=HYPERLINK")
    assert rows[2][5] == "'-2 beds needed, @ward aware"
    # Names come from users.info; the stand-in names a user it was never told of "User U…".
    assert rows[2][3] == f"User {LEAD} ({LEAD})"


def _open_home(workspace: Workspace, user: str, *, published: int = 1) -> str:
    """The Home tab as published for the `published`-th time the user opens it."""
    event = {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"}
    assert workspace.send(workspace.requests.event(event)).status == 200

    def publishes() -> list:
        return [c for c in workspace.standin.calls_to("views.publish") if c.args["user_id"] == user]

    wait_until(lambda: len(publishes()) >= published, what="the Home tab")
    published_now = publishes()[published - 1]
    assert published_now.problems == []
    return json.dumps(published_now.args["view"])


def test_the_home_tab_lists_my_projects_with_progress_and_what_is_due(workspace):
    workspace.stage(f"add Open the ward due 2099-01-31 owner <@{MANAGER}>")
    workspace.stage("add Hire two nurses")
    workspace.stage("done 2 Two nurses started")
    home = _open_home(workspace, MANAGER)
    assert "new-ward" in home
    assert "1 of 2 stages, 50%" in home
    assert "Open the ward" in home
    assert "2099-01-31" in home
    assert "No open principle concerns" in home


def test_the_home_tab_says_when_every_stage_is_done_or_how_to_date_the_rest(workspace):
    workspace.stage("add Hire two nurses due 2099-01-31")
    workspace.stage("add Train the team")
    workspace.stage("done 1 Two nurses started")
    undated = _open_home(workspace, LEAD)
    assert "No stage still to do has a due date yet" in undated
    assert "`/stage edit N due YYYY-MM-DD`" in undated

    workspace.stage("done 2 Everyone trained")
    finished = _open_home(workspace, LEAD, published=2)
    assert "Every stage is done." in finished
    assert "due date" not in finished


def test_the_home_tab_of_a_newcomer_says_how_to_start(workspace):
    shown = _open_home(workspace, "UNEWCOMER")
    assert "You are not a partner in a project yet" in shown
    assert "Where a project already has a lead, they make you one with `/plan role @you SIDE`" in (
        shown
    )
