"""What service tests share: a session on a migrated database, and a project led by LEAD."""

from __future__ import annotations

import pytest

from bot.services.projects import Caller, project_for
from storage.db import unit_of_work

LEAD = "ULEAD"


@pytest.fixture
def session(migrated_engine):
    """One unit of work, committed when the test ends (as a request's would be)."""
    with unit_of_work(migrated_engine) as session:
        yield session


@pytest.fixture
def project(session):
    """The channel C1's project, created by its first user, LEAD, who leads it."""
    caller = Caller(team_id="T1", channel_id="C1", user_id=LEAD, channel_name="new-ward")
    return project_for(session=session, caller=caller, timezone="Europe/London")
