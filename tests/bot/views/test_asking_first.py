"""Buttons that cannot be undone ask first, and their messages are valid Block Kit."""

from bot.console.blockcheck import block_kit_problems
from bot.services.stages import AwaitingSignoff
from bot.views.stages import awaiting_signoff, removal_question, reopening_note
from storage.models import Project, Stage, StageSignoff

PROJECT = Project(id=1, team_id="T1", channel_id="C1", name="new-ward")
STAGE = Stage(id=10, project_id=1, position=3, title="Open <!here> & the ward", created_by="U1")


def _button(message):
    (actions,) = [block for block in message.blocks if block["type"] == "actions"]
    (button,) = actions["elements"]
    return button


def test_removing_a_stage_asks_in_slacks_dialog_and_names_it_by_id():
    message = removal_question(STAGE)
    assert block_kit_problems(message.blocks, surface="message") == []
    button = _button(message)
    assert (button["value"], button["style"]) == ("10", "danger")
    assert button["confirm"]["title"]["text"] == "Remove stage 3?"
    assert "<!here>" not in repr(message.blocks)


def test_the_signoff_button_asks_first_and_the_message_names_who_can_confirm():
    confirmed = StageSignoff(stage_id=10, round=1, side="union", user_id="UJO")
    waiting = AwaitingSignoff(PROJECT, STAGE, 1, confirmed, can_confirm=("UALEX", "UMO"))
    message = awaiting_signoff(waiting)
    assert block_kit_problems(message.blocks, surface="message") == []
    assert "Waiting for the management side to confirm: <@UALEX> or <@UMO>." in message.text
    assert _button(message)["confirm"]["confirm"]["text"] == "Confirm"
    nobody = awaiting_signoff(AwaitingSignoff(PROJECT, STAGE, 1, confirmed, can_confirm=()))
    assert "nobody is of the management side yet" in nobody.text


def test_the_reopening_note_is_short_and_escaped():
    note = reopening_note(STAGE, "UJO")
    assert note.text.startswith(":leftwards_arrow_with_hook: Stage 3 (Open &lt;!here&gt; &amp;")
    assert "reopened by <@UJO>" in note.text
