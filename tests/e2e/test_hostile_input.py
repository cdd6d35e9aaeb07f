"""Hostile and odd text through every command of the real app, by hypothesis.

Whatever the text (unicode, control characters, Slack's mention syntax, very
long strings, SQL and CSV injection), every request is answered 200 within
Slack's 3 seconds, nothing unhandled is logged, and nothing changebot sends
to Slack breaks a Block Kit limit or carries a live broadcast.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from bot.console.standin import Call, SlackStandIn
from bot.runs.scheduled import ScheduleRun
from bot.runs.schedules import RUNNERS
from storage.models import Project, Schedule, ScheduleKind

from .conftest import CHANNEL, LEAD, PARTNER, TEAM, Workspace, serving

EXAMPLES = 200
BROADCASTS = ("<!channel", "<!here", "<!everyone", "<!subteam")

HOSTILE = st.sampled_from(
    [
        "<!channel>",
        # What Slack sends when someone types the broadcast syntax itself, as text.
        "&lt;!channel&gt;",
        "&lt;!here&gt;",
        "&lt;!subteam^S1&gt;",
        "a &lt;!everyone&gt; b",
        "<!here|here>",
        "<!everyone>",
        "@channel",
        "<@U0EVIL|boss>",
        "<#C0EVIL|general>",
        "<https://evil.example|click me>",
        "&amp;&lt;&gt;",
        "& < >",
        "'; DROP TABLE stage; --",
        '" OR 1=1 --',
        '=HYPERLINK("http://127.0.0.1")',
        "+SUM(A1)",
        "-1",
        "@SUM(1)",
        "\x00\x07\x1b[31m",
        "\u202e\u200b\ufeff",
        "🎉" * 50,
        "#1",
        "#0",
        "#999999999999",
        "due 2027-13-45",
        "owner <@U1>",
        "weekly fri 25:00",
        "on 2020-01-01 09:00",
        "x" * 4000,
        "\n" * 50,
        "ß" * 3001,
    ]
)
TEXT = st.one_of(
    st.text(max_size=200),
    HOSTILE,
    st.lists(st.one_of(HOSTILE, st.text(max_size=30)), max_size=6).map(" ".join),
    st.text(min_size=2900, max_size=5000),
)
FORMS = {
    "/stage": ["", "help", "add", "list", "start 1", "done 1", "done 2", "reopen 1", "done"],
    "/plan": ["", "need", "role <@UPARTNER>", "digest", "signoff", "export", "frob"],
    "/feedback": ["", "#1", "#2", "#x"],
    "/principles": ["", "agree", "remind", "edit", "help"],
    "/checkin": ["schedule", "measure add", "list", "cancel", "pause", "resume", "report"],
    "/concern": ["1", "6", "9", "list", "abc"],
}


class ErrorLog(logging.Handler):
    """Every ERROR logged while the app runs: an unhandled exception shows up here."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    folder: Path = tmp_path_factory.mktemp("hostile")
    with SlackStandIn(team_id=TEAM) as standin, serving(f"sqlite:///{folder}/c.db", standin) as ws:
        ws.stage("add The first stage")
        ws.stage("add The second stage")
        yield ws


@pytest.fixture
def errors() -> Iterator[ErrorLog]:
    handler = ErrorLog()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


def _live_broadcasts(payload: object) -> list[str]:
    """Broadcasts in what Slack reads as mrkdwn: plain_text objects are never parsed."""
    return [b for b in BROADCASTS if any(b in text for text in _mrkdwn(payload))]


def _mrkdwn(payload: object) -> Iterator[str]:
    if isinstance(payload, list):
        for item in payload:
            yield from _mrkdwn(item)
    elif isinstance(payload, dict):
        if payload.get("type") == "plain_text":
            return
        for key, value in payload.items():
            if isinstance(value, str) and key in ("text", "initial_comment"):
                yield value
            elif key != "errors":  # a modal's field errors are plain text too
                yield from _mrkdwn(value)


def _check_sent(calls: list[Call]) -> None:
    for call in calls:
        assert call.problems == [], (call.method, call.problems)
        assert _live_broadcasts(call.args) == [], (call.method, call.args)


@pytest.mark.parametrize("command", list(FORMS))
def test_any_text_is_answered_in_time_and_nothing_unsafe_reaches_slack(app, command, errors):
    already = len(app.standin.calls)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(form=st.sampled_from(FORMS[command]), text=TEXT, user=st.sampled_from([LEAD, PARTNER]))
    def one_request(form: str, text: str, user: str) -> None:
        reply = app.command(command, f"{form} {text}".strip(), user=user)
        assert reply.status == 200
        assert reply.seconds < 3
        assert _live_broadcasts(reply.json()) == []

    one_request()
    app.settle(timeout=60)
    _check_sent(app.standin.calls[already:])
    assert [r.getMessage() for r in errors.records] == []


# -- forms ------------------------------------------------------------------------------


def _opened_after(app: Workspace, before: int) -> dict:
    call = app.standin.wait_for("views.open", before + 1)[-1]
    assert call.ok, call.problems
    return app.standin.views[call.response["view"]["id"]]


def _button_on_latest(app: Workspace, action_id: str) -> tuple[dict, dict]:
    for message in reversed(app.standin.messages(CHANNEL)):
        for block in message.get("blocks", []):
            for element in block.get("elements", []):
                if element.get("action_id") == action_id:
                    return message, element
    raise AssertionError(f"no {action_id} button posted")


def _press_and_open(app: Workspace, action_id: str) -> dict:
    before = len(app.standin.calls_to("views.open"))
    message, button = _button_on_latest(app, action_id)
    request = app.requests.block_action(
        user_id=LEAD, channel_id=CHANNEL, message=message, action=button
    )
    assert app.send(request).status == 200
    return _opened_after(app, before)


def _feedback_form(app: Workspace) -> dict:
    before = len(app.standin.calls_to("views.open"))
    app.command("/feedback", "")
    return _opened_after(app, before)


def _principles_form(app: Workspace) -> dict:
    before = len(app.standin.calls_to("views.open"))
    app.command("/principles", "edit")
    return _opened_after(app, before)


def _concern_form(app: Workspace) -> dict:
    before = len(app.standin.calls_to("views.open"))
    message = {"ts": "1700000000.000900", "text": "Rotas were changed overnight", "user": PARTNER}
    request = app.requests.message_shortcut(
        user_id=PARTNER, channel_id=CHANNEL, callback_id="raise_principle_concern", message=message
    )
    assert app.send(request).status == 200
    return _opened_after(app, before)


def _resolve_form(app: Workspace) -> dict:
    app.command("/concern", "5 Nobody was told about the rota change")
    app.settle()
    return _press_and_open(app, "concern_resolve")


def _checkin_form(app: Workspace) -> dict:
    app.command("/checkin", "measure add Waiting time unit days target 14")
    app.command("/checkin", "schedule daily 09:00 Ward review")
    with app.runtime.transaction() as session:
        schedule = session.exec(select(Schedule).where(Schedule.kind == "checkin")).first()
        project = session.get(Project, schedule.project_id)
        RUNNERS[ScheduleKind.CHECKIN](
            ScheduleRun(session, app.runtime, project, schedule, app.runtime.clock())
        )
    app.settle()
    return _press_and_open(app, "record_checkin")


OPENERS = {
    "feedback": _feedback_form,
    "principles": _principles_form,
    "concern": _concern_form,
    "resolve": _resolve_form,
    "checkin": _checkin_form,
}


def _answer(element: dict, draw: st.DrawFn, optional: bool) -> dict | None:
    """A value for one input element, as Slack would put it in `state.values`."""
    kind = element["type"]
    if kind == "plain_text_input":
        text = draw(TEXT)[: element.get("max_length", 3000)]
        return None if optional and not text else {"type": kind, "value": text}
    if kind in ("static_select", "radio_buttons"):
        options = element.get("options") or []
        if not options or (optional and draw(st.booleans())):
            return None
        return {"type": kind, "selected_option": draw(st.sampled_from(options))}
    if kind == "checkboxes":
        chosen = draw(st.lists(st.sampled_from(element["options"]), unique_by=lambda o: o["value"]))
        return {"type": kind, "selected_options": chosen}
    raise AssertionError(f"the fuzz test does not know how to fill a {kind}")


def _fill(view: dict, draw: st.DrawFn) -> dict:
    values: dict = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        answer = _answer(element, draw, block.get("optional", False))
        if answer is not None:
            values[block["block_id"]] = {element["action_id"]: answer}
    return values


@pytest.mark.parametrize("form", list(OPENERS))
def test_any_answers_to_a_form_are_answered_in_time_and_nothing_unsafe_reaches_slack(
    app, form, errors
):
    view = OPENERS[form](app)
    already = len(app.standin.calls)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def one_submission(data: st.DataObject) -> None:
        values = _fill(view, data.draw)
        request = app.requests.view_submission(user_id=LEAD, view=view, values=values)
        reply = app.send(request)
        assert reply.status == 200
        assert reply.seconds < 3
        assert _live_broadcasts(reply.json()) == []

    one_submission()
    app.settle(timeout=60)
    _check_sent(app.standin.calls[already:])
    assert [r.getMessage() for r in errors.records] == []
