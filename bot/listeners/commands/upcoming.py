"""Commands declared in the manifest whose features are still being built.

They answer `help` (and an empty or unknown subcommand) with their forms, as
every command does, and say plainly that the rest is not available yet,
rather than failing or staying silent.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.listeners.commands.runner import CommandContext, CommandHandler
from bot.parsing.catalog import CHECKIN, CONCERN, FEEDBACK, PLAN, PRINCIPLES
from bot.parsing.forms import CommandForms, ShowHelp, split_subcommand
from bot.views import replies
from bot.views.message import Message


@dataclass(frozen=True)
class NotYetAvailable:
    command: str


def _upcoming(forms: CommandForms) -> CommandHandler[NotYetAvailable]:
    def parse(text: str) -> NotYetAvailable | ShowHelp:
        word, _ = split_subcommand(text)
        return ShowHelp() if word == "help" else NotYetAvailable(forms.command)

    def handle(_ctx: CommandContext, request: NotYetAvailable) -> Message:
        return replies.confirmation(
            f":construction: `{request.command}` is not available in this version of changebot "
            f"yet. `{request.command} help` shows what it will do; `/stage` works today."
        )

    return CommandHandler(forms=forms, parse=parse, handle=handle)


UPCOMING_COMMANDS = tuple(
    _upcoming(forms) for forms in (PLAN, FEEDBACK, PRINCIPLES, CHECKIN, CONCERN)
)
