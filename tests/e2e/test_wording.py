"""What changebot says, word for word, where a newcomer tripped over it (issue 11, item 11)."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from storage.models import Feedback, Stage

from .conftest import CHANNEL, LEAD, PARTNER, Workspace

BOT_USER = "UCHANGEBOT"


def _stages(workspace: Workspace, count: int) -> None:
    for number in range(1, count + 1):
        workspace.stage(f"add Stage {number}")


def test_a_stage_command_without_its_number_says_the_number_is_missing(workspace):
    reply = workspace.stage("done").text
    assert "Which stage? Give its number." in reply
    assert "`nothing`" not in reply
    assert "/stage done N [OUTCOME]" in reply


def test_a_mistyped_subcommand_suggests_the_nearest_form(workspace):
    assert "`lsit` is not a /stage subcommand. Did you mean `list`?" in workspace.stage("lsit").text
    unlike = workspace.stage("frobnicate").text
    assert "`frobnicate` is not a /stage subcommand." in unlike
    assert "Did you mean" not in unlike
    assert "Did you mean `digest`?" in workspace.command("/plan", "digets daily 09:00").text


def test_plan_help_shows_the_bare_command_without_a_trailing_space(workspace):
    usage = workspace.command("/plan", "help").text
    assert "`/plan`: the overview" in usage
    assert "`/plan `" not in usage


def test_a_concern_names_its_principle_by_the_start_of_its_title(workspace):
    raised = workspace.command("/concern", "Transparency: The rota was changed in secret")
    assert "Transparency" in raised.text
    by_word = workspace.command("/concern", "quality Breaks were cut")
    assert "Quality of working life" in by_word.text
    unknown = workspace.command("/concern", "Honesty: nobody told us").text
    assert "No principle's title starts with `Honesty`." in unknown
    assert "5. Transparency" in unknown


def test_the_default_sixth_principle_does_not_repeat_its_title(workspace):
    listed = workspace.command("/principles", "").text
    assert "Mutual gains for everyone involved." in listed
    assert "Adding value: Adding value" not in listed


def test_progress_rounds_halves_up_as_the_spec_reads_it(workspace):
    _stages(workspace, 8)
    for number in range(1, 6):
        workspace.stage(f"done {number}")
    assert "5 of 8 stages, 63%" in workspace.command("/plan", "").text
    for number in (6, 7):
        workspace.stage(f"done {number}")
    assert "7 of 8 stages, 88%" in workspace.command("/plan", "").text


def test_a_one_off_checkin_says_when_once(workspace):
    workspace.command("/checkin", "schedule on 2027-06-29 10:00 Ward review")
    listed = workspace.command("/checkin", "list").text
    assert "on Tuesday 29 June 2027 at 10:00" in listed
    assert "next Tuesday 29 June" not in listed


def test_the_rating_field_leaves_optional_to_slack(workspace):
    workspace.command("/feedback", "")
    view = workspace.opened_view(1)
    labels = [block["label"]["text"] for block in view["blocks"] if block["type"] == "input"]
    assert "Rating" in labels
    assert not any("(optional)" in label for label in labels)


def test_the_introduction_lists_every_command(workspace):
    mention = {
        "type": "app_mention",
        "user": LEAD,
        "text": f"<@{BOT_USER}> hello",
        "ts": "1699990100.000300",
        "channel": CHANNEL,
    }
    assert workspace.send(workspace.requests.event(mention)).status == 200
    (hello,) = workspace.wait_for_posts(1)
    for command in ("/plan", "/stage", "/feedback", "/principles", "/concern", "/checkin"):
        assert f"`{command}`" in hello.args["text"]


def test_help_after_a_subcommand_shows_how_rather_than_doing_it(workspace):
    assert "/stage add TITLE" in workspace.stage("add help").text
    shown = workspace.command("/feedback", "link help").text
    assert "/feedback link [#N] new" in shown
    assert "recorded" not in shown
    with Session(workspace.runtime.engine) as session:
        assert session.exec(select(func.count()).select_from(Stage)).one() == 0
        assert session.exec(select(func.count()).select_from(Feedback)).one() == 0
    workspace.settle()
    assert workspace.posts() == []


def test_a_number_out_of_range_shows_the_right_form(workspace):
    _stages(workspace, 2)
    for text, wrong, form in [
        ("done 9", "There is no stage 9", "/stage done N [OUTCOME]"),
        ("edit 9 title Tea", "There is no stage 9", "/stage edit N title TEXT"),
        ("move 1 9", "There is no position 9", "/stage move N M"),
    ]:
        reply = workspace.stage(text).text
        assert f"{wrong}: the plan has stages 1 to 2." in reply
        assert form in reply
    assert "/stage" not in workspace.command("/feedback", "#9 More chairs").text
    refused = workspace.stage("done 1", user=PARTNER).text
    assert "Only stage 1's owner or a project lead" in refused
    assert "/stage done N" not in refused
