"""A modal's fields as the console asks them, and the state.values Slack would send back."""

from __future__ import annotations

from typing import Any

import pytest

from bot.console.form import InvalidAnswer, fields, state_values
from bot.console.render import Names


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def input_block(block_id: str | None, element: dict[str, Any], **extra: Any) -> dict[str, Any]:
    block = {
        "type": "input",
        "label": {"type": "plain_text", "text": block_id or "Unnamed"},
        "element": element,
        **extra,
    }
    return {**block, "block_id": block_id} if block_id else block


STAGES = [option("Open the ward", "1"), option("Hire nurses", "2")]
VIEW = {
    "type": "modal",
    "blocks": [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Tell us"}},
        input_block("text", {"type": "plain_text_input", "action_id": "value"}),
        input_block(
            "stage",
            {"type": "static_select", "action_id": "pick", "options": STAGES},
            optional=True,
        ),
        input_block(
            "anonymous",
            {"type": "checkboxes", "action_id": "anon", "options": [option("Anonymous", "yes")]},
            optional=True,
        ),
        input_block(
            "roles",
            {
                "type": "checkboxes",
                "action_id": "roles",
                "options": [option("Staff", "staff"), option("Union", "union")],
                "initial_options": [option("Staff", "staff")],
            },
            optional=True,
        ),
        input_block(None, {"type": "datepicker", "action_id": "due"}, optional=True),
    ],
}


def test_only_input_blocks_are_fields_and_an_id_less_block_gets_a_positional_id():
    found = fields(VIEW)
    assert [(f.block_id, f.action_id, f.kind) for f in found] == [
        ("text", "value", "plain_text_input"),
        ("stage", "pick", "static_select"),
        ("anonymous", "anon", "checkboxes"),
        ("roles", "roles", "checkboxes"),
        ("block-5", "due", "datepicker"),
    ]


def test_answers_become_state_values_in_slacks_shape_for_each_element_type():
    text, stage, anonymous, roles, due = fields(VIEW)
    answers = [
        (text, text.answer("It works")),
        (stage, stage.answer("2")),
        (anonymous, anonymous.answer("y")),
        (roles, roles.answer("1 2")),
        (due, due.answer("2030-01-31")),
    ]
    assert state_values(answers) == {
        "text": {"value": {"type": "plain_text_input", "value": "It works"}},
        "stage": {"pick": {"type": "static_select", "selected_option": STAGES[1]}},
        "anonymous": {
            "anon": {"type": "checkboxes", "selected_options": [option("Anonymous", "yes")]}
        },
        "roles": {
            "roles": {
                "type": "checkboxes",
                "selected_options": [option("Staff", "staff"), option("Union", "union")],
            }
        },
        "block-5": {"due": {"type": "datepicker", "selected_date": "2030-01-31"}},
    }


def test_an_empty_answer_keeps_the_initial_value_or_leaves_the_field_blank():
    _text, stage, anonymous, roles, due = fields(VIEW)
    assert stage.answer("") == {"type": "static_select", "selected_option": None}
    assert anonymous.answer("n") == {"type": "checkboxes", "selected_options": []}
    assert roles.answer("") == {
        "type": "checkboxes",
        "selected_options": [option("Staff", "staff")],
    }
    assert due.answer("") == {"type": "datepicker", "selected_date": None}


@pytest.mark.parametrize(
    ("index", "typed", "said"),
    [
        (0, "", "text is required"),
        (1, "3", "from 1 to 2"),
        (1, "two", "from 1 to 2"),
        (4, "31/01/2030", "is not a date"),
    ],
)
def test_an_answer_that_does_not_fit_says_what_would(index, typed, said):
    with pytest.raises(InvalidAnswer, match=said):
        fields(VIEW)[index].answer(typed)


def test_the_question_lists_the_choices_and_what_an_empty_answer_does():
    question = fields(VIEW)[1].question(2, Names())
    assert question.splitlines() == [
        "(2) stage",
        "    1. Open the ward",
        "    2. Hire nurses",
        "    type a number; empty leaves it blank",
    ]
    assert "empty keeps what is there" in fields(VIEW)[3].question(4, Names())
    assert fields(VIEW)[0].question(1, Names()).splitlines() == [
        "(1) text (required)",
        "    type the text",
    ]


def test_a_channel_is_picked_by_its_name_and_an_unknown_one_is_refused_with_the_choices():
    (forum,) = fields(
        {
            "type": "modal",
            "blocks": [
                input_block(
                    "forum",
                    {
                        "type": "conversations_select",
                        "action_id": "forum",
                        "initial_conversation": "C1",
                    },
                    optional=True,
                )
            ],
        }
    )
    names = Names(channels={"C1": "new-ward", "C2": "forum"})
    assert "a channel, as #name; empty keeps what is there" in forum.question(6, names)
    assert forum.answer("#Forum", names) == {
        "type": "conversations_select",
        "selected_conversation": "C2",
    }
    assert forum.answer("", names)["selected_conversation"] == "C1"
    with pytest.raises(InvalidAnswer, match="There is no channel #ward here; the channels are"):
        forum.answer("#ward", names)
