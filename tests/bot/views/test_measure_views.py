"""Measures in Block Kit: the list, the data form and its reader, the removal's confirmation."""

import json
from datetime import date

import pytest

from bot.console.blockcheck import block_kit_problems, view_problems
from bot.errors import InvalidInput
from bot.services.measures import MeasureSeries, Observation, Pasted
from bot.views.measures import (
    DATA_FIELD,
    confirm_removal,
    data_form,
    data_stored,
    measure_list,
    read_data_form,
)
from storage.models import Measure


def _measure(**fields):
    values = {"id": 4, "project_id": 1, "name": "A&E <!here> waits", "unit": "hours"}
    return Measure(**(values | fields))


def test_the_list_gives_direction_target_points_and_latest_value():
    series = MeasureSeries(
        _measure(target=4.0, direction="neither", recalculate_from=date(2027, 2, 1)),
        [Observation(date(2027, 1, 4), 5.5), Observation(date(2027, 1, 11), 4.25, 2)],
        rule_length=6,
    )
    message = measure_list([series])
    assert block_kit_problems(message.blocks, surface="message") == []
    text = json.dumps(message.blocks, ensure_ascii=False)
    assert (
        "*A&amp;E &lt;!here&gt; waits* · in hours · target 4 hours · neither way is better" in text
    )
    assert "2 points · latest 4.25 hours (11 Jan 2027)" in text
    assert "limits recalculated from 1 Feb 2027" in text


def test_the_data_form_has_one_field_of_3000_characters_and_carries_its_metadata():
    view = data_form(_measure(), '{"measure": 4}')
    assert view_problems(view) == []
    (field,) = [b for b in view["blocks"] if b.get("block_id") == DATA_FIELD]
    assert field["element"]["multiline"] is True
    assert field["element"]["max_length"] == 3000
    assert view["private_metadata"] == '{"measure": 4}'


def test_a_bad_paste_is_refused_under_the_field():
    values = {DATA_FIELD: {DATA_FIELD: {"type": "plain_text_input", "value": "2027-01-04\nx 1"}}}
    with pytest.raises(InvalidInput) as refused:
        read_data_form(values)
    assert refused.value.field == DATA_FIELD
    assert "Fix lines 1, 2" in refused.value.message


def test_the_reply_says_how_many_points_were_added_and_replaced():
    said = data_stored(Pasted(_measure(), added=1, replaced=3)).text
    assert "1 point added, 3 points replaced" in said


def test_removal_is_a_danger_button_behind_a_confirmation_dialog():
    message = confirm_removal(_measure())
    assert block_kit_problems(message.blocks, surface="message") == []
    (button,) = message.blocks[1]["elements"]
    assert (button["value"], button["style"]) == ("4", "danger")
    assert button["confirm"]["title"]["text"] == "Remove the measure?"
    assert "A&E <!here> waits and all its points" in button["confirm"]["text"]["text"]
