"""Check-ins as Slack shows them: the list, the run's post, its form, the thread replies."""

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.console.blockcheck import block_kit_problems, view_problems
from bot.errors import InvalidInput
from bot.parsing.checkin import ScheduleAction
from bot.services.checkins import Recorded
from bot.services.partners import HIDDEN_SIDE
from bot.views.checkins import (
    Upcoming,
    checkin_changed,
    checkin_form,
    checkin_list,
    checkin_post,
    figure,
    follow_up,
    impact_checkin_offer,
    read_checkin_form,
    response_recorded,
)
from storage.models import CheckinResponse, CheckinRun, Measure, Role, Schedule, Stage

LONDON = ZoneInfo("Europe/London")
RUN_AT = datetime(2027, 3, 15, 9, 0, tzinfo=UTC)


def _measures():
    return [
        Measure(id=1, project_id=1, name="Waiting time", unit="days", target=14, direction="lower"),
        Measure(id=2, project_id=1, name="Beds in use", unit="%"),
    ]


def _run():
    return CheckinRun(id=7, schedule_id=3, run_at=RUN_AT, title="Ward review <!channel>")


def _schedule(**fields):
    values = {"id": 3, "kind": "checkin", "spec": "weekly mon 09:00", "title": "Ward review"}
    values.update(fields)
    return Schedule(project_id=1, created_by="U1", **values)


def _text(message):
    return message.text + json.dumps(message.blocks, ensure_ascii=False)


def _typed(**fields):
    return {
        block: {block: {"type": "plain_text_input", "value": value}}
        for block, value in fields.items()
    }


def _role(role):
    return {"role": {"role": {"type": "static_select", "selected_option": {"value": role}}}}


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (12.0, None, "12"),
        (12.5, "days", "12.5 days"),
        (95, "%", "95%"),
        (1 / 3, None, "0.33"),
        (0, None, "0"),
        (0.00123, "falls per bed day", "0.0012 falls per bed day"),
        (-0.05, None, "-0.05"),
        (-0.0000001, None, "0"),
        (-1234.5, None, "-1,234.5"),
        (1500000, "£", "£1,500,000"),
        (-12.5, "£", "-£12.5"),
        (3, "€", "€3"),
    ],
)
def test_figures_read_as_people_write_them(value, unit, shown):
    assert figure(value, unit) == shown


def test_the_list_shows_measures_and_each_check_in_with_its_id_and_next_run():
    upcoming = [
        Upcoming(_schedule(), datetime(2027, 3, 22, 9, 0, tzinfo=UTC)),
        Upcoming(_schedule(id=4, title=None, paused=True), None),
    ]
    text = _text(checkin_list(_measures(), upcoming, LONDON))
    assert "*Waiting time* · in days · target 14 days · lower is better" in text
    assert "*Beds in use* · in % · higher is better" in text
    assert (
        "`3` *Ward review*, every Monday at 09:00 · next Monday 22 March 2027 at 09:00 GMT" in text
    )
    assert "`4` *Evaluation check-in*, every Monday at 09:00 · paused (`/checkin resume 4`)" in text


def test_an_empty_list_says_how_to_start():
    text = _text(checkin_list([], [], LONDON))
    assert "/checkin measure add NAME" in text
    assert "/checkin schedule SCHEDULE [TITLE]" in text


def test_a_cancelled_check_in_is_called_so():
    message = checkin_changed(
        Upcoming(_schedule(cancelled=True), None), ScheduleAction.CANCEL, LONDON
    )
    assert message.text.startswith(":no_entry_sign: Cancelled `3` *Ward review*")
    assert message.text.endswith("· cancelled")


def test_the_run_post_names_the_measures_and_carries_the_button_with_the_run_id():
    post = checkin_post(_run(), _measures())
    assert block_kit_problems(post.blocks, surface="message") == []
    text = _text(post)
    assert "<!channel>" not in text
    assert "*Waiting time*, *Beds in use*" in text
    button = post.blocks[-1]["elements"][0]
    assert (button["action_id"], button["value"], button["text"]["text"]) == (
        "record_checkin",
        "7",
        "Record check-in",
    )


def test_the_form_has_a_number_field_per_measure_with_its_unit_and_target():
    view = checkin_form(_run(), _measures(), Role.UNION, '{"run": 7}')
    assert view_problems(view) == []
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert list(inputs) == ["measure-1", "measure-2", "working", "not_working", "role", "anonymous"]
    assert inputs["measure-1"]["label"]["text"] == "Waiting time (days)"
    assert inputs["measure-1"]["hint"]["text"].startswith("Target 14 days, lower is better.")
    assert inputs["measure-2"]["label"]["text"] == "Beds in use (%)"
    assert inputs["role"]["element"]["initial_option"]["value"] == "union"


def test_a_form_for_a_hundred_measures_stays_within_a_modal():
    many = [Measure(id=n, project_id=1, name=f"Measure {n}") for n in range(1, 121)]
    assert view_problems(checkin_form(_run(), many, None, "{}")) == []


def test_reading_the_form_gives_the_figures_by_measure_and_the_reflections():
    values = {
        **_typed(**{"measure-1": "18", "measure-2": "", "working": " Calmer ", "not_working": ""}),
        **_role("service-user"),
    }
    answers = read_checkin_form(values, _measures())
    assert answers.values == {1: 18.0}
    assert (answers.role, answers.working, answers.not_working, answers.anonymous) == (
        Role.SERVICE_USER,
        "Calmer",
        "",
        False,
    )


def test_a_figure_that_is_not_a_number_is_refused_under_its_field():
    values = {**_typed(**{"measure-1": "about a fortnight"}), **_role("staff")}
    with pytest.raises(InvalidInput) as refused:
        read_checkin_form(values, _measures())
    assert refused.value.field == "measure-1"
    assert "is not a number" in refused.value.message
    assert "days" in refused.value.message


@pytest.mark.parametrize("typed", ["101", "-0.5", "140%"])
def test_a_percentage_over_100_or_under_0_is_refused_under_its_field(typed):
    values = {**_typed(**{"measure-1": "18", "measure-2": typed}), **_role("staff")}
    with pytest.raises(InvalidInput) as refused:
        read_checkin_form(values, _measures())
    assert refused.value.field == "measure-2"
    assert "A percentage is between 0 and 100" in refused.value.message


def test_a_percentage_of_0_or_100_is_a_figure():
    values = {**_typed(**{"measure-1": "0", "measure-2": "100%"}), **_role("staff")}
    assert read_checkin_form(values, _measures()).values == {1: 0.0, 2: 100.0}


def test_an_empty_answer_is_refused():
    with pytest.raises(InvalidInput) as refused:
        read_checkin_form(_role("staff"), _measures())
    assert refused.value.field == "measure-1"


def _recorded(*, anonymous, replaced=False):
    response = CheckinResponse(
        id=1, run_id=7, user_id="U9", role="staff", anonymous=anonymous, working="Secret detail"
    )
    return Recorded(response, _run(), _schedule(), replaced=replaced)


def test_the_thread_hears_of_a_response_without_its_content_and_without_a_name_when_anonymous():
    named = _text(response_recorded(_recorded(anonymous=False), side="staff"))
    assert "<@U9>'s response is in (staff view)" in named
    anonymous = _text(response_recorded(_recorded(anonymous=True, replaced=True), side=HIDDEN_SIDE))
    assert "An anonymous response was updated (side not shown, to keep it anonymous)" in anonymous
    assert "U9" not in anonymous
    for text in (named, anonymous):
        assert "Secret" not in text


def test_the_follow_up_names_the_missing_groups():
    assert "there is no service-user view yet" in follow_up([Role.SERVICE_USER]).text
    assert "no union or service-user view yet" in follow_up([Role.UNION, Role.SERVICE_USER]).text
    assert (
        "no staff, union or service-user view"
        in follow_up([Role.STAFF, Role.UNION, Role.SERVICE_USER]).text
    )


def test_the_follow_up_points_service_users_to_the_feedback_page_when_there_is_one():
    page = "https://changebot.example.nhs.uk/f/abc"
    assert (
        f"answer on the feedback page: <{page}>"
        in follow_up([Role.SERVICE_USER], feedback_page=page).text
    )
    assert "feedback page" not in follow_up([Role.SERVICE_USER]).text


def test_the_impact_offer_is_a_button_carrying_the_stage():
    block = impact_checkin_offer(
        Stage(id=42, project_id=1, position=2, title="x", created_by="U1")
    ).to_dict()
    assert block_kit_problems([block], surface="message") == []
    assert block["elements"][0]["value"] == "42"
    assert block["elements"][0]["action_id"] == "schedule_impact_checkin"
