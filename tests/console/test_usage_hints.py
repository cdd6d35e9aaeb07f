"""What Slack shows under a command while it is typed (manifest.yml's usage hints) names
every subcommand that the command's help lists, so none is found only by `help`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.listeners.commands import COMMANDS

ROOT = Path(__file__).resolve().parents[2]
_DECLARED = yaml.safe_load((ROOT / "manifest.yml").read_text())["features"]["slash_commands"]
HINTS = {entry["command"]: entry["usage_hint"] for entry in _DECLARED}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_the_usage_hint_names_every_subcommand_of_the_help(command):
    first_words = {form.syntax.split(" ", 1)[0] for form in COMMANDS[command].forms.forms}
    subcommands = {word for word in first_words if word.isalpha() and word.islower()}
    assert sorted(subcommands - set(re.findall(r"[a-z]+", HINTS[command]))) == []
