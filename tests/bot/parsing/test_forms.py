"""Help asked after a subcommand (`/stage add help`) shows that subcommand's forms."""

import pytest

from bot.parsing.checkin import CHECKIN
from bot.parsing.feedback import FEEDBACK
from bot.parsing.stage import STAGE


@pytest.mark.parametrize(
    ("forms", "text", "shown", "not_shown"),
    [
        (STAGE, "add help", "/stage add TITLE", "/stage done"),
        (STAGE, "done HELP", "/stage done N [OUTCOME]", "/stage add"),
        (FEEDBACK, "link help", "/feedback link [#N] off", "/feedback list"),
        (CHECKIN, "measure add help", "/checkin measure add NAME", "/checkin measure list"),
        (CHECKIN, "measure help", "/checkin measure list", "/checkin schedule"),
    ],
)
def test_help_after_a_subcommand_shows_its_forms_alone(forms, text, shown, not_shown):
    usage = forms.help_for(text)
    assert usage is not None
    assert shown in usage
    assert not_shown not in usage


@pytest.mark.parametrize(
    ("forms", "text"),
    [
        (FEEDBACK, "the help desk was a great help"),
        (FEEDBACK, "help"),
        (STAGE, "frobnicate help"),
        (STAGE, "add Ask the help desk"),
        (STAGE, ""),
    ],
)
def test_other_text_is_left_to_the_command(forms, text):
    assert forms.help_for(text) is None
