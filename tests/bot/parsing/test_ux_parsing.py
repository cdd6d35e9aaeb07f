"""Fixing mistakes and staying anonymous, as typed: `/stage edit|move|remove`, `/feedback anon`,
`/plan lead` and `/plan settings`."""

from datetime import date

import pytest

from bot.errors import ChangebotError, UsageError
from bot.parsing.feedback import GiveFeedback, parse_feedback
from bot.parsing.plan import OpenSettings, SetLead, parse_plan
from bot.parsing.stage import (
    AddStage,
    MoveStage,
    RemoveStage,
    RetitleStage,
    SetStageDue,
    SetStageOwner,
    parse_stage,
)


@pytest.mark.parametrize(
    ("text", "request_"),
    [
        ("edit 2 title Order the chairs", RetitleStage(2, "Order the chairs")),
        ("edit 2 due 2027-01-08", SetStageDue(2, date(2027, 1, 8))),
        ("edit 2 due none", SetStageDue(2, None)),
        ("edit 2 owner <@UJO|jo>", SetStageOwner(2, "UJO")),
        ("edit 2 owner none", SetStageOwner(2, None)),
        ("move 4 1", MoveStage(4, 1)),
        ("remove 3", RemoveStage(3)),
        ("add Review due diligence", None),
    ],
)
def test_the_forms_that_fix_a_stage(text, request_):
    if request_ is None:
        with pytest.raises(ChangebotError):
            parse_stage(text)
    else:
        assert parse_stage(text) == request_


@pytest.mark.parametrize(
    ("text", "said", "form"),
    [
        ("add Order furniture due next friday", "`next friday` is not a date", "/stage add"),
        ("add Order furniture due 31/3", "not a date", ""),
        ("edit 2 colour blue", "Say what to change in stage 2", "/stage edit N title"),
        ("edit 2 due tomorrow", "`tomorrow` is not a date", ""),
        ("move 2", "Which position? Give its number.", "/stage move N M"),
        ("move 2 top", "`top` is not a position to move stage 2 to", "/stage move N M"),
    ],
)
def test_a_date_in_words_or_a_missing_part_is_refused_with_the_right_form(text, said, form):
    with pytest.raises(ChangebotError) as refused:
        parse_stage(text)
    assert said in refused.value.message
    if form:
        assert isinstance(refused.value, UsageError)
        assert form in refused.value.usage


def test_a_due_date_still_comes_off_the_title():
    assert parse_stage("add Order chairs due 2027-01-08") == AddStage(
        "Order chairs", date(2027, 1, 8), None
    )


@pytest.mark.parametrize(
    ("text", "request_"),
    [
        (
            "anonymous The night handover is too rushed",
            GiveFeedback("The night handover is too rushed", None, True),
        ),
        ("anon The handover", GiveFeedback("The handover", None, True)),
        ("ANON #3 Rushed", GiveFeedback("Rushed", 3, True)),
        ("#3 anonymous Rushed", GiveFeedback("Rushed", 3, True)),
        ("Anonymity matters to us", GiveFeedback("Anonymity matters to us", None, False)),
    ],
)
def test_anonymous_feedback_as_typed(text, request_):
    assert parse_feedback(text) == request_


def test_anonymous_alone_asks_for_the_feedback():
    with pytest.raises(UsageError, match="Say what your feedback is"):
        parse_feedback("anon")


def test_the_lead_permission_and_the_settings_form():
    assert parse_plan("lead <@UJO>") == SetLead("UJO", lead=True)
    assert parse_plan("lead <@UJO> off") == SetLead("UJO", lead=False)
    assert parse_plan("settings") == OpenSettings()
    with pytest.raises(UsageError, match="@mention"):
        parse_plan("lead jo")
