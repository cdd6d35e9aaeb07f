"""How the principles, their edit form and their reminders read in Slack."""

import json

import pytest

from bot.console.blockcheck import block_kit_problems, view_problems
from bot.errors import InvalidInput
from bot.services.principles import DEFAULT_PRINCIPLES, PrincipleDraft, PrinciplesEdit, Reminder
from bot.views.principles import (
    RAISE_FROM_REMINDER,
    agreement_recorded,
    edit_form,
    principle_list,
    principles_changed,
    read_edit_form,
    reminder,
)
from storage.models import Principle


def _principles(count=6):
    pairs = list(DEFAULT_PRINCIPLES) + [(f"Extra {n}", f"Meaning {n}") for n in range(count)]
    return [
        Principle(id=n, project_id=1, position=n, title=title, meaning=meaning)
        for n, (title, meaning) in enumerate(pairs[:count], start=1)
    ]


def _text(message):
    return message.text + json.dumps(message.blocks)


def _typed(view, typed):
    """The state Slack sends back: every input block, with what was typed or left in it."""
    values = {}
    for block in view["blocks"]:
        if block["type"] == "input":
            value = typed.get(block["block_id"], block["element"].get("initial_value"))
            values[block["block_id"]] = {
                block["block_id"]: {"type": "plain_text_input", "value": value}
            }
    return values


def test_the_list_numbers_each_principle_with_its_meaning_and_names_who_agreed():
    message = principle_list(_principles(), ["UALEX", "USAM"], caller="UALEX")
    text = _text(message)
    assert "*5. Transparency*: Openness and sharing information." in text
    assert "2 partners have agreed: <@UALEX>, <@USAM>." in text
    assert "/principles agree" not in text
    assert block_kit_problems(message.blocks, surface="message") == []


def test_the_list_invites_someone_who_has_not_agreed_and_says_when_nobody_has():
    text = _text(principle_list(_principles(), [], caller="UNEW"))
    assert "Nobody has agreed to this set yet" in text
    assert "Agree to them with `/principles agree`" in text


def test_user_text_in_principles_is_escaped():
    principle = Principle(id=1, project_id=1, position=1, title="<!channel> & co", meaning="<@U1>")
    text = _text(principle_list([principle], [], caller="U1"))
    assert "<!channel>" not in text
    assert "&lt;!channel&gt; &amp; co" in text


def test_agreeing_twice_says_so():
    assert "recorded" in agreement_recorded(new=True).text
    assert "already agreed" in agreement_recorded(new=False).text


def test_the_edit_form_has_each_principle_filled_in_and_room_for_two_more():
    view = edit_form(_principles(), metadata="{}")
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert len(inputs) == 2 * 8
    assert inputs[0]["element"]["initial_value"] == "Shared commitment"
    assert "initial_value" not in inputs[-1]["element"]
    assert view_problems(view) == []
    assert view_problems(edit_form(_principles(20), metadata="{}")) == []


def test_reading_the_form_rewords_removes_and_adds_in_order():
    view = edit_form(_principles(), metadata="{}")
    values = _typed(
        view,
        {
            "title-2": "Each other's interests",
            "title-3": "",
            "meaning-3": "",
            "title-7": "Fair pay",
            "meaning-7": "Nobody loses out",
        },
    )
    drafts = read_edit_form(values)
    assert [d.title for d in drafts] == [
        "Shared commitment",
        "Each other's interests",
        "Quality of working life",
        "Transparency",
        "Adding value",
        "Fair pay",
    ]
    assert drafts[-1] == PrincipleDraft("Fair pay", "Nobody loses out")


def test_a_meaning_without_a_title_or_an_empty_set_is_refused_under_the_field():
    view = edit_form(_principles(1), metadata="{}")
    with pytest.raises(InvalidInput) as untitled:
        read_edit_form(_typed(view, {"title-1": "", "meaning-1": "Orphaned"}))
    assert untitled.value.field == "title-1"
    with pytest.raises(InvalidInput) as emptied:
        read_edit_form(_typed(view, {"title-1": "", "meaning-1": ""}))
    assert emptied.value.field == "title-1"


def test_the_channel_is_asked_to_agree_again_after_an_edit():
    edit = PrinciplesEdit(changed=True, cleared=3, principles=_principles(2))
    text = _text(principles_changed(edit, by="ULEAD"))
    assert "<@ULEAD> has changed the principles" in text
    assert "3 agreements were cleared" in text
    assert "/principles agree" in text


def test_a_reminder_shows_one_principle_its_meaning_and_a_concern_button():
    message = reminder(Reminder(_principles()[2], 6))
    text = _text(message)
    assert "Principle 3 of 6: Employment security" in text
    assert "A commitment to employment security." in text
    (button,) = [e for b in message.blocks if b["type"] == "actions" for e in b["elements"]]
    assert (button["action_id"], button["value"], button["text"]["text"]) == (
        RAISE_FROM_REMINDER,
        "3",
        "Raise a concern",
    )
    assert block_kit_problems(message.blocks, surface="message") == []
