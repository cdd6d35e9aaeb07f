"""The first slice through every layer: signed `/stage` commands to celebrations in the channel."""

from __future__ import annotations

import json
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from storage.models import OutboxMessage, Project, Stage

from .conftest import CHANNEL, LEAD, OWNER, PARTNER, Workspace, http_get, wait_until


def _stages(workspace: Workspace) -> list[tuple[int, str, str]]:
    with Session(workspace.runtime.engine) as session:
        rows = session.exec(select(Stage).order_by(Stage.position)).all()
        return [(s.position, s.title, s.status) for s in rows]


def _posted_text(call) -> str:
    return call.args.get("text", "") + json.dumps(call.args.get("blocks", []))


def test_adding_starting_and_completing_three_stages_celebrates_each_once(workspace):
    for title in ("Agree the rota principles", "Pilot the rota", "Roll the rota out"):
        reply = workspace.stage(f"add {title}")
        assert reply.status == 200
        assert reply.json()["response_type"] == "ephemeral"
        assert "Added stage" in reply.text
    assert "in progress" in workspace.stage("start 1").text

    for number in (1, 2, 3):
        done = workspace.stage(f"done {number} Outcome {number} is visible")
        assert "is done" in done.text

    posts = workspace.wait_for_posts(3)
    texts = [_posted_text(call) for call in posts]
    assert "Stage 1 is done" in texts[0]
    assert "1 of 3 stages, 33%" in texts[0]
    assert "Outcome 1 is visible" in texts[0]
    assert "Stage 2 is done" in texts[1]
    assert "2 of 3 stages, 67%" in texts[1]
    assert "Every stage of new-ward is done" in texts[2]
    assert "3 of 3 stages, 100%" in texts[2]
    workspace.settle()
    assert len(workspace.posts()) == 3
    assert all(call.problems == [] for call in workspace.standin.calls)


def test_the_stage_list_shows_status_owner_and_due_date(workspace):
    workspace.stage(f"add Open the ward due 2020-01-31 owner <@{OWNER}|olu>")
    added = workspace.stage("add Hire two nurses due 2099-01-01")
    assert "overdue" not in added.text
    listed = workspace.stage("list")
    assert "Open the ward" in listed.text
    assert f"<@{OWNER}>" in listed.text
    assert "2020-01-31" in listed.text
    assert "overdue" in listed.text
    assert "0 of 2 stages, 0%" in listed.text


def test_a_stage_added_already_past_due_is_accepted_and_called_overdue(workspace):
    reply = workspace.stage("add Sign the lease due 2020-02-01")
    assert "is overdue" in reply.text
    assert _stages(workspace) == [(1, "Sign the lease", "planned")]


def test_bad_forms_get_an_ephemeral_explanation_and_change_nothing(workspace):
    workspace.stage(f"add One owner <@{OWNER}>")
    before = _stages(workspace)
    cases = {
        "done 99": "There is no stage 99",
        "done abc": "is not a stage number",
        "add X due 2027-13-45": "is not a date",
        "frobnicate": "is not a /stage subcommand",
    }
    for text, explanation in cases.items():
        reply = workspace.stage(text)
        assert reply.status == 200
        assert reply.json()["response_type"] == "ephemeral"
        assert explanation in reply.text, text
    refused = workspace.stage("done 1 Took it over", user=PARTNER)
    assert "Only stage 1's owner or a project lead" in refused.text
    assert f"<@{LEAD}>" in refused.text
    assert _stages(workspace) == before
    assert workspace.posts() == []


def test_help_lists_every_form_without_touching_the_database(workspace):
    reply = workspace.stage("help")
    for form in ("add TITLE", "list", "start N", "done N [OUTCOME]", "reopen N"):
        assert form in reply.text
    with Session(workspace.runtime.engine) as session:
        assert session.exec(select(func.count()).select_from(Project)).one() == 0


def test_broadcasts_and_ampersands_in_user_text_reach_the_channel_escaped(workspace):
    workspace.stage("add Tell &lt;!channel&gt; <!here> &amp; <!everyone>")
    workspace.stage("done 1 Done &amp; dusted <!channel>")
    (post,) = workspace.wait_for_posts(1)
    text = _posted_text(post)
    for broadcast in ("<!channel>", "<!here>", "<!everyone>"):
        assert broadcast not in text
    assert "&lt;!channel&gt;" in text
    assert "&amp;" in text


def test_a_4000_character_title_makes_messages_slack_accepts(workspace):
    workspace.stage("add " + "Ward " * 800)
    workspace.stage("add Second")
    assert workspace.stage("list").status == 200
    workspace.stage("done 1 " + "Outcome " * 500)
    (post,) = workspace.wait_for_posts(1)
    assert post.ok
    assert post.problems == []


def test_reopening_and_completing_again_posts_a_short_note(workspace):
    workspace.stage("add One")
    workspace.stage("add Two")
    workspace.stage("done 1 First time")
    workspace.stage("reopen 1")
    workspace.stage("done 1 Second time")
    first, reopened, again = workspace.wait_for_posts(3)
    assert "Stage 1 is done" in _posted_text(first)
    assert "Stage 1 (One) was reopened by <@ULEAD>" in _posted_text(reopened)
    assert "completed again" in _posted_text(again)


def test_completing_a_stage_twice_is_refused_and_celebrated_once(workspace):
    workspace.stage("add One")
    workspace.stage("add Two")
    workspace.stage("done 1")
    assert "already done" in workspace.stage("done 1").text
    workspace.wait_for_posts(1)
    with Session(workspace.runtime.engine) as session:
        assert session.exec(select(func.count()).select_from(OutboxMessage)).one() == 1


def test_unsigned_wrongly_signed_and_stale_requests_get_401_and_write_nothing(workspace):
    good = workspace.requests.slash_command("/stage", "add X", user_id=LEAD, channel_id=CHANNEL)
    unsigned = {k: v for k, v in good.headers.items() if k != "x-slack-signature"}
    wrong = {**good.headers, "x-slack-signature": "v0=" + "0" * 64}
    stale = workspace.requests.sign(
        good.body, good.headers["content-type"], timestamp=int(time.time()) - 301
    )
    for headers in (unsigned, wrong, stale.headers):
        assert workspace.send(type(good)(good.body, headers)).status == 401
    with Session(workspace.runtime.engine) as session:
        assert session.exec(select(func.count()).select_from(Project)).one() == 0


def test_commands_are_acked_well_under_three_seconds(workspace):
    workspace.stage("add One")
    timings = [workspace.stage("list").seconds for _ in range(10)]
    assert max(timings) < 1.5


def test_a_locked_database_still_gets_an_ack_in_time_and_the_reply_follows(workspace, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("an exclusive SQLite file lock is the simplest busy database to hold")

    blocker = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=1)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        reply = workspace.stage("add Written while the database was busy")
    finally:
        time.sleep(0.6)
        blocker.rollback()
        blocker.close()
    assert reply.status == 200
    assert reply.seconds < 3
    assert reply.body == ""
    wait_until(lambda: workspace.standin.calls_to("response_url"), what="the delayed reply")
    (late,) = workspace.standin.calls_to("response_url")
    assert "Added stage" in json.dumps(late.args)
    assert _stages(workspace) == [(1, "Written while the database was busy", "planned")]


def test_the_health_check_answers(workspace):
    health = http_get(workspace.url + "/healthz")
    assert health.status == 200
    assert health.json()["ok"] is True


def test_racing_completions_of_one_stage_celebrate_it_once(workspace):
    workspace.stage("add One")
    workspace.stage("add Two")
    with ThreadPoolExecutor(max_workers=6) as pool:
        replies = list(pool.map(lambda _: workspace.stage("done 1 Raced"), range(6)))
    assert sum("is done" in reply.text for reply in replies) == 1
    assert sum("already done" in reply.text for reply in replies) == 5
    workspace.wait_for_posts(1)
    workspace.settle()
    assert len(workspace.posts()) == 1


def test_stages_added_at_once_get_one_number_each(workspace):
    workspace.stage("add First")
    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(lambda n: workspace.stage(f"add Stage {n}"), range(12)))
    assert all("Added stage" in reply.text for reply in replies)
    positions = [position for position, _title, _status in _stages(workspace)]
    assert positions == list(range(1, 14))
