"""The `/plan settings` form: valid Block Kit, every setting with its hint, read back as chosen."""

from dataclasses import replace

from bot.console.blockcheck import view_problems
from bot.services.projects import ProjectSettings
from bot.views.settings import read_settings_form, settings_form
from storage.models import SignoffMode

CURRENT = ProjectSettings(
    timezone="Europe/London",
    calendar="GB-ENG",
    signoff_mode=SignoffMode.SINGLE,
    anonymous_concerns=False,
    post_feedback_in_channel=True,
    forum_channel_id=None,
    rule_length=6,
)


def _block(view, block_id):
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def test_the_form_shows_every_setting_as_it_is_each_with_a_hint():
    view = settings_form(CURRENT, "{}")
    assert view_problems(view) == []
    ids = [block["block_id"] for block in view["blocks"]]
    assert ids == [
        "timezone",
        "calendar",
        "signoff",
        "anonymous_concerns",
        "share_feedback",
        "forum",
        "rule_length",
    ]
    assert all(block.get("hint") for block in view["blocks"])
    assert _block(view, "timezone")["element"]["initial_value"] == "Europe/London"
    calendars = [o["text"]["text"] for o in _block(view, "calendar")["element"]["options"]]
    assert calendars == ["England and Wales", "Scotland", "Northern Ireland"]
    assert "initial_options" not in _block(view, "anonymous_concerns")["element"]
    assert _block(view, "share_feedback")["element"]["initial_options"]
    assert _block(view, "forum")["element"]["type"] == "conversations_select"
    assert _block(view, "rule_length")["element"]["initial_option"]["value"] == "6"


def test_the_submitted_values_read_back_as_settings():
    values = {
        "timezone": {"timezone": {"type": "plain_text_input", "value": " Europe/Belfast "}},
        "calendar": {"calendar": {"type": "static_select", "selected_option": {"value": "GB-NIR"}}},
        "signoff": {"signoff": {"type": "static_select", "selected_option": {"value": "joint"}}},
        "anonymous_concerns": {
            "anonymous_concerns": {"type": "checkboxes", "selected_options": [{"value": "yes"}]}
        },
        "share_feedback": {"share_feedback": {"type": "checkboxes", "selected_options": []}},
        "forum": {"forum": {"type": "conversations_select", "selected_conversation": "CFORUM"}},
        "rule_length": {
            "rule_length": {"type": "static_select", "selected_option": {"value": "7"}}
        },
    }
    assert read_settings_form(values, project_channel="C1") == ProjectSettings(
        timezone="Europe/Belfast",
        calendar="GB-NIR",
        signoff_mode=SignoffMode.JOINT,
        anonymous_concerns=True,
        post_feedback_in_channel=False,
        forum_channel_id="CFORUM",
        rule_length=7,
    )


def _hint(view, block_id):
    return _block(view, block_id)["hint"]["text"]


def test_the_hints_say_where_unshared_feedback_is_read_and_what_a_shift_is_measured_from():
    view = settings_form(CURRENT, "{}")
    assert "only the leads read it, in /feedback list and the export" in _hint(
        view, "share_feedback"
    )
    assert "the digest gives only a count" in _hint(view, "share_feedback")
    assert "on one side of the mean (a shift)" in _hint(view, "rule_length")


def test_a_concerns_channel_once_chosen_can_be_set_back_to_this_channel_as_the_hint_says():
    """Slack cannot empty a channel menu once a channel is chosen: choosing this one again
    is how a lead goes back, and the hint says so."""
    view = settings_form(replace(CURRENT, forum_channel_id="CFORUM"), "{}")
    assert "or choose this channel again, to post them here" in _hint(view, "forum")
    values = {"forum": {"forum": {"type": "conversations_select", "selected_conversation": "C1"}}}
    assert read_settings_form(values, project_channel="C1").forum_channel_id is None
