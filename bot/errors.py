"""Errors a person in Slack can act on.

Two tiers. Domain errors carry a message written for the person who caused
them and are shown to them ephemerally (or as a modal field error); anything
else is a bug, reaches the one `@app.error` handler, is logged with its
traceback and reported to the user in one short sentence.

    ChangebotError
     ├── UsageError      the command text does not match a form; carries the usage
     ├── InvalidInput    a value is wrong (a date, a number, a schedule)
     ├── NotFound        no such stage, principle, concern, check-in
     └── NotAllowed      the caller's role does not permit the action
"""

from __future__ import annotations


class ChangebotError(Exception):
    """Base of every error whose message is meant for the person in Slack."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        # Which value the error is about, by its name in the domain ("text", "note"); each
        # form's view maps these names to its own blocks (bot/listeners/surfaces.py `form`).
        self.field = field


class UsageError(ChangebotError):
    """The text did not match any form of the command."""

    def __init__(self, message: str, *, usage: str) -> None:
        super().__init__(message)
        self.usage = usage


class InvalidInput(ChangebotError):
    """A value in otherwise well-formed input is wrong."""


class NotFound(ChangebotError):
    """The thing asked for does not exist in this project."""


class NotAllowed(ChangebotError):
    """The caller may not do this; `ask` names the people who may."""

    def __init__(self, message: str, *, ask: list[str] | None = None) -> None:
        super().__init__(message)
        self.ask = ask or []
