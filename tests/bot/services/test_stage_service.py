"""The stage services against a real migrated database (SQLite and PostgreSQL)."""

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.posts.celebrations import completion_key
from bot.services import stages
from bot.services.partners import is_lead, role_of
from bot.services.principles import list_principles
from bot.services.projects import Caller, project_for
from bot.services.stages import Progress
from storage.models import Partner, Project, Role, StageStatus

LEAD, OTHER, OWNER = "ULEAD", "UOTHER", "UOWNER"
NOON = datetime(2027, 1, 4, 12, 0, tzinfo=UTC)


def clock():
    return NOON


def _add(session, project, title, **options):
    return stages.add_stage(session=session, project=project, by=LEAD, title=title, **options)


@pytest.mark.parametrize(
    ("done", "total", "percent"),
    [(3, 7, 43), (5, 8, 63), (7, 8, 88), (1, 8, 13), (199, 200, 99), (1, 300, 1), (2, 2, 100)],
)
def test_progress_is_to_the_nearest_percent_but_only_the_whole_plan_is_100(done, total, percent):
    assert Progress(done, total).percent == percent


def test_no_progress_is_none_percent():
    assert Progress(0, 0).percent == 0
    assert Progress(0, 5).percent == 0


def test_first_use_creates_the_project_with_its_user_as_lead_and_the_six_principles(
    session, project
):
    assert project.name == "new-ward"
    assert role_of(session=session, project=project, user_id=LEAD) == Role.MANAGEMENT
    assert is_lead(session=session, project=project, user_id=LEAD)
    assert len(list_principles(session=session, project=project)) == 6
    again = project_for(session=session, caller=Caller("T1", "C1", OTHER), timezone="UTC")
    assert again.id == project.id
    assert role_of(session=session, project=project, user_id=OTHER) is None


def test_the_same_channel_in_another_workspace_is_another_project(session, project):
    other = project_for(session=session, caller=Caller("T2", "C1", OTHER), timezone="UTC")
    assert other.id != project.id


def test_stages_are_numbered_in_order(session, project):
    for title in ("One", "Two", "Three"):
        _add(session, project, title)
    listed = stages.list_stages(session=session, project=project)
    assert [(s.position, s.title) for s in listed] == [(1, "One"), (2, "Two"), (3, "Three")]


def test_a_stage_owner_becomes_a_partner(session, project):
    _add(session, project, "One", owner_id=OWNER)
    assert role_of(session=session, project=project, user_id=OWNER) == Role.STAFF
    _add(session, project, "Two", owner_id=LEAD)
    assert role_of(session=session, project=project, user_id=LEAD) == Role.MANAGEMENT
    assert is_lead(session=session, project=project, user_id=LEAD)


def test_only_a_lead_adds_stages_and_the_refusal_names_the_lead(session, project):
    with pytest.raises(NotAllowed) as refused:
        stages.add_stage(session=session, project=project, by=OTHER, title="X")
    assert refused.value.ask == [LEAD]


def test_completing_records_who_when_and_the_outcome_and_counts_progress(session, project):
    _add(session, project, "One")
    _add(session, project, "Two", owner_id=OWNER, due_on=date(2027, 1, 1))
    completion = stages.complete_stage(
        session=session, project=project, number=2, by=OWNER, outcome="Opened", clock=clock
    )
    stage = completion.stage
    assert (stage.status, stage.completed_by, stage.completed_at, stage.outcome) == (
        StageStatus.DONE,
        OWNER,
        NOON,
        "Opened",
    )
    assert (completion.progress.done, completion.progress.total) == (1, 2)
    assert not completion.again
    assert completion_key(completion) == f"celebrate:stage:{stage.id}:1"


def test_the_last_completion_finishes_the_project(session, project):
    _add(session, project, "One")
    completion = stages.complete_stage(
        session=session, project=project, number=1, by=LEAD, outcome=None
    )
    assert completion.progress.finished


def test_someone_else_cannot_complete_a_stage_they_do_not_own(session, project):
    _add(session, project, "One", owner_id=OWNER)
    with pytest.raises(NotAllowed) as refused:
        stages.complete_stage(session=session, project=project, number=1, by=OTHER, outcome=None)
    assert refused.value.ask == [OWNER, LEAD]
    assert stages.list_stages(session=session, project=project)[0].status == StageStatus.PLANNED


def test_a_stage_number_out_of_range_says_which_exist(session, project):
    with pytest.raises(NotFound, match="no stages yet"):
        stages.complete_stage(session=session, project=project, number=1, by=LEAD, outcome=None)
    _add(session, project, "One")
    _add(session, project, "Two")
    with pytest.raises(NotFound, match="stages 1 to 2"):
        stages.complete_stage(session=session, project=project, number=99, by=LEAD, outcome=None)


def test_completing_twice_is_refused(session, project):
    _add(session, project, "One")
    stages.complete_stage(session=session, project=project, number=1, by=LEAD, outcome=None)
    with pytest.raises(InvalidInput, match="already done"):
        stages.complete_stage(session=session, project=project, number=1, by=LEAD, outcome=None)


def test_reopening_and_completing_again_is_a_second_announcement(session, project):
    _add(session, project, "One")
    _add(session, project, "Two")
    first = stages.complete_stage(session=session, project=project, number=1, by=LEAD, outcome="a")
    reopened = stages.reopen_stage(session=session, project=project, number=1, by=LEAD)
    assert reopened.status == StageStatus.IN_PROGRESS
    second = stages.complete_stage(session=session, project=project, number=1, by=LEAD, outcome="b")
    assert second.again
    assert completion_key(second) != completion_key(first)


def test_starting_marks_in_progress_once(session, project):
    _add(session, project, "One")
    started = stages.start_stage(session=session, project=project, number=1, by=LEAD, clock=clock)
    assert (started.status, started.started_at) == (StageStatus.IN_PROGRESS, NOON)


def test_reopening_a_stage_that_is_not_done_is_refused(session, project):
    _add(session, project, "One")
    with pytest.raises(InvalidInput, match="not done"):
        stages.reopen_stage(session=session, project=project, number=1, by=LEAD)


def test_two_sessions_creating_one_project_make_one_project(migrated_engine):
    caller = Caller("T9", "C9", LEAD, "race")
    with (
        Session(migrated_engine, expire_on_commit=False) as first,
        Session(migrated_engine, expire_on_commit=False) as second,
    ):
        a = project_for(session=first, caller=caller, timezone="UTC")
        first.commit()
        b = project_for(session=second, caller=caller, timezone="UTC")
        second.commit()
        assert a.id == b.id
        assert len(second.exec(select(Project).where(Project.channel_id == "C9")).all()) == 1
        assert len(second.exec(select(Partner).where(Partner.project_id == a.id)).all()) == 1
