"""`/concern` text and `@changebot concern` mentions into typed requests."""

import pytest

from bot.errors import UsageError
from bot.parsing.concern import (
    MENTION_FORM,
    ListConcerns,
    RaiseConcern,
    parse_concern,
    parse_mention,
)
from bot.parsing.forms import ShowHelp


def test_a_number_and_text_raise_a_concern_with_the_text_as_typed():
    assert parse_concern("5 We were not told about the rota") == RaiseConcern(
        5, "We were not told about the rota"
    )
    assert parse_concern("#2 Jobs &amp; hours &lt;!channel&gt;") == RaiseConcern(
        2, "Jobs & hours <!channel>"
    )


def test_list_and_help():
    assert parse_concern("list") == ListConcerns()
    assert parse_concern("") == ShowHelp()
    assert parse_concern("help") == ShowHelp()


@pytest.mark.parametrize("text", ["0 nothing", "-1 nope", "2.5 half"])
def test_a_number_that_is_no_principle_number_is_refused_with_the_form(text):
    with pytest.raises(UsageError) as refused:
        parse_concern(text)
    assert "is not a principle number" in refused.value.message
    assert "/concern N TEXT" in refused.value.usage


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Transparency: The minutes were not shared", "Transparency"),
        ("transparency The minutes were not shared", "transparency"),
        ("Quality of working life: The minutes were not shared", "Quality of working life"),
        ("3: The minutes were not shared", 3),
    ],
)
def test_a_principle_is_named_by_its_number_or_the_start_of_its_title(text, named):
    assert parse_concern(text) == RaiseConcern(named, "The minutes were not shared")


def test_a_principle_named_without_text_asks_for_it():
    with pytest.raises(UsageError) as refused:
        parse_concern("Transparency:")
    assert "Say what the concern about principle Transparency is" in refused.value.message


def test_a_concern_needs_a_description():
    with pytest.raises(UsageError) as refused:
        parse_concern("5")
    assert "Say what the concern about principle 5 is" in refused.value.message


def test_a_mention_that_starts_with_concern_raises_one():
    assert parse_mention("<@UCHANGEBOT> concern 3 Jobs at risk") == RaiseConcern(3, "Jobs at risk")
    assert parse_mention("<@UCHANGEBOT|changebot>  Concern 1 Not shared") == RaiseConcern(
        1, "Not shared"
    )


def test_any_other_mention_is_not_a_concern():
    assert parse_mention("<@UCHANGEBOT>") is None
    assert parse_mention("<@UCHANGEBOT> hello, what can you do?") is None
    assert parse_mention("<@UCHANGEBOT> I have a concern 5 about this") is None


def test_a_mistyped_mention_shows_the_mention_form():
    with pytest.raises(UsageError) as refused:
        parse_mention("<@UCHANGEBOT> concern")
    assert "Which principle? Give its number." in refused.value.message
    assert refused.value.usage == MENTION_FORM


def test_a_subcommand_typed_wrong_is_named_not_taken_for_a_principle():
    with pytest.raises(
        UsageError, match=r"`lsit` is not a /concern subcommand\. Did you mean `list`\?"
    ):
        parse_concern("lsit")
    with pytest.raises(UsageError, match="Say what the concern about principle Transparency is"):
        parse_concern("Transparency")


@pytest.mark.parametrize(
    "typed", ["5. Minutes not shared", "5: Minutes not shared", "5.\tMinutes not shared"]
)
def test_a_principle_number_written_as_principles_lists_it_is_that_principle(typed):
    assert parse_concern(typed) == RaiseConcern(5, "Minutes not shared")


def test_a_mention_may_break_its_line_after_the_principle_and_keeps_the_lines_after_it():
    typed = "<@UCHANGEBOT> concern 5\nWe were not told.\nNobody asked the staff side."
    assert parse_mention(typed) == RaiseConcern(
        5, "We were not told.\nNobody asked the staff side."
    )
    assert parse_mention("<@UCHANGEBOT>\nconcern\n3 Jobs at risk") == RaiseConcern(
        3, "Jobs at risk"
    )


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("concern help", "To raise a concern here, name the principle and say what happened."),
        ("concern list", "`/concern list` lists the project's concerns."),
    ],
)
def test_help_or_list_in_a_mention_is_answered_not_taken_for_a_principle(typed, said):
    with pytest.raises(UsageError) as answered:
        parse_mention(f"<@UCHANGEBOT> {typed}")
    assert answered.value.message == said
    assert answered.value.usage == MENTION_FORM


@pytest.mark.parametrize(
    ("typed", "named", "said"),
    [
        (
            "transparency The 09:00 briefing was cancelled",
            "transparency",
            "The 09:00 briefing was cancelled",
        ),
        ("Transparency: shifts start at 07:00 now", "Transparency", "shifts start at 07:00 now"),
        ("employment Cuts run 2:1 against our side", "employment", "Cuts run 2:1 against our side"),
    ],
)
def test_a_time_in_the_text_does_not_end_the_principles_name(typed, named, said):
    assert parse_concern(typed) == RaiseConcern(named, said)
