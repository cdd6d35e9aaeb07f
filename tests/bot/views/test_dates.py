"""Dates and times in Slack: full dates, and times that say which time zone they are in."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.parsing.schedule import parse_schedule
from bot.services.momentum import Digest
from bot.services.overview import Overview
from bot.services.stages import Progress
from bot.services.you_said import Answerable
from bot.views.dates import day, moment, schedule_times, viewers_moment
from bot.views.home import home
from bot.views.momentum import digest
from bot.views.plan import overview
from bot.views.you_said import feedback_list
from storage.models import Feedback, Project

LONDON = ZoneInfo("Europe/London")
WINTER = datetime(2027, 3, 16, 9, 0, tzinfo=UTC)
SUMMER = datetime(2027, 7, 6, 8, 0, tzinfo=UTC)
PROJECT = Project(id=1, team_id="T1", channel_id="C1", name="new-ward", timezone="Europe/London")


def test_a_moment_names_the_day_the_full_date_and_the_time_zone():
    assert moment(WINTER, LONDON) == "Tuesday 16 March 2027 at 09:00 GMT"
    assert moment(SUMMER, LONDON) == "Tuesday 6 July 2027 at 09:00 BST"
    assert day(date(2026, 12, 1)) == "1 Dec 2026"


def test_each_viewer_sees_a_moment_in_their_own_time_zone_with_the_projects_as_fallback():
    assert viewers_moment(WINTER, LONDON) == (
        f"<!date^{int(WINTER.timestamp())}^{{date_long_pretty}} at {{time}}"
        "|Tuesday 16 March 2027 at 09:00 GMT>"
    )


def test_the_overview_home_and_digest_give_the_next_check_in_for_each_viewer():
    token = viewers_moment(SUMMER, LONDON)
    seen = Overview(project=PROJECT, stages=[], open_concerns=[], next_checkin=SUMMER)
    summary = Digest(
        project=PROJECT,
        since=WINTER,
        completed=[],
        overdue=[],
        feedback_received=0,
        open_concerns=[],
        next_checkin=SUMMER,
        answered=[],
        waiting_for_response=0,
    )
    for shown in (
        json.dumps(overview(seen, SUMMER.date()).blocks),
        json.dumps(home([seen], SUMMER)),
        json.dumps(digest(summary, Progress(0, 0)).blocks),
    ):
        assert f"Next check-in: {token}." in shown


def test_the_leads_feedback_list_dates_each_piece_with_its_year():
    given = Feedback(
        id=1, project_id=1, text="Parking", created_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    )
    listed = feedback_list(PROJECT, [Answerable(given, None, None, "staff")], page=None)
    assert "*1 Dec 2026* · on the project" in json.dumps(listed.blocks, ensure_ascii=False)


def test_a_new_schedule_says_its_time_zone_and_when_it_first_posts():
    weekly = parse_schedule("weekly tue 09:00")
    assert schedule_times(weekly, WINTER, LONDON) == (
        "every Tuesday at 09:00 (Europe/London time), the first on Tuesday 16 March 2027 "
        "at 09:00 GMT"
    )
    once = parse_schedule("on 2027-07-06 09:00")
    assert schedule_times(once, SUMMER, LONDON) == "on Tuesday 6 July 2027 at 09:00 BST"
