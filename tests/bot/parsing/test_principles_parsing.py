"""`/principles` text into typed requests, and the usage errors people see."""

from datetime import time

import pytest

from bot.errors import InvalidInput, UsageError
from bot.parsing.forms import ShowHelp
from bot.parsing.principles import (
    PRINCIPLES,
    AgreePrinciples,
    EditPrinciples,
    ShowPrinciples,
    StartReminders,
    StopReminders,
    parse_principles,
)


def test_no_subcommand_lists_the_principles_and_help_shows_the_forms():
    assert parse_principles("") == ShowPrinciples()
    assert parse_principles("  ") == ShowPrinciples()
    assert parse_principles("List") == ShowPrinciples()
    assert parse_principles("help") == ShowHelp()


def test_agree_and_edit_in_any_case():
    assert parse_principles("agree") == AgreePrinciples()
    assert parse_principles("AGREE") == AgreePrinciples()
    assert parse_principles("edit") == EditPrinciples()


def test_remind_takes_a_schedule():
    request = parse_principles("remind weekly mon 09:00")
    assert isinstance(request, StartReminders)
    assert (request.spec.every, request.spec.weekday, request.spec.at) == ("weekly", 0, time(9))
    assert request.spec.canonical() == "weekly mon 09:00"


def test_remind_off_stops_the_reminders():
    assert parse_principles("remind off") == StopReminders()
    assert parse_principles("remind stop") == StopReminders()


def test_remind_without_a_schedule_shows_the_remind_form():
    with pytest.raises(UsageError) as refused:
        parse_principles("remind")
    assert "remind SCHEDULE" in refused.value.usage


def test_a_bad_schedule_says_what_a_schedule_looks_like():
    with pytest.raises(InvalidInput) as refused:
        parse_principles("remind weekly someday 09:00")
    assert "is not a day of the week" in refused.value.message
    assert "weekly DAY HH:MM" in refused.value.message


def test_an_unknown_subcommand_shows_every_form():
    with pytest.raises(UsageError) as refused:
        parse_principles("frobnicate")
    assert "`frobnicate` is not a /principles subcommand" in refused.value.message
    assert refused.value.usage == PRINCIPLES.usage()
    for form in ("agree", "remind SCHEDULE", "edit", "help"):
        assert form in refused.value.usage
