"""How a concern reads in Slack: its card, its thread lines, the list and its two forms."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.console.blockcheck import block_kit_problems, view_problems
from bot.errors import InvalidInput
from bot.services.concerns import ConcernList
from bot.views.concerns import (
    ACKNOWLEDGE,
    PRINCIPLE,
    RESOLVE,
    WITHDRAW,
    age,
    concern_card,
    concern_list,
    escalation,
    raise_form,
    read_raise_form,
    status_changed,
)
from storage.models import Concern, ConcernStatus, Principle

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def _concern(**fields):
    values = {
        "id": 7,
        "project_id": 1,
        "principle_position": 5,
        "principle_title": "Transparency",
        "text": "The rota changed without a word",
        "raised_by": "UREP",
        "channel_id": "C1",
        "created_at": NOW - timedelta(days=3),
    }
    return Concern(**(values | fields))


def _text(message):
    return message.text + json.dumps(message.blocks)


def _buttons(message):
    return [e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]]


def test_the_card_names_the_principle_text_raiser_status_and_offers_the_buttons():
    card = concern_card(_concern())
    text = _text(card)
    assert "Concern #7* about principle 5: Transparency" in text
    assert ">The rota changed without a word" in text
    assert "Raised by <@UREP>" in text
    assert ":red_circle: open" in text
    assert _buttons(card) == [ACKNOWLEDGE, RESOLVE, WITHDRAW]
    assert block_kit_problems(card.blocks, surface="message") == []


def test_a_concern_raised_anonymously_never_names_the_raiser():
    card = concern_card(_concern(anonymous=True))
    withdrawn = status_changed(_concern(status=ConcernStatus.WITHDRAWN, anonymous=True))
    for message in (card, withdrawn):
        assert "UREP" not in _text(message)


def test_the_card_follows_the_status_and_loses_its_buttons_when_closed():
    acknowledged = _concern(status=ConcernStatus.ACKNOWLEDGED, acknowledged_by="ULEAD")
    assert "acknowledged by <@ULEAD>" in _text(concern_card(acknowledged))
    assert _buttons(concern_card(acknowledged)) == [RESOLVE, WITHDRAW]
    resolved = _concern(status=ConcernStatus.RESOLVED, resolved_by="ULEAD", resolution_note="Fixed")
    card = concern_card(resolved)
    assert "*Resolution:* Fixed" in _text(card)
    assert _buttons(card) == []


def test_status_lines_for_the_thread():
    acknowledged = _concern(status=ConcernStatus.ACKNOWLEDGED, acknowledged_by="ULEAD")
    assert "<@ULEAD> acknowledged this concern" in status_changed(acknowledged).text
    resolved = _concern(
        status=ConcernStatus.RESOLVED, resolved_by="UBOSS", resolution_note="<!here> ok"
    )
    line = status_changed(resolved).text
    assert "<@UBOSS> resolved this concern: &lt;!here&gt; ok" in line


def test_user_text_is_escaped_and_a_huge_text_still_fits():
    card = concern_card(_concern(text="<!channel> & " + "x" * 5000))
    text = _text(card)
    assert "<!channel>" not in text
    assert "&lt;!channel&gt; &amp;" in text
    assert block_kit_problems(card.blocks, surface="message") == []


def test_the_escalation_names_the_leads():
    text = escalation(_concern(), ["ULEAD", "UTWO"]).text
    assert "<@ULEAD>, <@UTWO>" in text
    assert "three working days" in text


def test_the_list_shows_open_then_closed_with_principle_age_replies_and_thread_link():
    open_one = _concern(id=1, created_at=NOW - timedelta(days=3))
    closed = _concern(id=2, status=ConcernStatus.RESOLVED, created_at=NOW - timedelta(hours=5))
    listed = ConcernList(open=[open_one], closed=[closed], replies={1: 2})
    message = concern_list(listed, {1: "https://slack.example/archives/C1/p1"}, NOW)
    text = _text(message)
    assert text.index("*#1*") < text.index("Closed in the last 30 days") < text.index("*#2*")
    assert "principle 5: Transparency" in text
    assert "raised 3 days ago" in text
    assert "raised 5 hours ago" in text
    assert "2 replies" in text
    assert "<https://slack.example/archives/C1/p1|thread>" in text
    assert "thread not posted yet" in text
    assert block_kit_problems(message.blocks, surface="message") == []


def test_a_long_list_stays_within_slacks_limits():
    many = [_concern(id=n) for n in range(1, 60)]
    message = concern_list(ConcernList(open=many, closed=many[:10], replies={}), {}, NOW)
    assert block_kit_problems(message.blocks, surface="message") == []
    assert "and 39 more open concerns" in _text(message)


def test_the_list_counts_one_open_concern_in_the_singular():
    listed = ConcernList(open=[_concern(id=1)], closed=[], replies={})
    assert concern_list(listed, {}, NOW).text == "1 open concern, 0 closed recently"


def test_one_concern_beyond_the_list_is_one_more():
    many = [_concern(id=n) for n in range(1, 22)]
    assert "and 1 more open concern." in _text(concern_list(ConcernList(many, [], {}), {}, NOW))


def test_an_empty_list_says_how_to_raise_one():
    assert "/concern N TEXT" in concern_list(ConcernList([], [], {}), {}, NOW).text


def test_age_reads_in_the_largest_whole_unit():
    assert age(NOW - timedelta(seconds=20), NOW) == "under a minute"
    assert age(NOW - timedelta(minutes=1), NOW) == "1 minute"
    assert age(NOW - timedelta(days=15), NOW) == "2 weeks"


def test_the_concern_form_can_start_with_a_principle_chosen_and_reads_back():
    principles = [
        Principle(id=n, project_id=1, position=n, title=f"Principle {n}", meaning="")
        for n in (1, 2, 3)
    ]
    view = raise_form(principles, metadata="{}", chosen=2)
    select = view["blocks"][0]["element"]
    assert select["initial_option"]["value"] == "2"
    assert "initial_option" not in raise_form(principles, metadata="{}")["blocks"][0]["element"]
    assert view_problems(view) == []
    values = {
        "principle": {"principle": {"selected_option": {"value": "2"}}},
        "description": {"description": {"value": " Not consulted "}},
    }
    form = read_raise_form(values)
    assert (form.number, form.text) == (2, "Not consulted")
    with pytest.raises(InvalidInput) as unchosen:
        read_raise_form({"principle": {"principle": {"selected_option": None}}})
    assert unchosen.value.field == PRINCIPLE
