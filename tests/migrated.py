"""New SQLite test databases brought to head by copying one migrated once, not by migrating each.

Running every migration costs about 0.4 s a database, and most tests start from
a new one: on SQLite that was minutes of the suite. The first SQLite database
of a run is migrated with `upgrade`, as the app does at start-up; a later new
one becomes a copy of it, made with SQLite's backup. A database file that
already holds something (a test starting the app again on its own data), and
every PostgreSQL database, are left to `upgrade` itself. On PostgreSQL a copy
saves nothing: making a database from a template costs as much as migrating
an empty one.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

from storage.migrate import upgrade


class MigratedTemplate:
    """One SQLite database at head for the run, made on first use and removed at the end."""

    def __init__(self) -> None:
        self._path: Path | None = None

    def bring_to_head(self, database_url: str) -> None:
        """What `upgrade(database_url)` does to a test's database; a copy when it is new."""
        url = make_url(database_url)
        path = Path(str(url.database))
        if url.get_backend_name() != "sqlite" or (path.exists() and path.stat().st_size > 0):
            upgrade(database_url)
            return
        source, copy = sqlite3.connect(self._migrated()), sqlite3.connect(path)
        try:
            source.backup(copy)
        finally:
            source.close()
            copy.close()

    def remove(self) -> None:
        if self._path is not None:
            shutil.rmtree(self._path.parent)
            self._path = None

    def _migrated(self) -> Path:
        """Made on first use; the suite runs one test at a time, so no lock is needed."""
        if self._path is None:
            path = Path(tempfile.mkdtemp(prefix="changebot-template-")) / "migrated.db"
            upgrade(f"sqlite:///{path}")
            self._path = path
        return self._path


# The run's template: `serving` (tests/e2e/conftest.py) is a plain function, not a fixture.
TEMPLATE = MigratedTemplate()
