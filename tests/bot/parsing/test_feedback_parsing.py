"""`/feedback` text into typed requests."""

import pytest

from bot.errors import UsageError
from bot.parsing.feedback import GiveFeedback, ManageLink, OpenFeedbackForm, parse_feedback
from bot.parsing.forms import ShowHelp


def test_no_text_opens_the_form_and_help_shows_the_forms():
    assert parse_feedback("") == OpenFeedbackForm()
    assert parse_feedback("   ") == OpenFeedbackForm()
    assert parse_feedback(" Help ") == ShowHelp()


def test_text_is_feedback_on_the_project_decoded_from_slack_encoding():
    assert parse_feedback("Clearer rota &amp; fewer gaps <!channel>") == GiveFeedback(
        "Clearer rota & fewer gaps @channel"
    )


def test_a_stage_number_before_the_text_names_the_stage():
    assert parse_feedback("#3 The pilot ran well") == GiveFeedback("The pilot ran well", 3)


@pytest.mark.parametrize(
    "text", ["#1a is a typo", "<#C123|general> was busy", "# 3 spaced", "help me"]
)
def test_anything_else_that_starts_with_a_hash_is_just_feedback(text):
    request = parse_feedback(text)
    assert isinstance(request, GiveFeedback)
    assert request.stage_number is None


@pytest.mark.parametrize(
    ("text", "said"),
    [("#0 zero", "`#0` is not a stage number"), ("#4", "Say what your feedback on stage 4 is")],
)
def test_a_stage_without_feedback_or_stage_zero_shows_the_stage_form(text, said):
    with pytest.raises(UsageError) as refused:
        parse_feedback(text)
    assert said in refused.value.message
    assert "/feedback #N TEXT" in refused.value.usage


def test_a_link_for_stage_zero_shows_the_link_form():
    with pytest.raises(UsageError) as refused:
        parse_feedback("link #0")
    assert "`#0` is not a stage number" in refused.value.message
    assert "/feedback link [#N]" in refused.value.usage


@pytest.mark.parametrize(
    ("typed", "meant"), [("lsit", "list"), ("lisst", "list"), ("links", "link")]
)
def test_a_subcommand_typed_wrong_is_not_saved_as_feedback(typed, meant):
    with pytest.raises(UsageError) as refused:
        parse_feedback(typed)
    assert refused.value.message.startswith(f"Did you mean `/feedback {meant}`?")
    assert "was not saved as feedback" in refused.value.message


@pytest.mark.parametrize(("typed", "meant"), [("link nwe", "new"), ("link #2 of", "off")])
def test_a_link_action_typed_wrong_names_the_action_meant(typed, meant):
    with pytest.raises(UsageError) as refused:
        parse_feedback(typed)
    assert refused.value.message.startswith(f"Did you mean `/feedback link {meant}`?")
    assert refused.value.usage.startswith(f"`/feedback link [#N] {meant}`")


@pytest.mark.parametrize("text", ["Brilliant", "link broken", "anon Lovely staff", "Link"])
def test_words_that_are_no_slip_for_a_subcommand_are_still_feedback_or_the_link(text):
    assert isinstance(parse_feedback(text), GiveFeedback | ManageLink)
