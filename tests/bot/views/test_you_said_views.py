"""Service users' feedback as Slack shows it: page answers, the lead's list, the You said,
we did form and the digest's lines, checked against Slack's own limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.console.blockcheck import block_kit_problems, view_problems
from bot.services.feedback import Given
from bot.services.momentum import Digest
from bot.services.stages import Progress
from bot.services.you_said import MAX_PAIR_LENGTH, Answerable
from bot.views.feedback import ANSWER_FEEDBACK, feedback_post
from bot.views.momentum import digest
from bot.views.you_said import WITHDRAW_ANSWER, YOU_SAID, feedback_list, you_said_form
from storage.models import Experience, Feedback, Project, YouSaidWeDid

AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
PROJECT = Project(id=1, team_id="T1", channel_id="C1", name="new-ward", created_at=AT)


def _page_answer(feedback_id=7, text="What could be better: Parking <!channel>", **extra):
    return Feedback(
        id=feedback_id,
        project_id=1,
        source_role="carer",
        text=text,
        link_id=3,
        rating=2,
        experience=Experience.POOR,
        created_at=AT,
        **extra,
    )


def _pair(feedback_id=7, **extra):
    return YouSaidWeDid(
        project_id=1,
        feedback_id=feedback_id,
        you_said="Parking is hard",
        we_did="Ten more spaces <!here>",
        published_by="ULEAD",
        published_at=AT,
        **extra,
    )


def test_a_page_answer_in_the_channel_says_where_it_came_from_and_offers_the_button():
    post = feedback_post(Given(PROJECT, _page_answer(), None), side="carer")
    text = json.dumps(post.blocks, ensure_ascii=False)
    assert "from the feedback page: a carer, family member or friend · overall: poor" in text
    # Only mrkdwn makes a broadcast; a button's label for a screen reader is plain words.
    assert "<!channel>" not in json.dumps([block["text"] for block in post.blocks])
    assert ANSWER_FEEDBACK in text
    assert block_kit_problems(post.blocks, surface="message") == []


def test_an_answer_with_only_how_it_went_overall_says_so():
    post = feedback_post(Given(PROJECT, _page_answer(text=""), None), side="carer")
    assert "No words, only the overall answer" in json.dumps(post.blocks)


def test_the_leads_list_holds_twenty_answers_within_slacks_limits():
    listed = [
        Answerable(_page_answer(n, "x" * 4000), None, _pair(n) if n % 2 else None, "carer")
        for n in range(20)
    ]
    message = feedback_list(PROJECT, listed, page="http://localhost:3000/f/t/you-said")
    assert block_kit_problems(message.blocks, surface="message") == []
    text = json.dumps(message.blocks)
    assert text.count('"text": "Edit what we did"') == 10
    assert text.count('"text": "We did something about this"') == 10
    assert text.count(WITHDRAW_ANSWER) == 10
    assert "http://localhost:3000/f/t/you-said" in text


def test_the_form_starts_from_the_feedback_and_cuts_what_slack_would_refuse():
    long_answer = Answerable(_page_answer(text="y" * 4000), None, None, "carer")
    form = you_said_form(long_answer, "{}")
    assert view_problems(form) == []
    field = next(block for block in form["blocks"] if block.get("block_id") == YOU_SAID)
    assert len(field["element"]["initial_value"]) == MAX_PAIR_LENGTH
    assert "identify a person" in field["hint"]["text"]
    again = you_said_form(Answerable(_page_answer(), None, _pair(), "carer"), "{}")
    assert "Parking is hard" in json.dumps(again)
    assert "Ten more spaces" in json.dumps(again)


def test_the_digest_lists_answers_published_and_those_still_waiting():
    summary = Digest(
        project=PROJECT,
        since=AT,
        completed=[],
        overdue=[],
        feedback_received=3,
        open_concerns=[],
        next_checkin=None,
        answered=[_pair()],
        waiting_for_response=2,
    )
    message = digest(summary, Progress(done=0, total=0))
    text = json.dumps(message.blocks, ensure_ascii=False)
    assert "*You said, we did*: 1 answer published since the project began" in text
    assert "Ten more spaces &lt;!here&gt;" in text
    assert "2 answers from the feedback page wait for a response" in text
    assert block_kit_problems(message.blocks, surface="message") == []


def _buttons(message):
    return [
        element
        for block in message.blocks
        for element in [*block.get("elements", []), block.get("accessory") or {}]
        if element.get("type") == "button"
    ]


def test_a_screen_reader_tells_the_lists_buttons_apart_by_the_feedback_they_answer():
    listed = [
        Answerable(_page_answer(1, "The car park is always full"), None, _pair(1), "carer"),
        Answerable(_page_answer(2, "Nobody\nanswered the phone " + "z" * 200), None, None, "carer"),
        Answerable(_page_answer(3, ""), None, None, "carer"),
    ]
    buttons = _buttons(feedback_list(PROJECT, listed, page=None))
    spoken = [button["accessibility_label"] for button in buttons]
    assert spoken == [
        "Edit what we did: “The car park is always full”",
        "Take it off the page: “The car park is always full”",
        "We did something about this: “Nobody answered the phone zzzzzzzzzzzzzzzzz…”",
        "We did something about this: an answer of poor overall, with no words",
    ]
    for button in buttons:
        assert button["accessibility_label"].startswith(button["text"]["text"] + ": ")
        assert len(button["accessibility_label"]) <= 75
