"""`changebot forget USER_ID` as an operator runs it: a real process on a real database file."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from sqlmodel import select

from bot.delivery import enqueue
from bot.parsing.schedule import ScheduleSpec
from bot.services import checkins, concerns, feedback, principles, stages
from bot.services.checkins import Answers
from bot.services.partners import set_role
from bot.services.projects import Caller, project_for
from bot.views.message import Message
from storage.db import make_engine, unit_of_work
from storage.migrate import upgrade
from storage.models import (
    CheckinResponse,
    Concern,
    Feedback,
    OutboxMessage,
    Partner,
    PrincipleAgreement,
    Role,
    Stage,
)

CHANGEBOT = str(Path(sys.executable).with_name("changebot"))
LEAD, JO = "ULEAD", "UJO"
SECRET_WORDS = "The night rota breaks people"


@pytest.fixture
def database(tmp_path: Path) -> str:
    """A SQLite file where JO has taken part in everything, written through the services."""
    url = f"sqlite:///{tmp_path / 'changebot.db'}"
    upgrade(url)
    engine = make_engine(url)
    with unit_of_work(engine) as session:
        caller = Caller("T1", "C1", LEAD, "new-ward")
        project = project_for(session=session, caller=caller, timezone="Europe/London")
        set_role(session=session, project=project, by=LEAD, user_id=JO, role=Role.UNION)
        principles.agree(session=session, project=project, by=JO)
        feedback.give_feedback(session=session, project=project, by=JO, text=SECRET_WORDS)
        concerns.raise_concern(session=session, project=project, by=JO, number=1, text="Unheard")
        stages.add_stage(session=session, project=project, by=LEAD, title="Pilot", owner_id=JO)
        weekly = ScheduleSpec("weekly", time(9, 0), weekday=0)
        schedule = checkins.schedule_checkin(session=session, project=project, by=LEAD, spec=weekly)
        run = checkins.open_run(
            session=session, schedule=schedule, run_at=datetime(2027, 3, 15, 9, tzinfo=UTC)
        )
        answers = Answers(role=Role.UNION, working=SECRET_WORDS)
        checkins.record_response(
            session=session, project=project, run_id=run.id, by=JO, answers=answers
        )
        for key, to, text in (("nudge", JO, "Overdue"), ("role", "C1", "<@UJO> joined")):
            enqueue(session, key=key, team_id="T1", channel_id=to, message=Message(text))
    engine.dispose()
    return url


def _forget(database_url: str, tmp_path: Path, user_id: str) -> subprocess.CompletedProcess[str]:
    keep = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    return subprocess.run(  # noqa: S603 - our own console script
        [CHANGEBOT, "forget", user_id],
        env={**keep, "DATABASE_URL": database_url},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


def _rows(database_url: str) -> dict[str, list]:
    engine = make_engine(database_url)
    with unit_of_work(engine) as session:
        rows = {
            "partners": [p.user_id for p in session.exec(select(Partner))],
            "agreements": [a.user_id for a in session.exec(select(PrincipleAgreement))],
            "feedback": [(f.author_id, f.text) for f in session.exec(select(Feedback))],
            "concerns": [c.raised_by for c in session.exec(select(Concern))],
            "answers": [(r.user_id, r.working) for r in session.exec(select(CheckinResponse))],
            "owners": [s.owner_id for s in session.exec(select(Stage))],
            "outbox": [(o.key, o.payload) for o in session.exec(select(OutboxMessage))],
        }
    engine.dispose()
    return rows


def test_forget_erases_a_person_says_what_changed_and_a_second_run_changes_nothing(
    database, tmp_path
):
    first = _forget(database, tmp_path, JO)

    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0] == "Forgot UJO:"
    for line in (
        "  partner roles removed: 1",
        "  principle agreements removed: 1",
        "  feedback now from a former partner: 1",
        "  concerns raised, now by a former partner: 1",
        "  concern history entries, now by a former partner: 1",
        "  check-in answers, now from a former partner: 1",
        "  stages owned, now by a former partner: 1",
        "  messages to them alone, deleted: 1",
        "  texts and posts that mentioned them, mention replaced: 1",
        "  sign-offs, now by a former partner: 0",
    ):
        assert line in lines
    assert len(lines) == 21  # "Forgot UJO:" and a line for each kind of record
    assert SECRET_WORDS not in first.stdout + first.stderr
    assert LEAD not in first.stdout + first.stderr

    rows = _rows(database)
    assert rows["partners"] == [LEAD]
    assert rows["agreements"] == []
    assert rows["feedback"] == [("former-partner", SECRET_WORDS)]
    assert rows["concerns"] == ["former-partner"]
    assert rows["owners"] == ["former-partner"]
    ((answered_by, working),) = rows["answers"]
    assert answered_by.startswith("former-partner")
    assert working == SECRET_WORDS
    ((key, payload),) = rows["outbox"]
    assert key == "role"
    assert "a former partner joined" in payload
    assert JO not in payload

    second = _forget(database, tmp_path, JO)
    assert (second.returncode, second.stdout) == (
        0,
        f"Nothing to change: no records of UJO in {database}.\n",
    )
    assert _rows(database) == rows


@pytest.mark.parametrize("user_id", ["ujo", "U-JO", "CJO", "U", "", "UJO\nINFO forged"])
def test_forget_refuses_what_is_not_a_slack_user_id_and_touches_nothing(
    user_id, database, tmp_path
):
    before = _rows(database)
    refused = _forget(database, tmp_path, user_id)
    assert refused.returncode == 2
    assert refused.stdout == ""
    (line,) = refused.stderr.splitlines()
    assert line.startswith("changebot forget: ")
    assert "is not a Slack user id" in line
    assert _rows(database) == before


def test_forget_on_a_database_changebot_never_used_refuses_rather_than_says_nothing_to_change(
    tmp_path,
):
    """Run from another folder, the default sqlite:///changebot.db is not the service's."""
    elsewhere = tmp_path / "changebot.db"
    refused = _forget(f"sqlite:///{elsewhere}", tmp_path, JO)
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert refused.stderr == (
        f"changebot: DATABASE_URL: sqlite:///{elsewhere} holds no changebot data: give the "
        "database that changebot run uses (for SQLite, its full path: "
        "sqlite:////srv/changebot/changebot.db)\n"
    )
    assert not elsewhere.exists()


def test_forget_says_in_plain_words_what_it_does():
    shown = subprocess.run(  # noqa: S603 - our own console script
        [CHANGEBOT, "forget", "--help"], capture_output=True, text=True, check=True, timeout=60
    )
    assert "Erase a person from every project" in shown.stdout
    assert "a former partner" in shown.stdout
