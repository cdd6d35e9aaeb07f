"""`/plan settings` saved in one call: every setting, or a field error and nothing saved."""

from dataclasses import replace

import pytest

from bot.errors import InvalidInput, NotAllowed
from bot.services.partners import set_role
from bot.services.projects import change_settings, settings_of
from storage.models import Role, SignoffMode

from .conftest import LEAD


def _change(session, project, by=LEAD, **changes):
    chosen = replace(settings_of(project), **changes)
    return change_settings(session=session, project=project, by=by, settings=chosen)


def test_every_setting_is_saved_at_once(session, project):
    set_role(session=session, project=project, by=LEAD, user_id="UREP", role=Role.UNION)
    saved = _change(
        session,
        project,
        timezone="Europe/Dublin",
        calendar="GB-SCT",
        signoff_mode=SignoffMode.JOINT,
        anonymous_concerns=True,
        post_feedback_in_channel=True,
        forum_channel_id="CFORUM",
        rule_length=8,
    )
    assert settings_of(saved) == settings_of(project)
    assert (project.timezone, project.calendar, project.signoff_mode) == (
        "Europe/Dublin",
        "GB-SCT",
        SignoffMode.JOINT,
    )
    assert (project.anonymous_concerns, project.post_feedback_in_channel) == (True, True)
    assert (project.forum_channel_id, project.rule_length) == ("CFORUM", 8)


def test_a_time_zone_typed_in_any_case_is_saved_as_its_name_is_spelt(session, project):
    assert _change(session, project, timezone=" europe/dublin ").timezone == "Europe/Dublin"


def test_greenwich_time_is_refused_saying_it_has_no_summer_time(session, project):
    with pytest.raises(InvalidInput, match=r"has no summer time.*Europe/London"):
        _change(session, project, timezone="GMT")


def test_a_project_already_on_greenwich_time_keeps_it_while_its_other_settings_are_saved(
    session, project
):
    """A deployment whose default zone was UTC made such projects: the form sends the zone
    back with every save, and refusing it would let no other setting be changed."""
    project.timezone = "Etc/UTC"
    saved = _change(session, project, timezone="Etc/UTC", rule_length=8)
    assert (saved.timezone, saved.rule_length) == ("Etc/UTC", 8)
    assert _change(session, project, timezone="Europe/London").timezone == "Europe/London"
    with pytest.raises(InvalidInput, match="has no summer time"):
        _change(session, project, timezone="Etc/UTC")


def test_the_project_channel_as_forum_means_no_separate_forum(session, project):
    assert _change(session, project, forum_channel_id="C1").forum_channel_id is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"timezone": "Europe/Londn"}, "timezone"),
        ({"timezone": "/etc/passwd"}, "timezone"),
        ({"timezone": "GMT"}, "timezone"),
        ({"timezone": "utc"}, "timezone"),
        ({"calendar": "US"}, "calendar"),
        ({"rule_length": 5}, "rule_length"),
        ({"signoff_mode": SignoffMode.JOINT}, "signoff"),
    ],
)
def test_a_bad_setting_is_refused_under_its_field(session, project, changes, field):
    with pytest.raises(InvalidInput) as refused:
        _change(session, project, **changes)
    assert refused.value.field == field


def test_only_a_lead_changes_the_settings(session, project):
    with pytest.raises(NotAllowed, match="change the settings"):
        _change(session, project, by="USTAFF", rule_length=7)
