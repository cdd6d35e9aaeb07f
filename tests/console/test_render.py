"""Block Kit as the console shows it: pure functions of blocks and a directory of names."""

from __future__ import annotations

from typing import Any

from bot.console.render import (
    CONTEXT_MARK,
    DIVIDER,
    Names,
    decode,
    framed,
    render_blocks,
    render_message,
    render_view,
)

NAMES = Names(
    users={"UALEX": "alex", "USAM": "sam"},
    channels={"CNEWWARD": "new-ward"},
    dms={"DALEX": "alex"},
)


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def button(text: str, action_id: str) -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "text": plain(text)}


def test_entities_are_decoded_after_mentions_so_typed_markup_stays_literal():
    assert decode("Fish &amp; chips &lt;3 &gt; all", NAMES) == "Fish & chips <3 > all"
    assert decode("&lt;@USAM&gt; &amp;lt;", NAMES) == "<@USAM> &lt;"


def test_mentions_read_as_names_from_the_directory():
    assert decode("Owned by <@USAM> · completed by <@UALEX|someone>", NAMES) == (
        "Owned by @sam · completed by @alex"
    )
    assert decode("in <#CNEWWARD> and <#CFORUM|forum>", NAMES) == "in #new-ward and #forum"
    assert decode("<@UNKNOWN> and <@UOTHER|olu>", NAMES) == "@UNKNOWN and @olu"


def test_broadcasts_and_links_read_as_slack_shows_them():
    assert decode("<!here> <!subteam^S1|@nurses>", NAMES) == "@here @nurses"
    assert decode("<https://example.org|the plan> <https://x.org>", NAMES) == (
        "the plan (https://example.org) https://x.org"
    )


def test_a_header_stands_out_and_plain_text_is_shown_as_written():
    rendered = render_blocks([{"type": "header", "text": plain("Stage 1 &lt; done")}], NAMES)
    assert rendered.lines == ["== Stage 1 &lt; done =="]


def test_sections_show_their_text_lines_and_fields():
    block = {
        "type": "section",
        "text": mrkdwn("*Stage 1* is done\n*Outcome:* it &amp; more"),
        "fields": [mrkdwn("Owner <@USAM>"), plain("Due 2030-01-01")],
    }
    assert render_blocks([block], NAMES).lines == [
        "*Stage 1* is done",
        "*Outcome:* it & more",
        "  Owner @sam",
        "  Due 2030-01-01",
    ]


def test_context_is_marked_and_dividers_and_images_are_drawn():
    blocks = [
        {
            "type": "context",
            "elements": [
                mrkdwn("Completed by <@UALEX>"),
                {"type": "image", "image_url": "https://x/i.png", "alt_text": "tick"},
            ],
        },
        {"type": "divider"},
        {"type": "image", "image_url": "https://x/c.png", "alt_text": "progress chart"},
    ]
    assert render_blocks(blocks, NAMES).lines == [
        f"{CONTEXT_MARK}Completed by @alex  [image: tick]",
        DIVIDER,
        "[image: progress chart]",
    ]


def test_buttons_are_numbered_in_order_from_the_number_given():
    blocks = [
        {"type": "section", "text": mrkdwn("A concern"), "accessory": button("Open", "open")},
        {
            "type": "actions",
            "elements": [button("Acknowledge", "ack"), button("Resolve", "resolve")],
        },
    ]
    rendered = render_blocks(blocks, NAMES, first_button=4)
    assert rendered.lines == ["A concern", "[4] Open", "[5] Acknowledge   [6] Resolve"]
    assert [element["action_id"] for element in rendered.buttons] == ["open", "ack", "resolve"]


def test_a_message_without_blocks_shows_its_text_and_its_files():
    message = {"text": "Export for <@UALEX>", "files": [{"id": "F1", "name": "plan.csv"}]}
    assert render_message(message, NAMES).lines == ["Export for @alex", "[file: plan.csv]"]


def test_a_modal_numbers_its_input_fields_and_names_its_submit_button():
    view = {
        "type": "modal",
        "title": plain("Feedback"),
        "submit": plain("Send"),
        "blocks": [
            {
                "type": "input",
                "label": plain("What changed"),
                "element": {"type": "plain_text_input", "action_id": "text"},
            },
            {
                "type": "input",
                "optional": True,
                "label": plain("Rating"),
                "element": {
                    "type": "static_select",
                    "action_id": "rating",
                    "placeholder": plain("Pick one"),
                },
            },
        ],
    }
    assert render_view(view, NAMES).lines == [
        "== Feedback ==",
        "(1) What changed: [plain_text_input]",
        "(2) Rating (optional): [static_select: Pick one]",
        "[Send] sends the form",
    ]


def test_framing_indents_the_lines_under_the_first():
    assert framed("#new-ward  changebot: ", ["one", "two"]) == [
        "#new-ward  changebot: one",
        "                      two",
    ]
