"""Log lines nobody can forge, from loggers that never write a request's body.

Anything taken from a request may reach a log message (an error's text, a
header). A newline in it would start what looks like a line of its own
(`INFO bot.runtime: admin logged in`), an escape sequence would repaint the
terminal. `EscapingFormatter` writes every unprintable character of a message
as a visible escape (`\\n`, `\\x1b`), and indents every line of a traceback,
so only a record's first line starts at the margin.

Bolt and slack_sdk log whole request bodies and posted text at DEBUG, and
Bolt's own signature check logs the body of a request it refuses: those
loggers never go below INFO, and that one line is dropped.

A database error can quote what it refused: PostgreSQL's DETAIL line gives
the row ("Failing row contains (…, 'what someone wrote')") or the key. The
engine's `hide_parameters` keeps the statement's values out of SQLAlchemy's
text, not the server's own words, so the formatter leaves that line's
quotation out of messages and tracebacks alike.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# At DEBUG these write request bodies, payloads and the text changebot posts.
BODY_LOGGERS = ("slack_bolt", "bot.bolt", "slack_sdk")
# Bolt's RequestVerification logs "Invalid request signature detected (... body: ...)"
# at INFO. The edge refuses such requests first, but one signed within a hair of the
# five minutes can pass the edge and reach Bolt a moment too late.
BOLT_VERIFICATION_LOGGER = "slack_bolt.RequestVerification"
TRACEBACK_INDENT = "    "
# PostgreSQL's DETAIL line of an error, where it quotes the row or key it refused.
_DATABASE_DETAIL = re.compile(r"^(\s*DETAIL:).*$", re.MULTILINE)
_DETAIL_LEFT_OUT = r"\1 (left out of the log: it can quote what someone wrote)"


def escape_controls(text: str) -> str:
    """`text` with each unprintable character (newline, CR, ESC, bidi controls...) escaped."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else _visible(char) for char in text)


def _visible(char: str) -> str:
    return char.encode("unicode_escape").decode("ascii")


class EscapingFormatter(logging.Formatter):
    """A formatter whose every record is one line, plus an indented traceback."""

    def format(self, record: logging.LogRecord) -> str:
        # A copy: other handlers format the same record, and it must stay as logged.
        safe = logging.makeLogRecord(record.__dict__)
        safe.msg, safe.args = escape_controls(_unquoted(record.getMessage())), None
        # Formatted afresh, escaped: another formatter may have cached its own text.
        if record.exc_info:
            safe.exc_text = None
        elif record.exc_text:
            safe.exc_text = _indented(record.exc_text)
        return super().format(safe)

    def formatException(self, ei: logging._SysExcInfoType) -> str:
        return _indented(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return _indented(super().formatStack(stack_info))


def _indented(text: str) -> str:
    lines = _unquoted(text).split("\n")
    return "\n".join(TRACEBACK_INDENT + escape_controls(line) for line in lines)


def _unquoted(text: str) -> str:
    return _DATABASE_DETAIL.sub(_DETAIL_LEFT_OUT, text)


class RepeatedFailure:
    """The log of work that is tried again and again while it fails (the database down).

    The first failure is logged with its traceback; while the same work keeps failing,
    one line every `every` seconds says so and how often, instead of a traceback per try
    (the sender tries four times a second); the first success after says it works again.
    The repeated line names the exception's type only: its message may quote the database.
    """

    def __init__(
        self,
        logger: logging.Logger,
        what: str,
        *,
        every: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._log = logger
        self._what = what
        self._every = every
        self._clock = clock
        self._failures = 0
        self._reported_at = 0.0

    @property
    def failures(self) -> int:
        """How many tries in a row have failed: none while the work works."""
        return self._failures

    def failed(self, error: BaseException) -> None:
        self._failures += 1
        now = self._clock()
        if self._failures == 1:
            self._log.error("%s failed; trying again shortly", self._what, exc_info=error)
        elif now - self._reported_at >= self._every:
            self._log.error(
                "%s is still failing (%s, %d tries in a row); trying again",
                self._what,
                type(error).__name__,
                self._failures,
            )
        else:
            return
        self._reported_at = now

    def succeeded(self) -> None:
        if self._failures:
            self._log.info("%s works again, after %d failed tries", self._what, self._failures)
            self._failures = 0


def configure_logging(level: int) -> None:
    """Log to stderr at `level` through the escaping formatter, bodies kept out."""
    handler = logging.StreamHandler()
    handler.setFormatter(EscapingFormatter(FORMAT))
    logging.basicConfig(level=level, handlers=[handler])
    keep_bodies_out_of_logs(level)


def keep_bodies_out_of_logs(level: int = logging.INFO) -> None:
    """Hold the body-writing loggers at INFO or above, and drop Bolt's refusal line.

    Bolt copies `bot.bolt`'s level into its own loggers when the app is built:
    call this before `create_app`.
    """
    for name in BODY_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.INFO))
    logging.getLogger(BOLT_VERIFICATION_LOGGER).addFilter(_refuse_all)


def _refuse_all(_record: logging.LogRecord) -> bool:
    return False
