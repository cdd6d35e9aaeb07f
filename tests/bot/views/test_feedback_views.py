"""The feedback form and its acknowledgements, as Slack would see them."""

import json

from bot.console.blockcheck import block_kit_problems, view_problems
from bot.services.feedback import FormChoices, Given
from bot.views.feedback import (
    feedback_form,
    feedback_post,
    feedback_recorded,
    read_feedback_form,
)
from bot.views.replies import finished_form
from storage.models import Feedback, Project, Role, Stage


def _stage(position, title="Pilot the rota"):
    return Stage(id=position * 10, project_id=1, position=position, title=title, created_by="U1")


def _given(*, author_id="U2", stage=None, text="Kind & clear <!here>"):
    feedback = Feedback(
        id=5, project_id=1, source_role="staff", author_id=author_id, text=text, rating=4
    )
    return Given(Project(team_id="T1", channel_id="C1", name="new-ward"), feedback, stage)


def _block(view, block_id):
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def _state(view, **chosen):
    """Slack's state values for the form with options picked by position."""
    values = {}
    for block_id, index in chosen.items():
        option = _block(view, block_id)["element"]["options"][index]
        kind = "checkboxes" if block_id == "anonymous" else "static_select"
        value = (
            {"selected_options": [option]} if kind == "checkboxes" else {"selected_option": option}
        )
        values[block_id] = {block_id: {"type": kind, **value}}
    return values


def test_the_form_offers_the_whole_project_then_each_stage_and_leaves_the_side_to_choose():
    view = feedback_form(FormChoices([_stage(1), _stage(2, "Roll out")]), '{"channel": "C1"}')
    assert view_problems(view) == []
    stages = [o["text"]["text"] for o in _block(view, "stage")["element"]["options"]]
    assert stages == ["The project as a whole", "1. Pilot the rota", "2. Roll out"]
    assert _block(view, "stage")["element"]["initial_option"]["value"] == "project"
    assert "initial_option" not in _block(view, "role")["element"]
    sides = [o["value"] for o in _block(view, "role")["element"]["options"]]
    assert sides == ["management", "staff", "union", "service-user"]
    assert _block(view, "rating")["optional"] is True
    assert view["private_metadata"] == '{"channel": "C1"}'


def test_someone_with_no_role_chooses_one_and_a_long_plan_fits_one_select():
    view = feedback_form(FormChoices([_stage(n, "T" * 300) for n in range(1, 151)]), "{}")
    assert view_problems(view) == []
    assert "initial_option" not in _block(view, "role")["element"]
    assert len(_block(view, "stage")["element"]["options"]) == 100


def test_reading_the_form_back_gives_the_choices_made():
    view = feedback_form(FormChoices([_stage(1)]), "{}")
    values = _state(view, stage=1, rating=4, role=3, anonymous=0)
    values["text"] = {"text": {"type": "plain_text_input", "value": "  Heard at last  "}}
    form = read_feedback_form(values)
    assert (form.stage_id, form.rating, form.role, form.anonymous, form.text) == (
        10,
        5,
        Role.SERVICE_USER,
        True,
        "Heard at last",
    )


def test_the_whole_project_no_rating_and_not_anonymous_read_as_nothing():
    view = feedback_form(FormChoices([_stage(1)]), "{}")
    values = _state(view, stage=0, role=2)
    values["text"] = {"text": {"type": "plain_text_input", "value": "Fine"}}
    form = read_feedback_form(values)
    assert (form.stage_id, form.rating, form.anonymous) == (None, None, False)


def test_the_acknowledgement_does_not_repeat_the_feedback_and_says_when_it_is_nameless():
    named = feedback_recorded(_given(stage=_stage(2)), shared=False)
    assert "your feedback on stage 2 (Pilot the rota) is recorded." in named.text
    assert "not posted in the channel" in named.text
    anonymous = feedback_recorded(_given(author_id=None), shared=True)
    assert "without your name" in anonymous.text
    assert "shared in the channel" in anonymous.text
    for message in (named, anonymous):
        assert "Kind" not in json.dumps(message.blocks)
    assert view_problems(finished_form("Feedback", anonymous)) == []


def test_shared_feedback_is_escaped_and_anonymous_feedback_shows_no_name():
    post = feedback_post(_given(author_id=None), side="not shown, to keep it anonymous")
    text = json.dumps(post.blocks)
    assert "Someone (anonymous)" in text
    assert "<@" not in text
    assert "&amp;" in text
    # Only mrkdwn makes a broadcast; a button's label for a screen reader is plain words.
    assert "<!here>" not in json.dumps([block["text"] for block in post.blocks])
    assert block_kit_problems(post.blocks, surface="message") == []
    assert "side not shown, to keep it anonymous" in text
    assert "<@U2>" in json.dumps(feedback_post(_given(), side="staff").blocks)
