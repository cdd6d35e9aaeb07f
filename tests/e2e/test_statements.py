"""What one slash command asks of the database: each statement is a round trip and CPU that
every other request waits behind (issue 10, "Speed"), so the hot commands ask only what they
need, and the caller's permission comes with the project rather than in a query of its own."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from .conftest import Workspace

_STATEMENT = re.compile(r"\s*(SELECT|INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


@contextmanager
def statements(workspace: Workspace) -> Iterator[list[str]]:
    """The SQL statements the app runs inside the block (BEGIN and COMMIT left out)."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if _STATEMENT.match(statement):
            seen.append(" ".join(statement.split()))

    engine = workspace.runtime.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _reads_partner_alone(statement: str) -> bool:
    return statement.startswith("SELECT") and "FROM partner" in statement


def test_adding_and_completing_a_stage_take_five_and_eight_statements(workspace):
    workspace.drive_time_myself()  # no scheduler or sender statements in between
    assert "Added stage" in workspace.stage("add Agree the rota principles").text

    with statements(workspace) as added:
        assert "Added stage" in workspace.stage("add Pilot the rota").text
    with statements(workspace) as completed:
        assert "is done" in workspace.stage("done 1 Agreed with the union").text

    # The replay record, the project with the caller's partner row, the project held while
    # numbering, the last number, the new stage.
    assert len(added) == 5, added
    # The replay record, the project and caller, the stage held, its update, its history,
    # the progress, whether there are measures to propose a check-in for, the celebration.
    assert len(completed) == 8, completed
    assert not [s for s in added + completed if _reads_partner_alone(s)]
    assert not [s for s in added + completed if s.startswith("DELETE")]


def test_feedback_takes_three_statements(workspace):
    workspace.drive_time_myself()
    assert "Added stage" in workspace.stage("add Pilot the rota").text

    with statements(workspace) as given:
        assert "your feedback on" in workspace.command("/feedback", "The rota is fairer").text

    # The replay record, the project with the caller's partner row, the feedback.
    assert len(given) == 3, given
    assert not [s for s in given if _reads_partner_alone(s)]
