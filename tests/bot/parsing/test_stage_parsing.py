"""`/stage` text into typed requests, and the usage errors people see."""

from datetime import date

import pytest

from bot.errors import InvalidInput, UsageError
from bot.parsing.forms import ShowHelp
from bot.parsing.slack_text import to_plain
from bot.parsing.stage import (
    AddStage,
    CompleteStage,
    ListStages,
    ReopenStage,
    StartStage,
    parse_stage,
)


def test_add_with_a_due_date_and_an_owner_in_either_order():
    expected = AddStage(title="Open the new ward", due_on=date(2027, 3, 31), owner_id="U123")
    assert parse_stage("add Open the new ward due 2027-03-31 owner <@U123|alex>") == expected
    assert parse_stage("add Open the new ward owner <@U123> due 2027-03-31") == expected


def test_add_with_only_a_title():
    assert parse_stage("add  Recruit two nurses ") == AddStage("Recruit two nurses", None, None)


def test_words_due_and_owner_inside_a_title_are_kept():
    request = parse_stage("add Check the owner handbook is due for review")
    assert request == AddStage("Check the owner handbook is due for review", None, None)


def test_title_text_is_decoded_from_slack_encoding():
    request = parse_stage("add Beds &amp; chairs for &lt;ward 3&gt; <!channel>")
    assert request == AddStage("Beds & chairs for <ward 3> @channel", None, None)


@pytest.mark.parametrize("text", ["", "help", "  HELP  "])
def test_help_and_nothing_show_help(text):
    assert parse_stage(text) == ShowHelp()


def test_the_other_forms():
    assert parse_stage("list") == ListStages()
    assert parse_stage("start 2") == StartStage(2)
    assert parse_stage("done #3 Ward opened on time") == CompleteStage(3, "Ward opened on time")
    assert parse_stage("done 3") == CompleteStage(3, None)
    assert parse_stage("reopen 1") == ReopenStage(1)


@pytest.mark.parametrize("text", ["done abc", "done 0", "start -1", "reopen 1.5"])
def test_a_bad_stage_number_shows_the_right_form(text):
    with pytest.raises(UsageError) as raised:
        parse_stage(text)
    assert "is not a stage number" in raised.value.message
    assert f"/stage {text.split()[0]} N" in raised.value.usage


@pytest.mark.parametrize("text", ["done", "start ", "reopen"])
def test_a_missing_stage_number_is_said_to_be_missing(text):
    with pytest.raises(UsageError) as raised:
        parse_stage(text)
    assert raised.value.message == "Which stage? Give its number."
    assert f"/stage {text.split()[0]} N" in raised.value.usage


def test_a_mistyped_subcommand_suggests_the_nearest():
    with pytest.raises(UsageError) as raised:
        parse_stage("lsit")
    assert raised.value.message == "`lsit` is not a /stage subcommand. Did you mean `list`?"


def test_an_impossible_date_is_refused_with_the_format():
    with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
        parse_stage("add X due 2027-13-45")


def test_an_owner_that_is_not_a_mention_is_refused():
    with pytest.raises(InvalidInput, match="@mention"):
        parse_stage("add X owner alex")


def test_add_without_a_title_is_refused():
    with pytest.raises(UsageError, match="needs a title"):
        parse_stage("add due 2027-01-01")


def test_an_unknown_subcommand_lists_every_form():
    with pytest.raises(UsageError) as raised:
        parse_stage("finish 2")
    for form in ("add TITLE", "list", "start N", "done N", "reopen N"):
        assert form in raised.value.usage


def test_mentions_and_links_are_spelled_out_as_plain_text():
    assert to_plain("<@U1|alex> <#C1|general> <!here> <https://x.org|site> <https://y.org>") == (
        "@alex #general @here site (https://x.org) https://y.org"
    )


def test_a_user_group_mention_is_spelled_with_one_at_sign():
    assert to_plain("Ask <!subteam^S1|@ward-nurses> today") == "Ask @ward-nurses today"
