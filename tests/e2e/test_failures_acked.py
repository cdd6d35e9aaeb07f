"""What cannot be stored is never acknowledged as stored (SPEC §6; issue 9, item 3).

The database is made to refuse at the driver's door (SQLAlchemy's `do_connect`
event, with the pool emptied), which is what a database that is down looks
like to changebot. An event then gets a 5xx, so that Slack delivers it again;
a form stays open saying nothing was saved; and once the database is back, a
retry is stored, once.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from bot.views import replies
from storage.models import Concern, Feedback

from .conftest import CHANNEL, PARTNER, Workspace

BOT_USER = "UCHANGEBOT"
THREAD = "1699990000.000100"


@contextmanager
def database_down(workspace: Workspace) -> Iterator[None]:
    """Every new connection refused, and none kept open, until the block ends."""
    engine = workspace.runtime.engine

    def refuse(*_args: Any) -> None:
        raise OperationalError("connect", {}, Exception("connection refused"))

    event.listen(engine, "do_connect", refuse)
    engine.dispose()
    try:
        yield
    finally:
        event.remove(engine, "do_connect", refuse)


def _concerns(workspace: Workspace) -> list[Concern]:
    with Session(workspace.runtime.engine) as session:
        return list(session.exec(select(Concern)))


def _feedback(workspace: Workspace) -> list[Feedback]:
    with Session(workspace.runtime.engine) as session:
        return list(session.exec(select(Feedback)))


def _mention(workspace: Workspace, **delivery: Any):
    mention = {
        "type": "app_mention",
        "user": PARTNER,
        "channel": CHANNEL,
        "text": f"<@{BOT_USER}> concern 3 Posts cut without consultation",
        "ts": "1699990100.000200",
        "thread_ts": THREAD,
    }
    return workspace.requests.event(mention, **delivery)


def test_an_event_that_cannot_be_stored_gets_a_5xx_and_its_retry_is_stored_once(workspace):
    workspace.stage("add Agree the rota")
    first = _mention(workspace)
    with database_down(workspace):
        assert workspace.send(first).status >= 500
    assert _concerns(workspace) == []

    event_id = json.loads(first.body)["event_id"]
    assert workspace.send(_mention(workspace, event_id=event_id, retry_num=1)).status == 200
    assert workspace.send(_mention(workspace, event_id=event_id, retry_num=2)).status == 200
    workspace.settle()
    assert len(_concerns(workspace)) == 1
    assert len(workspace.posts()) == 1


def _feedback_form(workspace: Workspace) -> dict:
    assert workspace.command("/feedback", "", user=PARTNER).status == 200
    return workspace.opened_view(1)


def _filled(text: str) -> dict:
    return {"text": {"text": {"type": "plain_text_input", "value": text}}}


def _submit(workspace: Workspace, view: dict, *, at: int | None = None):
    request = workspace.requests.view_submission(
        user_id=PARTNER, view=view, values=_filled("The handover is too rushed")
    )
    if at is not None:
        request = workspace.requests.sign(
            request.body, request.headers["content-type"], timestamp=at
        )
    return workspace.send(request)


def test_a_form_that_cannot_be_saved_stays_open_and_its_retry_is_saved_once(workspace):
    view = _feedback_form(workspace)
    with database_down(workspace):
        refused = _submit(workspace, view)
    assert refused.status == 200
    assert refused.json()["response_action"] == "errors"
    assert "nothing was saved" in json.dumps(refused.json()["errors"])
    assert _feedback(workspace) == []

    saved = _submit(workspace, view)
    assert saved.json()["response_action"] == "update"
    again = _submit(workspace, view, at=int(workspace.requests._clock()) + 1)
    assert again.json()["response_action"] == "update"
    assert "saved already" in again.body
    assert len(_feedback(workspace)) == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_form_held_up_by_a_locked_database_says_so_in_time_and_is_not_saved_behind_its_back(
    workspace, database_url
):
    view = _feedback_form(workspace)
    holder = sqlite3.connect(
        database_url.removeprefix("sqlite:///"), isolation_level=None, check_same_thread=False
    )
    holder.execute("BEGIN EXCLUSIVE")
    released = threading.Timer(4.0, holder.rollback)
    released.start()
    try:
        answer = _submit(workspace, view)
    finally:
        released.join()
        holder.close()
    assert answer.seconds < 3
    assert replies.NOT_SAVED_YET in json.dumps(answer.json()["errors"])
    workspace.settle()
    assert _feedback(workspace) == []
    assert _submit(workspace, view).json()["response_action"] == "update"
    assert len(_feedback(workspace)) == 1
