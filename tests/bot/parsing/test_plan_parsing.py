"""`/plan` text into typed requests."""

import pytest

from bot.errors import UsageError
from bot.parsing.forms import ShowHelp
from bot.parsing.plan import (
    PLAN,
    ExportRecord,
    PartnershipReport,
    SetNeed,
    SetRole,
    SetSignoff,
    ShowOverview,
    parse_plan,
)
from storage.models import Role, SignoffMode


def test_the_forms():
    assert parse_plan("") == ShowOverview()
    assert parse_plan("help") == ShowHelp()
    assert parse_plan("need Waiting lists &amp; delays") == SetNeed("Waiting lists & delays")
    assert parse_plan("role <@U1|jo> union") == SetRole("U1", Role.UNION)
    assert parse_plan("role <@U1> Service-User") == SetRole("U1", Role.SERVICE_USER)
    assert parse_plan("role <@U1> service user") == SetRole("U1", Role.SERVICE_USER)
    assert parse_plan("signoff JOINT") == SetSignoff(SignoffMode.JOINT)
    assert parse_plan("export") == ExportRecord()


@pytest.mark.parametrize(
    ("text", "explanation", "form"),
    [
        ("need", "Say what the need for change is", "/plan need TEXT"),
        ("role jo union", "@mention", "/plan role @user SIDE"),
        ("role <@U1> boss", "`boss` is not a side", "/plan role @user SIDE"),
        ("role <@U1>", "Which side? Use one of: management, staff", "/plan role @user SIDE"),
        ("lead <@U1> Maybe", "`Maybe` is not `off`: end with `off`", "/plan lead @user [off]"),
        ("signoff both", "`joint` or `single`", "/plan signoff joint|single"),
        ("frobnicate", "not a /plan subcommand", "/plan export"),
    ],
)
def test_mistakes_name_the_right_form(text, explanation, form):
    with pytest.raises(UsageError) as raised:
        parse_plan(text)
    assert explanation in raised.value.message
    assert form in raised.value.usage


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("role <!subteam^S1|@ward-nurses> union", "`@ward-nurses` is not a person"),
        ("role <#C1|new-ward> union", "`#new-ward` is not a person"),
        ("role <!here> staff", "`@here` is not a person"),
        ("role jo union", "`jo` is not a person"),
        ("lead <!subteam^S1|@ward-leads>", "`@ward-leads` is not a person"),
        ("lead", "Who?"),
    ],
)
def test_a_group_a_channel_or_a_bare_name_is_named_as_not_a_person_with_an_example(text, named):
    with pytest.raises(UsageError) as raised:
        parse_plan(text)
    assert named in raised.value.message
    assert "Name one person with an @mention, for example `/plan " in raised.value.message


def test_report_asks_for_the_partnership_report_and_help_lists_it():
    assert parse_plan("report") == PartnershipReport()
    assert "`/plan report`: the partnership report as a PDF" in PLAN.usage()
