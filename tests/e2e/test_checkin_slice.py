"""Check-ins end to end: measures, a scheduled run firing, the form, the follow-up, the report.

The clock starts on an ordinary Monday morning (no bank holiday) and is moved
with time_machine: the scheduler, the app and the signed requests all read it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlmodel import Session, select

from bot.scheduling import jobs
from storage.models import CheckinResponse, MeasureValue, OutboxMessage, Schedule

from .conftest import CHANNEL, LEAD, PARTNER, Workspace, wait_until
from .public_pages import Visitor, link_path

MONDAY = datetime(2027, 3, 15, 8, 59, 30, tzinfo=UTC)  # 08:59:30 in London (GMT)
NEXT_MINUTE = "09:00"
UNION, USER_REP = "UUNION", "USERVICE"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY, tick=True) as traveller:
        yield traveller


def _text(call_or_message) -> str:
    args = getattr(call_or_message, "args", call_or_message)
    return args.get("text", "") + json.dumps(args.get("blocks", []))


def _top_level(workspace: Workspace) -> list[dict]:
    return [m for m in workspace.standin.messages(CHANNEL) if m["thread_ts"] is None]


def _thread(workspace: Workspace, parent: dict) -> list[dict]:
    return [m for m in workspace.standin.messages(CHANNEL) if m["thread_ts"] == parent["ts"]]


def _button(message: dict, action_id: str) -> dict:
    for block in message["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return element
    raise AssertionError(f"no {action_id} button in {message}")


def _press(workspace: Workspace, user: str, message: dict, action_id: str):
    request = workspace.requests.block_action(
        user_id=user, channel_id=CHANNEL, message=message, action=_button(message, action_id)
    )
    return workspace.send(request)


def _open_form(workspace: Workspace, user: str, post: dict) -> dict:
    opened = len(workspace.standin.calls_to("views.open"))
    assert _press(workspace, user, post, "record_checkin").status == 200
    call = workspace.standin.wait_for("views.open", opened + 1)[-1]
    assert call.ok
    assert call.problems == []
    return workspace.standin.views[call.response["view"]["id"]]


def _answers(view: dict, *, value: str, role: str, anonymous: bool = False, working: str = ""):
    measure_block = next(
        b["block_id"] for b in view["blocks"] if b.get("block_id", "").startswith("measure-")
    )
    values = {
        measure_block: {measure_block: {"type": "plain_text_input", "value": value}},
        "working": {"working": {"type": "plain_text_input", "value": working}},
        "not_working": {"not_working": {"type": "plain_text_input", "value": "Rota gaps at night"}},
        "role": {"role": {"type": "static_select", "selected_option": {"value": role}}},
        "anonymous": {
            "anonymous": {
                "type": "checkboxes",
                "selected_options": [{"value": "yes"}] if anonymous else [],
            }
        },
    }
    return measure_block, values


def _submit(workspace: Workspace, user: str, view: dict, values: dict):
    request = workspace.requests.view_submission(user_id=user, view=view, values=values)
    return workspace.send(request)


def _answer(workspace: Workspace, user: str, post: dict, **answers) -> None:
    """Press Record check-in on `post`, fill in the form that opened, and send it."""
    view = _open_form(workspace, user, post)
    _, values = _answers(view, **answers)
    assert _submit(workspace, user, view, values).status == 200


def _responses(workspace: Workspace) -> list[tuple[str, str, bool, list[float]]]:
    with Session(workspace.runtime.engine) as session:
        responses = session.exec(select(CheckinResponse).order_by(CheckinResponse.id)).all()
        return [
            (
                r.user_id,
                r.role,
                r.anonymous,
                list(
                    session.exec(select(MeasureValue.value).where(MeasureValue.response_id == r.id))
                ),
            )
            for r in responses
        ]


def _fire_due_jobs(workspace: Workspace, clock, at: datetime) -> None:
    """Move the clock to `at` and let the scheduler see what has become due."""
    clock.move_to(at)
    workspace.runtime.scheduler.check_lease()


def _schedule_and_fire(workspace: Workspace, clock) -> dict:
    """A measure, a check-in at the next minute, the minute passing: the run's post."""
    added = workspace.command(
        "/checkin", "measure add Waiting time unit days target 14 lower-is-better"
    )
    assert "Added the measure *Waiting time*" in added.text
    scheduled = workspace.command("/checkin", f"schedule daily {NEXT_MINUTE} Ward review")
    assert "Scheduled `1` *Ward review*, every day at 09:00" in scheduled.text
    assert "next Monday 15 March 2027 at 09:00 GMT" in scheduled.text
    _fire_due_jobs(workspace, clock, MONDAY + timedelta(seconds=35))
    (post,) = workspace.wait_for_posts(1)
    assert post.problems == []
    return _top_level(workspace)[0]


def test_a_check_in_scheduled_for_the_next_minute_posts_once_with_its_button(workspace, clock):
    post = _schedule_and_fire(workspace, clock)
    assert "Ward review" in _text(post)
    assert _button(post, "record_checkin")["text"]["text"] == "Record check-in"
    workspace.runtime.scheduler.check_lease()
    with Session(workspace.runtime.engine) as session:
        schedule = session.exec(select(Schedule)).one()
    jobs.run_schedule(
        workspace.runtime, schedule.id
    )  # a second firing of the same run (another instance, say)
    workspace.settle()
    assert len(workspace.posts()) == 1
    with Session(workspace.runtime.engine) as session:
        keys = session.exec(select(OutboxMessage.key)).all()
    assert keys == [f"checkin:{schedule.id}:2027-03-15T09:00Z"]
    listed = workspace.command("/checkin", "list")
    assert "`1` *Ward review*" in listed.text
    assert "next Tuesday 16 March 2027 at 09:00 GMT" in listed.text
    assert "Waiting time" in listed.text


def test_the_form_stores_values_refuses_a_non_number_and_replaces_a_second_answer(workspace, clock):
    post = _schedule_and_fire(workspace, clock)
    view = _open_form(workspace, PARTNER, post)
    measure_block, bad = _answers(view, value="lots", role="staff")
    label = next(b for b in view["blocks"] if b.get("block_id") == measure_block)["label"]["text"]
    assert label == "Waiting time (days)"
    refused = _submit(workspace, PARTNER, view, bad)
    assert refused.json()["response_action"] == "errors"
    assert "not a number" in refused.json()["errors"][measure_block]
    assert _responses(workspace) == []

    _, good = _answers(view, value="18", role="staff", working="Handovers are calmer")
    assert _submit(workspace, PARTNER, view, good).body == ""
    assert _responses(workspace) == [(PARTNER, "staff", False, [18.0])]
    wait_until(lambda: len(_thread(workspace, post)) == 1, what="the acknowledgement")
    (named,) = _thread(workspace, post)
    assert f"<@{PARTNER}>" in _text(named)
    assert "Handovers" not in _text(named)

    _answer(workspace, PARTNER, post, value="16.5", role="service-user", anonymous=True)
    assert _responses(workspace) == [(PARTNER, "service-user", True, [16.5])]
    wait_until(lambda: len(_thread(workspace, post)) == 2, what="the second acknowledgement")
    anonymous = _text(_thread(workspace, post)[1])
    assert "An anonymous response was updated" in anonymous
    assert PARTNER not in anonymous
    assert "16.5" not in anonymous
    assert all(call.problems == [] for call in workspace.standin.calls)


def test_a_day_later_the_follow_up_names_the_groups_not_yet_heard_from(workspace, clock):
    post = _schedule_and_fire(workspace, clock)
    for user, role in ((LEAD, "management"), (PARTNER, "staff"), (UNION, "union")):
        _answer(workspace, user, post, value="20", role=role)
    wait_until(lambda: len(_thread(workspace, post)) == 3, what="three acknowledgements")

    scheduled = {job.id: job for job in workspace.runtime.scheduler.jobs()}
    assert (
        scheduled[jobs.CHECKIN_FOLLOW_UP_JOB].func_ref == "bot.scheduling.jobs:follow_up_checkins"
    )
    jobs.follow_up_checkins(workspace.runtime)  # not yet a day
    clock.move_to(MONDAY + timedelta(days=1, minutes=1))
    jobs.follow_up_checkins(workspace.runtime)
    jobs.follow_up_checkins(workspace.runtime)
    wait_until(lambda: len(_thread(workspace, post)) == 4, what="the follow-up")
    follow_up = _text(_thread(workspace, post)[3])
    assert "no service-user view yet" in follow_up
    workspace.settle()
    assert len(_thread(workspace, post)) == 4


def test_a_service_user_answering_on_the_feedback_page_is_heard_by_the_follow_up(workspace, clock):
    post = _schedule_and_fire(workspace, clock)
    for user, role in ((LEAD, "management"), (PARTNER, "staff"), (UNION, "union")):
        _answer(workspace, user, post, value="20", role=role)
    path = link_path(workspace)
    visitor = Visitor(workspace.url)
    form = visitor.get(path)
    sent = visitor.post(
        path,
        {"form_token": form.form_token, "website": "", "good": "Calm", "source": "service-user"},
    )
    assert sent.status == 303
    clock.move_to(MONDAY + timedelta(days=1, minutes=1))
    jobs.follow_up_checkins(workspace.runtime)
    workspace.settle()
    # Every group has been heard, the service users through the page: nothing to chase.
    assert len(_thread(workspace, post)) == 3


def test_the_report_uploads_a_run_chart_and_figures_that_match_the_responses(
    workspace, clock, tmp_path
):
    post = _schedule_and_fire(workspace, clock)
    first = {LEAD: ("22", "management"), PARTNER: ("20", "staff")}
    for user, (value, role) in first.items():
        _answer(workspace, user, post, value=value, role=role, working="Calmer handovers")
    clock.move_to(MONDAY + timedelta(days=7))
    workspace.runtime.scheduler.check_lease()
    wait_until(lambda: len(_top_level(workspace)) == 2, what="the next run's post")
    later = _top_level(workspace)[1]
    _answer(
        workspace,
        USER_REP,
        later,
        value="15",
        role="service-user",
        anonymous=True,
        working="I was seen sooner",
    )

    reply = workspace.reply("/checkin", "report")
    assert "1 chart, measures.csv and the reflections" in reply.text
    workspace.standin.wait_for("files.completeUploadExternal", 2)
    (png,) = [f for f in workspace.standin.files.values() if f["filename"].endswith(".png")]
    assert png["content"].startswith(PNG_SIGNATURE)
    (tmp_path / "run-chart.png").write_bytes(png["content"])
    comment = png["initial_comment"]
    # The first run's point is the mean of its two figures (21 days), the later run's 15.
    assert "latest *15 days* (21 Mar 2027)" in comment
    assert "mean 18 days · 2 of 13 points: process limits come at 13" in comment
    summary = next(m for m in _top_level(workspace) if "Evaluation report" in m["text"])
    text = _text(summary)
    assert "Responses by role:* management 1, staff 1, service-user 1" in text
    # The only service-user partner answered anonymously: the side is kept back (SPEC §4).
    assert (
        "*Anonymous answers (their side is not shown, to keep them anonymous)* (1 reflection)"
        in text
    )
    assert "I was seen sooner" in text
    assert USER_REP not in text
    assert all(call.problems == [] for call in workspace.standin.calls)


def test_a_celebration_offers_an_impact_check_in_that_two_presses_schedule_once(workspace, clock):
    workspace.stage("add Open the ward")
    workspace.stage("add Hire nurses")
    workspace.stage("done 1 Opened")
    (plain,) = workspace.wait_for_posts(1)
    assert "schedule_impact_checkin" not in _text(plain)

    workspace.command("/checkin", "measure add Waiting time unit days")
    workspace.stage("done 2 Two nurses started")
    celebration = workspace.wait_for_posts(2)[1]
    assert celebration.problems == []
    message = _top_level(workspace)[1]
    assert _press(workspace, PARTNER, message, "schedule_impact_checkin").status == 200
    (refused,) = workspace.standin.wait_for("response_url")
    assert "Only a project lead can schedule check-ins" in json.dumps(refused.args)
    for _ in range(2):  # a double click: the two presses are handled at the same time
        assert _press(workspace, LEAD, message, "schedule_impact_checkin").status == 200
    said = sorted(json.dumps(call.args) for call in workspace.standin.wait_for("response_url", 3))
    assert sum("Scheduled `1` *Impact of stage 2: Hire nurses*" in text for text in said) == 1
    assert sum("already scheduled" in text.lower() for text in said) == 1
    with Session(workspace.runtime.engine) as session:
        (schedule,) = session.exec(select(Schedule)).all()
    assert schedule.spec == "on 2027-04-12 10:00"  # four weeks after Monday 15 March
    wait_until(lambda: len(_thread(workspace, message)) == 1, what="the note in the thread")
    assert f"<@{LEAD}> scheduled a check-in on the impact of stage 2" in _text(
        _thread(workspace, message)[0]
    )
    listed = workspace.command("/checkin", "list").text
    assert "on Monday 12 April 2027 at 10:00" in listed
    assert "next Monday 12 April" not in listed


def test_leads_pause_resume_and_cancel_and_others_are_refused(workspace, clock):
    workspace.command("/checkin", "schedule weekly fri 15:00 Ward review")
    assert (
        "Only a project lead can pause check-ins"
        in workspace.command("/checkin", "pause 1", user=PARTNER).text
    )
    assert "Paused `1` *Ward review*" in workspace.command("/checkin", "pause 1").text
    assert "paused (`/checkin resume 1`)" in workspace.command("/checkin", "list").text
    assert "Resumed `1`" in workspace.command("/checkin", "resume 1").text
    assert "Cancelled `1`" in workspace.command("/checkin", "cancel 1").text
    assert "No check-ins scheduled" in workspace.command("/checkin", "list").text
    assert "There is no check-in 9" in workspace.command("/checkin", "cancel 9").text
    assert "is not a schedule" in workspace.command("/checkin", "schedule soon").text
    assert "/checkin measure add NAME" in workspace.command("/checkin", "help").text
    assert "nothing to report yet" in workspace.reply("/checkin", "report").text
    assert workspace.runtime.scheduler.jobs()
    assert not [job for job in workspace.runtime.scheduler.jobs() if job.id == "schedule:1"]
