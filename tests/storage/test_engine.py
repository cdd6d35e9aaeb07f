"""The application's engine keeps people's words out of its errors."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from storage.db import unit_of_work
from storage.models import Feedback

WORDS = "what-someone-wrote-in-confidence"


def test_a_database_error_does_not_show_the_values_bound_to_it(migrated_engine):
    # No such project: the insert fails on its foreign key, its text bound beside it.
    with pytest.raises(IntegrityError) as failure, unit_of_work(migrated_engine) as session:
        session.add(Feedback(project_id=999, text=WORDS, source_role="staff"))

    assert "INSERT INTO feedback" in str(failure.value)
    assert WORDS not in str(failure.value)
