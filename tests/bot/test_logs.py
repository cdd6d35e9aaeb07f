"""Log lines that nothing from a request can forge, and loggers that never write bodies."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
from collections.abc import Iterator

import pytest
from gunicorn.config import Config
from gunicorn.http.errors import LimitRequestHeaders
from slack_bolt import App, BoltRequest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from bot.console.requests import FORM, RequestFactory
from bot.http_worker import REQUEST_READ_SECONDS, DeadlineWorker, SlowRequest
from bot.logs import (
    BODY_LOGGERS,
    BOLT_VERIFICATION_LOGGER,
    FORMAT,
    EscapingFormatter,
    RepeatedFailure,
    keep_bodies_out_of_logs,
)
from bot.server import EscapingGunicornLogger
from storage.db import make_engine

FORGED = "\nFORGED-LINE INFO bot.runtime: admin logged in"


def _record(message: str, *args: object, exc_info: object = None) -> logging.LogRecord:
    return logging.LogRecord("bot.edge", logging.WARNING, __file__, 1, message, args, exc_info)


def test_a_forged_line_in_the_arguments_stays_on_the_records_line() -> None:
    line = EscapingFormatter(FORMAT).format(_record("refused %s", FORGED))

    assert "\n" not in line
    assert line.endswith(r"refused \nFORGED-LINE INFO bot.runtime: admin logged in")


def test_carriage_returns_escapes_and_bidi_controls_are_shown_as_escapes() -> None:
    line = EscapingFormatter("%(message)s").format(_record("a\rb\x1b[31mc\u202ed\x00"))

    assert line == r"a\rb\x1b[31mc\u202ed\x00"


def test_printable_text_is_left_alone() -> None:
    text = "Café — 3 of 7 stages, 43% 🎉"
    assert EscapingFormatter("%(message)s").format(_record(text)) == text


def test_every_line_of_a_traceback_is_indented_so_none_passes_for_a_record() -> None:
    try:
        raise ValueError(f"bad{FORGED}")
    except ValueError as error:
        record = _record("failed", exc_info=(type(error), error, error.__traceback__))

    first, *traceback = EscapingFormatter("%(message)s").format(record).split("\n")

    assert first == "failed"
    assert traceback[0] == "    Traceback (most recent call last):"
    assert all(line.startswith("    ") for line in traceback)
    assert traceback[-2:] == [
        "    ValueError: bad",
        "    FORGED-LINE INFO bot.runtime: admin logged in",
    ]


def test_gunicorns_error_log_is_escaped_too(capsys: pytest.CaptureFixture[str]) -> None:
    config = Config()
    config.set("errorlog", "-")
    gunicorn_log = EscapingGunicornLogger(config)

    gunicorn_log.error("Invalid request from %s", FORGED)

    assert len(capsys.readouterr().err.strip().splitlines()) == 1


@pytest.mark.parametrize("address", ["203.0.113.9", "2001:db8::7", "::ffff:203.0.113.9"])
@pytest.mark.parametrize(
    ("refusal", "said"),
    [
        (LimitRequestHeaders("too many headers"), "Invalid request: too many headers"),
        (
            SlowRequest(),
            f"Closed a connection: its request took longer than {REQUEST_READ_SECONDS} s to arrive",
        ),
    ],
    ids=["unparsable", "too-slow"],
)
def test_a_refused_request_is_logged_with_why_but_not_who_sent_it(
    address: str, refusal: Exception, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = Config()
    config.set("errorlog", "-")
    worker = DeadlineWorker(0, os.getpid(), [], None, 30, config, EscapingGunicornLogger(config))
    ours, theirs = socket.socketpair()
    with ours, theirs, contextlib.closing(worker.tmp):
        worker.handle_error(None, ours, (address, 40000), refusal)

    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.split("] ")[-1] == said


@pytest.fixture
def restored_loggers() -> Iterator[None]:
    """Leave the process's loggers as they were: other tests log at their own levels."""
    names = (*BODY_LOGGERS, BOLT_VERIFICATION_LOGGER)
    saved = {
        name: (logging.getLogger(name).level, list(logging.getLogger(name).filters))
        for name in names
    }
    yield
    for name, (level, filters) in saved.items():
        logging.getLogger(name).setLevel(level)
        logging.getLogger(name).filters[:] = filters


@pytest.mark.usefixtures("restored_loggers")
def test_the_body_loggers_never_go_below_info() -> None:
    keep_bodies_out_of_logs(logging.DEBUG)

    assert [logging.getLogger(name).level for name in BODY_LOGGERS] == [logging.INFO] * 3


@pytest.mark.usefixtures("restored_loggers")
def test_bolts_refusal_never_logs_the_body(caplog: pytest.LogCaptureFixture) -> None:
    keep_bodies_out_of_logs(logging.DEBUG)
    app = App(
        signing_secret="secret",
        token="xoxb-unused",
        token_verification_enabled=False,
        logger=logging.getLogger("bot.bolt"),
    )
    stale = RequestFactory(signing_secret="secret").sign(
        "command=%2Fstage&text=TheWardSisterShoutedAtMe", FORM, timestamp=int(time.time()) - 600
    )

    with caplog.at_level(logging.DEBUG):
        answer = app.dispatch(BoltRequest(body=stale.body, headers=dict(stale.headers)))

    assert answer.status == 401
    assert "TheWardSisterShoutedAtMe" not in caplog.text


def test_what_postgresql_quotes_of_a_refused_row_is_left_out_of_the_log(postgres_url) -> None:
    """hide_parameters keeps the values out of SQLAlchemy's text, not the server's DETAIL."""
    engine = make_engine(postgres_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE said (words TEXT, score INT NOT NULL)"))
        with pytest.raises(IntegrityError) as refused, engine.begin() as connection:
            connection.execute(
                text("INSERT INTO said VALUES (:words, NULL)"), {"words": "my manager bullies me"}
            )
    finally:
        engine.dispose()
    error = refused.value
    assert "my manager bullies me" in str(error)  # what the server said, as a log would show
    record = _record("failed: %s", error, exc_info=(type(error), error, error.__traceback__))

    logged = EscapingFormatter(FORMAT).format(record)

    assert "my manager bullies me" not in logged
    assert "DETAIL: (left out of the log: it can quote what someone wrote)" in logged
    assert "violates not-null constraint" in logged  # what went wrong still shows


def test_a_failure_that_repeats_is_one_traceback_then_a_line_a_minute_then_its_end(caplog):
    now = [0.0]
    failing = RepeatedFailure(
        logging.getLogger("bot.delivery"), "the outbox pass", clock=lambda: now[0]
    )
    caplog.set_level(logging.INFO, logger="bot.delivery")
    for _ in range(241):  # four tries a second for a minute, and one more
        try:
            raise ConnectionRefusedError("connection to the database refused")
        except ConnectionRefusedError as error:
            failing.failed(error)
        now[0] += 0.25
    failing.succeeded()
    failing.succeeded()

    said = [
        (record.levelname, record.getMessage(), bool(record.exc_info)) for record in caplog.records
    ]
    assert said == [
        ("ERROR", "the outbox pass failed; trying again shortly", True),
        (
            "ERROR",
            "the outbox pass is still failing (ConnectionRefusedError, 241 tries in a row); "
            "trying again",
            False,
        ),
        ("INFO", "the outbox pass works again, after 241 failed tries", False),
    ]
