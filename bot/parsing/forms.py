"""The forms of each command: one source for parsing errors and help text."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date

from bot.errors import UsageError


@dataclass(frozen=True)
class Form:
    """One way to call a command, as the usage message shows it."""

    syntax: str
    does: str


@dataclass(frozen=True)
class CommandForms:
    """A slash command and every form it accepts."""

    command: str
    summary: str
    forms: tuple[Form, ...]

    def usage(self) -> str:
        lines = [f"*{self.command}*: {self.summary}"]
        lines += [f"• `{self.written(form)}`: {form.does}" for form in self.forms]
        return "\n".join(lines)

    def written(self, form: Form) -> str:
        """The form as typed: `/plan` alone has no trailing space."""
        return f"{self.command} {form.syntax}".rstrip()

    def help_for(self, text: str) -> str | None:
        """The usage of a subcommand asked after it (`add help`, `measure add help`).

        None unless the text is one or more of the command's own words and then `help`:
        `/stage add help` shows how to add a stage rather than add one called "help".
        """
        *words, last = text.lower().split() or [""]
        if last != "help":
            return None
        forms = self._forms_after(words)
        return CommandForms(self.command, self.summary, forms).usage() if forms else None

    def usage_for(self, text: str) -> str | None:
        """The forms of the subcommand the text begins with (`done 9`: `done N [OUTCOME]`),
        for a refusal to show beside what was wrong; None when it begins with none."""
        words = text.lower().split()
        for length in range(len(words), 0, -1):
            forms = self._forms_after(words[:length])
            if forms:
                return "\n".join(self._line(form) for form in forms)
        return None

    def _forms_after(self, words: list[str]) -> tuple[Form, ...]:
        """The forms that begin with these words, the first of them a subcommand."""
        if not words or words[0] not in self._subcommands():
            return ()
        typed = " ".join(words)
        return tuple(form for form in self.forms if f"{form.syntax} ".startswith(f"{typed} "))

    def unknown(self, word: str) -> UsageError:
        """An unknown subcommand, with the nearest one when it looks like a typo."""
        message = f"`{word}` is not a {self.command} subcommand."
        nearest = _nearest(word, self._subcommands(), cutoff=0.6)
        if nearest:
            message += f" Did you mean `{nearest}`?"
        return self.error(message)

    def mistyped(self, word: str) -> str | None:
        """The subcommand that `word`, typed alone, is very likely a slip of (`lsit`: `list`).

        For commands whose free text could be anything (feedback, a principle's
        name): one word so close to a subcommand is a slip, not something to store.
        """
        return _nearest(word, self._subcommands(), cutoff=0.75)

    def missing_number(self, thing: str, *, form: str) -> UsageError:
        """A form that needs a number was given none."""
        return self.error(f"Which {thing}? Give its number.", form=form)

    def _subcommands(self) -> list[str]:
        words = (form.syntax.split(" ", 1)[0] for form in self.forms)
        return [word for word in words if word.isalpha() and word.islower()]

    def form(self, start: str) -> Form:
        """The first form whose syntax begins with the words `start` (`link [#N]`, `done`)."""
        return next(form for form in self.forms if f"{form.syntax} ".startswith(f"{start} "))

    def error(self, message: str, *, form: str | None = None) -> UsageError:
        """A usage error that shows the right form (or every form when none is given)."""
        if form is None:
            return UsageError(message, usage=self.usage())
        return UsageError(message, usage=self._line(self.form(form)))

    def _line(self, form: Form) -> str:
        return f"`{self.written(form)}`: {form.does}"


def _nearest(word: str, choices: list[str], *, cutoff: float) -> str | None:
    """The choice `word` looks like a typo of, if any: never `word` itself."""
    lowered = word.lower()
    nearest = difflib.get_close_matches(lowered, choices, n=1, cutoff=cutoff)
    return nearest[0] if nearest and nearest[0] != lowered else None


@dataclass(frozen=True)
class ShowHelp:
    """The caller asked for help (or gave no subcommand)."""


_WHOLE_NUMBER = re.compile(r"\d{1,6}")
_WHITE_SPACE = re.compile(r"\s+")


def whole_number(text: str) -> int | None:
    """A positive number as people type it, or None when the text is not one."""
    stripped = text.strip().lstrip("#")
    if not _WHOLE_NUMBER.fullmatch(stripped) or int(stripped) == 0:
        return None
    return int(stripped)


def iso_date(text: str) -> date | None:
    """A `YYYY-MM-DD` date, or None when the text is not a real date in that form."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def split_subcommand(text: str) -> tuple[str, str]:
    """The first word, lower-cased, and the rest of the text, stripped.

    A word ends at any white space: a mention's text goes on after a line break.
    """
    word, rest = split_word(text)
    return word.lower(), rest


def split_word(text: str) -> tuple[str, str]:
    """The first word as typed, and the rest of the text (its line breaks kept), stripped."""
    word, *rest = _WHITE_SPACE.split(text.strip(), maxsplit=1)
    return word, rest[0] if rest else ""
